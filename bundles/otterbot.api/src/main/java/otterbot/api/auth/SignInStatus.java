package otterbot.api.auth;

/**
 * Upstream's {@code AuthStatus}.
 *
 * @param connected whether tokens are stored
 * @param accountId the ChatGPT account id from the id token, or null
 * @param expiresAt when the access token expires, epoch milliseconds, or null
 * @param pending whether a sign-in is in progress (started and neither completed nor failed)
 * @param lastError why the last sign-in attempt failed, or null
 */
public record SignInStatus(boolean connected, String accountId, Long expiresAt, boolean pending, String lastError) {
  /** Nobody signed in, nothing in progress. */
  public static final SignInStatus DISCONNECTED = new SignInStatus(false, null, null, false, null);
}
