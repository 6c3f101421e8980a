package otterbot.provider.support;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Removes secret values from text that came from elsewhere (a response body, an exception message) before it reaches
 * a user-visible message. Providers echo parts of requests in their errors, so any secret could come back.
 */
public final class Redactor {
  static final String MASK = "[redacted]";

  /** Longest first, so a secret containing another is masked whole. */
  private final List<String> values;

  private Redactor(List<String> values) {
    this.values = values;
  }

  /**
   * A redactor for every non-blank value of the call's secrets, except endpoints ({@code *_BASE_URL}) and the auth
   * method flag ({@code *_AUTH_METHOD}): they are settings, not secrets, and a message saying which server could not
   * be reached must be able to name it (user-info is stripped from URLs separately).
   */
  public static Redactor of(Map<String, String> secrets) {
    return new Redactor(secrets.entrySet().stream()
        .filter(e -> e.getKey() == null || !(e.getKey().endsWith("_BASE_URL") || e.getKey().endsWith("_AUTH_METHOD")))
        .map(Map.Entry::getValue)
        .filter(v -> v != null && !v.isBlank())
        .map(String::strip)
        .distinct()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .collect(Collectors.toList()));
  }

  public String scrub(String text) {
    if (text == null) {
      return null;
    }
    String scrubbed = text;
    for (String value : values) {
      scrubbed = scrubbed.replace(value, MASK);
    }
    return scrubbed;
  }
}
