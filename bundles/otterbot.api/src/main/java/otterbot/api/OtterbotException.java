package otterbot.api;

/**
 * A failure that a caller can act on. The {@link Kind} tells adapters how to answer (the REST adapter maps
 * {@code INVALID} to 400, {@code NOT_FOUND} to 404, {@code CONFLICT} to 409, {@code UNAVAILABLE} to 503), and the
 * message is shown to the user as is, so it must never contain a secret.
 */
public class OtterbotException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in terms a client understands. */
  public enum Kind {
    /** The input is malformed or breaks a rule. */
    INVALID,
    /** The addressed thing does not exist. */
    NOT_FOUND,
    /** The request is valid but clashes with the current state (for example a read-only, bundle-provided agent). */
    CONFLICT,
    /** A subsystem the request needs is not running. */
    UNAVAILABLE
  }

  private final Kind kind;

  public OtterbotException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public OtterbotException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static OtterbotException invalid(String message) {
    return new OtterbotException(Kind.INVALID, message);
  }

  public static OtterbotException notFound(String message) {
    return new OtterbotException(Kind.NOT_FOUND, message);
  }

  public static OtterbotException conflict(String message) {
    return new OtterbotException(Kind.CONFLICT, message);
  }

  public static OtterbotException unavailable(String message, Throwable cause) {
    return new OtterbotException(Kind.UNAVAILABLE, message, cause);
  }
}
