package otterbot.testsupport;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/**
 * A fake OAuth issuer on loopback, shaped like {@code auth.openai.com} for the Codex CLI's flow (authorization code +
 * PKCE S256, then refresh-token rotation).
 *
 * <ul>
 *   <li>{@code GET /oauth/authorize}: "consents" at once, answering a 302 to the {@code redirect_uri} with a code and
 *       the state, or with {@code error=access_denied} after {@link #denyConsent(boolean)}.
 *   <li>{@code POST /oauth/token}: {@code authorization_code} (codes are single-use, expire, and must match the
 *       client, the redirect URI and the PKCE challenge) and {@code refresh_token} (each refresh token is good for one
 *       use; the answer rotates it). Failures are {@code 400 {"error":"invalid_grant",...}}.
 * </ul>
 *
 * <p>It records every refresh token it receives. A refresh token presented twice is a bug in the client:
 * {@link #assertNoRefreshTokenReused()} then fails the test. Access tokens live {@link #expiresIn(long)} seconds, so a
 * test can make a refresh happen; an access token replaced by a refresh stops being {@link #isCurrentAccessToken valid}.
 */
public final class FakeOAuthIssuer implements AutoCloseable {
  public static final String CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann";
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Code(String clientId, String redirectUri, String challenge, long expiresAtNanos) {}

  private final LoopbackHttp http;
  private final String accountId;
  private final Map<String, Code> codes = new ConcurrentHashMap<>();
  private final Set<String> liveRefreshTokens = ConcurrentHashMap.newKeySet();
  private final Set<String> seenRefreshTokens = ConcurrentHashMap.newKeySet();
  private final Set<String> currentAccessTokens = ConcurrentHashMap.newKeySet();
  private final List<String> reused = new CopyOnWriteArrayList<>();
  private final List<String> issued = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> authorizeQueries = new CopyOnWriteArrayList<>();
  private final AtomicInteger codeExchanges = new AtomicInteger();
  private final AtomicInteger refreshes = new AtomicInteger();
  private volatile long expiresIn = 3600;
  private volatile boolean deny;
  private volatile Duration codeLifetime = Duration.ofMinutes(5);
  private volatile CountDownLatch refreshGate;

  private FakeOAuthIssuer(String accountId) throws IOException {
    this.accountId = accountId;
    this.http = new LoopbackHttp("fake-oauth-issuer", this::handle);
  }

  /** Starts an issuer on a free loopback port whose id tokens name a random ChatGPT account. */
  public static FakeOAuthIssuer start() throws IOException {
    return new FakeOAuthIssuer("acct-" + random(6));
  }

  /** The issuer URL, {@code http://127.0.0.1:<port>}, for {@code oauthIssuer}. */
  public String issuer() {
    return http.baseUrl();
  }

  /** The account id the id tokens carry. */
  public String accountId() {
    return accountId;
  }

  /** The {@code expires_in} of tokens issued from now on, in seconds. */
  public FakeOAuthIssuer expiresIn(long seconds) {
    this.expiresIn = seconds;
    return this;
  }

  /** Whether the next authorizations are refused ({@code error=access_denied}). */
  public FakeOAuthIssuer denyConsent(boolean deny) {
    this.deny = deny;
    return this;
  }

  /** Makes every refresh token issued so far unknown (as if the user revoked the sessions elsewhere). */
  public void revokeRefreshTokens() {
    liveRefreshTokens.clear();
  }

  /** Makes every authorization code issued so far (and not yet used) expired. */
  public void expireCodes() {
    codes.replaceAll((code, c) -> new Code(c.clientId(), c.redirectUri(), c.challenge(), System.nanoTime() - 1));
  }

  /**
   * Holds refresh answers until {@link #releaseRefreshes()}: lets a test have a refresh in flight while it starts more
   * work. At most {@code maxWait} per held request, so a test that forgets to release does not hang.
   */
  public void holdRefreshes() {
    refreshGate = new CountDownLatch(1);
  }

  public void releaseRefreshes() {
    CountDownLatch gate = refreshGate;
    refreshGate = null;
    if (gate != null) {
      gate.countDown();
    }
  }

  /** The query parameters of every {@code /oauth/authorize} request, in order. */
  public List<Map<String, String>> authorizeQueries() {
    return List.copyOf(authorizeQueries);
  }

  public int codeExchanges() {
    return codeExchanges.get();
  }

  /** How many refresh requests arrived (good or bad). */
  public int refreshes() {
    return refreshes.get();
  }

  /** Every code and token this issuer handed out: none may show up in an API answer or a log. */
  public List<String> issuedSecrets() {
    return List.copyOf(issued);
  }

  /** Whether {@code token} is an access token issued here and not replaced by a refresh since. */
  public boolean isCurrentAccessToken(String token) {
    return token != null && currentAccessTokens.contains(token);
  }

  /** Fails (with an {@link AssertionError}) when any refresh token was presented twice. */
  public void assertNoRefreshTokenReused() {
    if (!reused.isEmpty()) {
      throw new AssertionError("a refresh token was presented to the issuer " + (reused.size() + 1)
          + " times or more (never send a refresh token twice)");
    }
  }

