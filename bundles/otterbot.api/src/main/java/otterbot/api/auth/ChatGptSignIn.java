package otterbot.api.auth;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The instance's one ChatGPT sign-in (authorization code with PKCE, as the Codex CLI does it). The tokens are sealed
 * at rest and never leave the implementing bundle; the OpenAI provider uses them when
 * {@code providers.openai.authMethod} is {@code "oauth"}.
 *
 * <p>Failures are {@link otterbot.api.OtterbotException}s: {@code INVALID} for input (a pasted URL without a code, a
 * state that does not match, no sign-in in progress), {@code CONFLICT} when the callback port is taken,
 * {@code UNAVAILABLE} when the issuer cannot be reached or refuses.
 */
@ProviderType
public interface ChatGptSignIn {
  /** Whether an account is connected, which, and until when its access token is valid. */
  SignInStatus status();

  /**
   * Starts a sign-in, replacing one in progress: a new PKCE pair and state, and the loopback callback listener.
   *
   * @return the URL the user opens in a browser
   */
  String beginLogin();

  /**
   * Completes the sign-in in progress from what the browser was redirected to, for a browser on another machine: a
   * full URL, a {@code ?code=…&state=…} query or a bare {@code code=…&state=…}.
   */
  SignInStatus complete(String redirected);

  /** Forgets the tokens and any sign-in in progress, and closes the callback listener. */
  void signOut();
}
