package otterbot.core.internal.secrets;

import java.util.Collection;

/**
 * Removes secret values from text that is about to leave the server (a chunk, a log line, an HTTP answer). Providers
 * are asked not to echo secrets, but an upstream error body may quote the key it rejected; this is the last line.
 */
public final class Scrubber {
  /** Shorter values (flags such as {@code oauth}) would blank out ordinary words. */
  static final int MIN_LENGTH = 6;

  private Scrubber() {}

  public static String scrub(String text, Collection<String> secrets) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= MIN_LENGTH && out.contains(secret)) {
        out = out.replace(secret, "[redacted]");
      }
    }
    return out;
  }
}
