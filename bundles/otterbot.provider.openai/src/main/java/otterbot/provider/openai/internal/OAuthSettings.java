package otterbot.provider.openai.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link OpenAiConfiguration} checked once: absolute http(s) URLs without trailing slashes, a real port, a positive
 * timeout. A bad value fails the component's activation with a message naming the key.
 */
record OAuthSettings(String issuer, String clientId, int callbackPort, Duration loginTimeout, String codexBaseUrl) {
  static final String DEFAULT_ISSUER = "https://auth.openai.com";
  static final String DEFAULT_CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
  static final int DEFAULT_CALLBACK_PORT = 1455;
  static final int DEFAULT_LOGIN_TIMEOUT_SECONDS = 600;
  static final String DEFAULT_CODEX_BASE_URL = "https://chatgpt.com/backend-api/codex";
  static final String SCOPE = "openid profile email offline_access";

  static OAuthSettings of(OpenAiConfiguration config) {
    String issuer = url("oauthIssuer", config.oauthIssuer());
    String codex = url("codexBaseUrl", config.codexBaseUrl());
    String clientId = config.oauthClientId() == null ? "" : config.oauthClientId().strip();
    if (clientId.isEmpty() || !clientId.matches("[A-Za-z0-9_.-]{1,200}")) {
      throw new IllegalArgumentException("oauthClientId must be 1 to 200 letters, digits, '_', '.' or '-'");
    }
    if (config.oauthCallbackPort() < 1 || config.oauthCallbackPort() > 65535) {
      throw new IllegalArgumentException("oauthCallbackPort must be between 1 and 65535, not "
          + config.oauthCallbackPort());
    }
    if (config.oauthLoginTimeoutSeconds() < 1) {
      throw new IllegalArgumentException("oauthLoginTimeoutSeconds must be at least 1, not "
          + config.oauthLoginTimeoutSeconds());
    }
    return new OAuthSettings(issuer, clientId, config.oauthCallbackPort(),
        Duration.ofSeconds(config.oauthLoginTimeoutSeconds()), codex);
  }

  private static String url(String key, String value) {
    String url = value == null ? "" : value.strip().replaceAll("/+$", "");
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(key + " must be an http(s) URL with a host and no user-info, query or "
          + "fragment");
    }
    return url;
  }

  String redirectUri() {
    return "http://localhost:" + callbackPort + "/auth/callback";
  }

  /** The settings that differ from the defaults, for one log line at activation. */
  List<String> nonDefaults() {
    List<String> changed = new ArrayList<>();
    if (!issuer.equals(DEFAULT_ISSUER)) {
      changed.add("oauthIssuer=" + issuer);
    }
    if (!clientId.equals(DEFAULT_CLIENT_ID)) {
      changed.add("oauthClientId=" + clientId);
    }
    if (callbackPort != DEFAULT_CALLBACK_PORT) {
      changed.add("oauthCallbackPort=" + callbackPort);
    }
    if (loginTimeout.toSeconds() != DEFAULT_LOGIN_TIMEOUT_SECONDS) {
      changed.add("oauthLoginTimeoutSeconds=" + loginTimeout.toSeconds());
    }
    if (!codexBaseUrl.equals(DEFAULT_CODEX_BASE_URL)) {
      changed.add("codexBaseUrl=" + codexBaseUrl);
    }
    return changed;
  }
}
