package otterbot.provider.openai.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One sign-in attempt's secrets, as the Codex CLI makes them (upstream-behaviour §14): the PKCE verifier (base64url of
 * 64 random bytes), its S256 challenge and the state (base64url of 32 random bytes), all without padding.
 */
record Pkce(String verifier, String challenge, String state) {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  static Pkce create(SecureRandom random) {
    byte[] verifier = new byte[64];
    random.nextBytes(verifier);
    byte[] state = new byte[32];
    random.nextBytes(state);
    String v = URL.encodeToString(verifier);
    return new Pkce(v, challenge(v), URL.encodeToString(state));
  }

  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return URL.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** The authorize URL with every parameter the Codex CLI sends, in its order. */
  String authorizeUrl(OAuthSettings settings) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", settings.clientId());
    query.put("redirect_uri", settings.redirectUri());
    query.put("scope", OAuthSettings.SCOPE);
    query.put("code_challenge", challenge);
    query.put("code_challenge_method", "S256");
    query.put("state", state);
    query.put("id_token_add_organizations", "true");
    query.put("codex_cli_simplified_flow", "true");
    return settings.issuer() + "/oauth/authorize?" + form(query);
  }

  /** {@code application/x-www-form-urlencoded}, spaces as {@code %20} so it reads the same in a URL. */
  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Never the secrets: a record's default toString would print them. */
  @Override
  public String toString() {
    return "Pkce[...]";
  }
}
