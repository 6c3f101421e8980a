package otterbot.provider.openai.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PkceTest {
  static final OAuthSettings SETTINGS = new OAuthSettings("https://auth.example.test", "app_client", 1455,
      Duration.ofMinutes(10), "https://codex.example.test");

  @Test
  void theVerifierIs64RandomBytesAndTheChallengeItsSha256InBase64UrlWithoutPadding() {
    Pkce a = Pkce.create(new SecureRandom());
    Pkce b = Pkce.create(new SecureRandom());
    assertEquals(86, a.verifier().length()); // base64url of 64 bytes, unpadded
    assertEquals(43, a.state().length()); // base64url of 32 bytes, unpadded
    assertTrue(a.verifier().matches("[A-Za-z0-9_-]+") && a.state().matches("[A-Za-z0-9_-]+"));
    assertNotEquals(a.verifier(), b.verifier());
    assertNotEquals(a.state(), b.state());
    // Known answer, computed with Python's hashlib and base64.urlsafe_b64encode (padding stripped).
    assertEquals("h1gwv3zd3guMV4gIwdYMLbdeLnMLZLWBcRSBxsdOmoI",
        Pkce.challenge("dBjftJeZ4CVP-mJ92K9TcEf9q4nD6NYPThTX9GKw-ro"));
    assertEquals(Pkce.challenge(a.verifier()), a.challenge());
  }

  @Test
  void theAuthorizeUrlCarriesEveryParameterTheCodexCliSends() {
    Pkce pkce = Pkce.create(new SecureRandom());
    String url = pkce.authorizeUrl(SETTINGS);
    assertTrue(url.startsWith("https://auth.example.test/oauth/authorize?"), url);
    Map<String, String> query = Redirect.query(url.substring(url.indexOf('?') + 1));
    assertEquals(List.of("response_type", "client_id", "redirect_uri", "scope", "code_challenge",
        "code_challenge_method", "state", "id_token_add_organizations", "codex_cli_simplified_flow"),
        List.copyOf(query.keySet()));
    assertEquals("code", query.get("response_type"));
    assertEquals("app_client", query.get("client_id"));
    assertEquals("http://localhost:1455/auth/callback", query.get("redirect_uri"));
    assertEquals("openid profile email offline_access", query.get("scope"));
    assertEquals(pkce.challenge(), query.get("code_challenge"));
    assertEquals("S256", query.get("code_challenge_method"));
    assertEquals(pkce.state(), query.get("state"));
    assertEquals("true", query.get("id_token_add_organizations"));
    assertEquals("true", query.get("codex_cli_simplified_flow"));
    assertTrue(url.contains("scope=openid%20profile%20email%20offline_access"), url);
  }

  @Test
  void aPastedRedirectIsReadInAllThreeForms() {
    for (String input : List.of("http://localhost:1455/auth/callback?code=c%2B1&state=s1",
        "  ?code=c%2B1&state=s1 ", "code=c%2B1&state=s1", "state=s1&code=c%2B1#fragment")) {
      Redirect r = Redirect.parse(input);
      assertEquals("c+1", r.code(), input);
      assertEquals("s1", r.state(), input);
      assertNull(r.error());
    }
    assertNull(Redirect.parse("http://localhost:1455/auth/callback?state=s1").code());
    assertNull(Redirect.parse("nonsense").code());
    Redirect denied = Redirect.parse("?error=access_denied&error_description=The+user+said+no&state=s");
    assertEquals("access_denied", denied.error());
    assertEquals("The user said no", denied.errorDescription());
  }

  @Test
  void theAccountIdComesFromTheAuthClaimOfTheIdToken() {
    String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"acct-42\"}}".getBytes());
    assertEquals("acct-42", OAuthTokens.accountId("h." + payload + ".s"));
    assertNull(OAuthTokens.accountId("not-a-jwt"));
    assertNull(OAuthTokens.accountId("h.!!!.s"));
  }

  @Test
  void badSettingsFailWithTheKeyNamed() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> OAuthSettings.of(config("ftp://x", 1455)));
    assertTrue(e.getMessage().startsWith("oauthIssuer"), e.getMessage());
    e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> OAuthSettings.of(config("https://auth.openai.com", 0)));
    assertTrue(e.getMessage().startsWith("oauthCallbackPort"), e.getMessage());
    assertEquals("https://auth.openai.com", OAuthSettings.of(config("https://auth.openai.com/", 1455)).issuer());
  }

  static OpenAiConfiguration config(String issuer, int port) {
    return config(issuer, port, OAuthSettings.DEFAULT_CODEX_BASE_URL, 600);
  }

  static OpenAiConfiguration config(String issuer, int port, String codex, int timeoutSeconds) {
    return new OpenAiConfiguration() {
      @Override
      public Class<? extends java.lang.annotation.Annotation> annotationType() {
        return OpenAiConfiguration.class;
      }

      @Override
      public String oauthIssuer() {
        return issuer;
      }

      @Override
      public String oauthClientId() {
        return OAuthSettings.DEFAULT_CLIENT_ID;
      }

      @Override
      public int oauthCallbackPort() {
        return port;
      }

      @Override
      public int oauthLoginTimeoutSeconds() {
        return timeoutSeconds;
      }

      @Override
      public String codexBaseUrl() {
        return codex;
      }
    };
  }
}
