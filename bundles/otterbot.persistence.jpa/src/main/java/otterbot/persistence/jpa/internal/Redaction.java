package otterbot.persistence.jpa.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes database credentials from text before it reaches a log or a client. JDBC drivers and EclipseLink put the
 * connection URL into their exception messages, and a PostgreSQL URL may carry {@code ?password=...}.
 */
final class Redaction {
  static final String MASK = "***";

  /**
   * {@code password=}, {@code sslpassword=}, H2's {@code ;PASSWORD=}, {@code pwd=}: in URLs, and in property maps as
   * EclipseLink prints them. The value ends where a URL parameter or a bracketed/quoted message part ends.
   */
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)\\b([a-z_.-]*(?:password|pwd)\\s*=)[^&;\\s\\]\"'}]*");

  /** {@code //user:secret@host}. */
  private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@\\s:]*:)[^/?#@\\s]*@");

  private Redaction() {}

  /** The text with every password parameter and URL user-info password masked. */
  static String text(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = PASSWORD_PARAMETER.matcher(text).replaceAll("$1" + MASK);
    return USER_INFO.matcher(masked).replaceAll("$1" + MASK + "@");
  }

  /**
   * Like {@link #text(String)}, and also masks every occurrence of {@code password}. That garbles messages when the
   * password is a common word, which is the lesser evil.
   */
  static String text(String text, String password) {
    String masked = text(text);
    if (masked != null && password != null && !password.isEmpty()) {
      masked = masked.replace(password, MASK);
    }
    return masked;
  }

  /**
   * A copy of the cause chain with masked messages and the original stack traces. Callers attach this instead of the
   * original, because the REST layer and slf4j print a cause's message verbatim.
   */
  static RuntimeException throwable(Throwable original, String password) {
    return throwable(original, password, List.of());
  }

  /**
   * Like {@link #throwable(Throwable, String)}, and also masks every occurrence of each of {@code values}: the values
   * of a failed write that must not be logged, which a driver may quote in its message.
   */
  static RuntimeException throwable(Throwable original, String password, Collection<String> values) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Failure top = null;
    Failure last = null;
    for (Throwable t = original; t != null && seen.add(t); t = t.getCause()) {
      var copy = new Failure(t.getClass().getName(), mask(text(t.getMessage(), password), values));
      copy.setStackTrace(t.getStackTrace());
      if (top == null) {
        top = copy;
      } else {
        last.initCause(copy);
      }
      last = copy;
    }
    return top;
  }

  private static String mask(String text, Collection<String> values) {
    String masked = text;
    if (masked != null) {
      for (String value : values) {
        if (value != null && !value.isEmpty()) {
          masked = masked.replace(value, MASK);
        }
      }
    }
    return masked;
  }

  /** Stands in for a driver or EclipseLink exception; prints like the original ({@code class: message}). */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String originalClass;

    private Failure(String originalClass, String message) {
      super(message);
      this.originalClass = originalClass;
    }

    /** The class of the exception this stands in for. */
    String originalClass() {
      return originalClass;
    }

    @Override
    public String toString() {
      return getMessage() == null ? originalClass : originalClass + ": " + getMessage();
    }
  }
}
