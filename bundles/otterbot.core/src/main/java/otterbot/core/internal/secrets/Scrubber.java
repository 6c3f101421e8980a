package otterbot.core.internal.secrets;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Removes secret values from text that is about to leave the server (a chunk, a log line, an HTTP answer). Providers
 * are asked not to echo secrets, but an upstream error body may quote the key it rejected; this is the last line.
 */
public final class Scrubber {
  /** Shorter values (flags such as {@code oauth}) would blank out ordinary words. */
  static final int MIN_LENGTH = 6;

  private Scrubber() {}

  /**
   * The values of a secrets map that are secret: all but endpoints ({@code *_BASE_URL}) and the auth method flag
   * ({@code *_AUTH_METHOD}), which are settings a user must be able to read in "cannot reach ..." messages.
   */
  public static List<String> secretValues(Map<String, String> secrets) {
    return secrets.entrySet().stream()
        .filter(e -> !(e.getKey().endsWith("_BASE_URL") || e.getKey().endsWith("_AUTH_METHOD")))
        .map(Map.Entry::getValue)
        .toList();
  }

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
