package otterbot.provider.openai.internal;

/**
 * The ChatGPT sign-in and Codex backend settings of the OpenAI bundle, in {@code <home>/etc/otterbot.provider.openai.cfg}
 * beside {@link otterbot.provider.support.ProviderConfiguration}'s keys; nothing needs to be set. They exist so tests
 * (and a proxy) can point the flow at other servers.
 */
@interface OpenAiConfiguration {
  /** The OAuth issuer: {@code <issuer>/oauth/authorize} and {@code <issuer>/oauth/token}. */
  String oauthIssuer() default OAuthSettings.DEFAULT_ISSUER;

  /** The public OAuth client (the Codex CLI's). */
  String oauthClientId() default OAuthSettings.DEFAULT_CLIENT_ID;

  /** The loopback port of the callback listener; the redirect URI is {@code http://localhost:<port>/auth/callback}. */
  int oauthCallbackPort() default OAuthSettings.DEFAULT_CALLBACK_PORT;

  /** How long a started sign-in (and its callback listener) waits for the browser, in seconds. */
  int oauthLoginTimeoutSeconds() default OAuthSettings.DEFAULT_LOGIN_TIMEOUT_SECONDS;

  /** The Codex Responses backend the provider talks to with ChatGPT sign-in: {@code <codexBaseUrl>/responses}. */
  String codexBaseUrl() default OAuthSettings.DEFAULT_CODEX_BASE_URL;
}