  @Override
  public void close() {
    releaseRefreshes();
    http.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    RecordedRequest request = LoopbackHttp.record(exchange);
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/oauth/authorize") && request.method().equals("GET")) {
      authorize(exchange);
    } else if (path.equals("/oauth/token") && request.method().equals("POST")) {
      token(exchange, LoopbackHttp.form(request.rawBody()));
    } else {
      LoopbackHttp.json(exchange, 404, Map.of("error", "not_found"));
    }
  }

  private void authorize(HttpExchange exchange) throws IOException {
    Map<String, String> query = LoopbackHttp.form(exchange.getRequestURI().getRawQuery());
    authorizeQueries.add(query);
    String redirect = query.get("redirect_uri");
    if (redirect == null || !"code".equals(query.get("response_type")) || !CLIENT_ID.equals(query.get("client_id"))
        || !"S256".equals(query.get("code_challenge_method")) || query.get("code_challenge") == null) {
      LoopbackHttp.json(exchange, 400, Map.of("error", "invalid_request"));
      return;
    }
    String state = query.getOrDefault("state", "");
    if (deny) {
      LoopbackHttp.redirect(exchange, redirect + "?error=access_denied&error_description="
          + encode("The user denied the request") + "&state=" + encode(state));
      return;
    }
    String code = "code-" + random(16);
    codes.put(code, new Code(query.get("client_id"), redirect, query.get("code_challenge"),
        System.nanoTime() + codeLifetime.toNanos()));
    issued.add(code);
    LoopbackHttp.redirect(exchange, redirect + "?code=" + encode(code) + "&state=" + encode(state));
  }

  private void token(HttpExchange exchange, Map<String, String> form) throws IOException {
    if (!CLIENT_ID.equals(form.get("client_id"))) {
      invalid(exchange, "invalid_client", "unknown client");
      return;
    }
    switch (form.getOrDefault("grant_type", "")) {
      case "authorization_code" -> {
        codeExchanges.incrementAndGet();
        Code code = form.get("code") == null ? null : codes.remove(form.get("code"));
        if (code == null) {
          invalid(exchange, "invalid_grant", "the authorization code is unknown or was used already");
        } else if (System.nanoTime() - code.expiresAtNanos() > 0) {
          invalid(exchange, "invalid_grant", "the authorization code has expired");
        } else if (!code.redirectUri().equals(form.get("redirect_uri"))) {
          invalid(exchange, "invalid_grant", "redirect_uri does not match");
        } else if (!code.challenge().equals(challenge(form.getOrDefault("code_verifier", "")))) {
          invalid(exchange, "invalid_grant", "code_verifier does not match the code_challenge");
        } else {
          LoopbackHttp.json(exchange, 200, tokens(true));
        }
      }
      case "refresh_token" -> {
        refreshes.incrementAndGet();
        String token = form.getOrDefault("refresh_token", "");
        if (!seenRefreshTokens.add(token)) {
          reused.add(token);
          invalid(exchange, "invalid_grant", "refresh token reused");
          return;
        }
        if (!liveRefreshTokens.remove(token) || !"openid profile email offline_access".equals(form.get("scope"))) {
          invalid(exchange, "invalid_grant", "unknown refresh token or scope");
          return;
        }
        CountDownLatch gate = refreshGate;
        if (gate != null) {
          try {
            gate.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        currentAccessTokens.clear();
        LoopbackHttp.json(exchange, 200, tokens(false));
      }
      default -> invalid(exchange, "unsupported_grant_type", "unsupported grant type");
    }
  }

  private Map<String, Object> tokens(boolean withIdToken) {
    String access = "at-" + random(16);
    String refresh = "rt-" + random(16);
    currentAccessTokens.add(access);
    liveRefreshTokens.add(refresh);
    issued.add(access);
    issued.add(refresh);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("access_token", access);
    answer.put("refresh_token", refresh);
    if (withIdToken) {
      String id = idToken();
      issued.add(id);
      answer.put("id_token", id);
    }
    answer.put("token_type", "Bearer");
    answer.put("expires_in", expiresIn);
    return answer;
  }

  /** A JWT-shaped id token (not signed: the client reads the payload only) with the ChatGPT account claim. */
  private String idToken() {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String header = url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = url.encodeToString(("{\"email\":\"otter@example.test\",\"https://api.openai.com/auth\":"
        + "{\"chatgpt_account_id\":\"" + accountId + "\"},\"nonce\":\"" + random(8) + "\"}")
        .getBytes(StandardCharsets.UTF_8));
    return header + "." + payload + ".sig" + random(8);
  }

  private static void invalid(HttpExchange exchange, String error, String description) throws IOException {
    LoopbackHttp.json(exchange, 400, Map.of("error", error, "error_description", description));
  }

  static String challenge(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The refresh tokens presented more than once (should stay empty). */
  public List<String> reusedRefreshTokens() {
    return new ArrayList<>(reused);
  }
}
