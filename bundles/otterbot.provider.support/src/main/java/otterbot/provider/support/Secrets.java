package otterbot.provider.support;

import java.util.Map;

/** Reads provider settings out of a call's secrets. */
public final class Secrets {
  private Secrets() {}

  /** The trimmed value of {@code name}, or {@code fallback} when it is unset or blank (or {@code name} is null). */
  public static String valueOr(Map<String, String> secrets, String name, String fallback) {
    String value = name == null ? null : secrets.get(name);
    return value == null || value.isBlank() ? fallback : value.strip();
  }
}
