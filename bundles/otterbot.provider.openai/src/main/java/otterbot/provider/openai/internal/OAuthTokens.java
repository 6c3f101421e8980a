package otterbot.provider.openai.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.provider.support.Json;

/**
 * The stored token bundle, upstream's {@code {accessToken, refreshToken, idToken, accountId, expiresAt}}.
 *
 * @param refreshToken null once it was sent in a refresh that failed: the issuer may have seen it, so it is never sent
 *     again
 * @param expiresAt epoch milliseconds
 */
record OAuthTokens(String accessToken, String refreshToken, String idToken, String accountId, long expiresAt) {
  static final String AUTH_CLAIM = "https://api.openai.com/auth";
  static final long DEFAULT_EXPIRES_IN = 3600;

  /**
   * The bundle from a token endpoint answer: a missing refresh token keeps {@code previous}'s, a missing
   * {@code expires_in} means an hour, a missing id token keeps the previous account.
   *
   * @return null when the answer has no access token
   */
  static OAuthTokens from(JsonNode answer, OAuthTokens previous, long now) {
    String access = text(answer, "access_token");
    if (access == null) {
      return null;
    }
    String refresh = text(answer, "refresh_token");
    String id = text(answer, "id_token");
    long expiresIn = answer.path("expires_in").canConvertToLong() && answer.path("expires_in").asLong() > 0
        ? answer.path("expires_in").asLong() : DEFAULT_EXPIRES_IN;
    String accountId = id == null ? null : accountId(id);
    if (previous != null) {
      refresh = refresh == null ? previous.refreshToken() : refresh;
      accountId = id == null ? previous.accountId() : accountId;
      id = id == null ? previous.idToken() : id;
    }
    return new OAuthTokens(access, refresh, id, accountId, now + expiresIn * 1000);
  }

  /**
   * The {@code chatgpt_account_id} in the {@value #AUTH_CLAIM} claim of an id token's payload, read without checking
   * the signature (as the Codex CLI does: it only names the account for a header), or null.
   */
  static String accountId(String idToken) {
    String[] parts = idToken.split("\\.");
    if (parts.length < 2) {
      return null;
    }
    try {
      String payload = new String(Base64.getUrlDecoder().decode(parts[1].replace('+', '-').replace('/', '_')
          .replace("=", "")), StandardCharsets.UTF_8);
      JsonNode claims = Json.parseOrNull(payload);
      return claims == null ? null : claims.path(AUTH_CLAIM).path("chatgpt_account_id").textValue();
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
  }

  OAuthTokens withoutRefreshToken() {
    return new OAuthTokens(accessToken, null, idToken, accountId, expiresAt);
  }

  String toJson() {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("accessToken", accessToken);
    json.put("refreshToken", refreshToken);
    json.put("idToken", idToken);
    json.put("accountId", accountId);
    json.put("expiresAt", expiresAt);
    return json.toString();
  }

  /** The stored form; null for nothing, an empty value (upstream's signed-out {@code ""}) or something unreadable. */
  static OAuthTokens fromJson(String stored) {
    JsonNode json = Json.parseOrNull(stored);
    if (json == null || text(json, "accessToken") == null) {
      return null;
    }
    return new OAuthTokens(text(json, "accessToken"), text(json, "refreshToken"), text(json, "idToken"),
        text(json, "accountId"), json.path("expiresAt").asLong(0));
  }

  private static String text(JsonNode json, String field) {
    String value = json.path(field).textValue();
    return value == null || value.isEmpty() ? null : value;
  }

  /** Never the tokens. */
  @Override
  public String toString() {
    return "OAuthTokens[accountId=" + accountId + ", expiresAt=" + expiresAt + "]";
  }
}
