package otterbot.provider.openai.internal;

import otterbot.api.provider.ProviderException;

/**
 * What the OpenAI provider needs of the ChatGPT sign-in: a valid access token (refreshed when needed) and the account
 * it belongs to. Internal to this bundle: the service is registered under this private type so that only the
 * provider here can ask for tokens.
 */
interface CodexAccess {
  /** A bearer token and the account to name in {@code ChatGPT-Account-ID}. Never shown or logged. */
  record Credentials(String accessToken, String accountId) {
    @Override
    public String toString() {
      return "Credentials[accountId=" + accountId + "]";
    }
  }

  /**
   * The current credentials, refreshed first when fewer than five minutes are left.
   *
   * @throws ProviderException when no account is connected or the refresh failed (the message says what to do)
   */
  Credentials credentials() throws ProviderException;

  /**
   * The backend refused {@code accessToken} (401) before it expired (revoked at the issuer, say): the next
   * {@link #credentials()} refreshes instead of handing it out again.
   */
  void rejected(String accessToken);
}
