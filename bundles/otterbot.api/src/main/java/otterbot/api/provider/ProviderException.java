package otterbot.api.provider;

/**
 * A provider could not do what was asked (unreachable, refused, malformed answer). The message is shown to the user
 * as is, for example {@code provider returned 401 Unauthorized}, so it must never contain a secret.
 */
public class ProviderException extends Exception {
  private static final long serialVersionUID = 1L;

  public ProviderException(String message) {
    super(message);
  }

  public ProviderException(String message, Throwable cause) {
    super(message, cause);
  }
}
