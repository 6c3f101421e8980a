package otterbot.persistence.jpa.internal;

import otterbot.api.OtterbotException;

/**
 * Checks at the stores' edge. Bad input is the caller's mistake and must come back as {@code INVALID} (400) naming
 * the field, never reach the database as a statement that fails with a 503.
 */
final class Validation {
  private Validation() {}

  /** A non-blank key of at most {@code maxLength} characters. */
  static String validKey(String name, String value, int maxLength) {
    if (value == null || value.isBlank()) {
      throw OtterbotException.invalid(name + " is missing");
    }
    if (value.length() > maxLength) {
      throw OtterbotException.invalid(name + " is longer than " + maxLength + " characters");
    }
    return noNul(name, value);
  }

  /** Null, or a key as {@link #validKey}. */
  static String optionalKey(String name, String value, int maxLength) {
    return value == null ? null : validKey(name, value, maxLength);
  }

  /** Text that fits the JSON and TEXT columns of {@link AgentEntity#TEXT_LENGTH}. */
  static String validText(String name, String text) {
    return validText(name, text, AgentEntity.TEXT_LENGTH);
  }

  static String validText(String name, String text, int maxLength) {
    if (text == null) {
      throw OtterbotException.invalid(name + " is missing");
    }
    if (text.length() > maxLength) {
      throw OtterbotException.invalid(name + " is too large to store (" + text.length() + " characters, at most "
          + maxLength + ")");
    }
    return noNul(name, text);
  }

  /**
   * PostgreSQL cannot store the NUL character in text (its driver fails the whole statement, which would read as an
   * unavailable database); H2 could, but the same input must get the same answer on either.
   */
  static String noNul(String name, String text) {
    if (text.indexOf('\0') >= 0) {
      throw OtterbotException.invalid(name + " contains the NUL character");
    }
    return text;
  }

  /** Whether a key of a lookup could ever have been stored; a read with one that could not simply finds nothing. */
  static boolean fits(String key, int maxLength) {
    return !key.isEmpty() && key.length() <= maxLength;
  }
}
