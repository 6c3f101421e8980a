package otterbot.provider.openai.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.auth.SignInStatus;
import otterbot.api.provider.ProviderException;
import otterbot.testsupport.FakeOAuthIssuer;

class ChatGptAccountTest {
  static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();

  FakeOAuthIssuer issuer;
  MemoryVault vault = new MemoryVault();
  MutableClock clock = new MutableClock();
  int port;
  ChatGptAccount account;

  @BeforeEach
  void start() throws IOException {
    issuer = FakeOAuthIssuer.start();
    port = freePort();
    account = account();
  }

  ChatGptAccount account() {
    return new ChatGptAccount(vault, OAuthSettings.of(PkceTest.config(issuer.issuer(), port,
        "http://127.0.0.1:1/codex", 600)), clock);
  }

  @AfterEach
  void stop() throws InterruptedException {
    account.deactivate();
    issuer.close();
    issuer.assertNoRefreshTokenReused();
    // Deactivation leaves no thread of ours behind (the listener's event loop, the token requests' pool).
    await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("otterbot-chatgpt-")));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Opens the authorize URL as a browser would, without following the issuer's redirect. */
  static String consent(String authUrl) throws Exception {
    HttpResponse<String> answer = BROWSER.send(HttpRequest.newBuilder(URI.create(authUrl)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(302, answer.statusCode(), answer.body());
    return answer.headers().firstValue("location").orElseThrow();
  }

  static HttpResponse<String> get(String url) throws Exception {
    return BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  SignInStatus signIn() throws Exception {
    HttpResponse<String> page = get(consent(account.beginLogin()));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("Signed in to ChatGPT \u2713"), page.body());
    return account.status();
  }

  @Test
  void theBrowserFlowConnectsTheAccountAndSealsTheTokensInTheVault() throws Exception {
    assertEquals(SignInStatus.DISCONNECTED, account.status());
    String authUrl = account.beginLogin();
    assertTrue(account.status().pending());
    String callback = consent(authUrl);
    assertTrue(callback.startsWith("http://localhost:" + port + "/auth/callback?code="), callback);
    HttpResponse<String> page = get(callback);
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(null));
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(null));
    assertEquals("no-store", page.headers().firstValue("cache-control").orElse(null));
    assertTrue(page.body().contains("Signed in to ChatGPT \u2713"), page.body());

    SignInStatus status = account.status();
    assertTrue(status.connected());
    assertEquals(issuer.accountId(), status.accountId());
    assertEquals(clock.millis() + 3_600_000, status.expiresAt());
    assertFalse(status.pending());
    assertNull(status.lastError());
    assertEquals(1, issuer.codeExchanges());
    String stored = vault.values.get(ChatGptAccount.VAULT_NAME);
    OAuthTokens tokens = OAuthTokens.fromJson(stored);
    assertTrue(issuer.isCurrentAccessToken(tokens.accessToken()));
    assertEquals(issuer.accountId(), tokens.accountId());

    // The listener is gone after its one callback.
    awaitRefused(port);
    // A restart reads the tokens back.
    account.deactivate();
    account = account();
    assertTrue(account.status().connected());
    assertEquals(tokens.accessToken(), account.credentials().accessToken());

    account.signOut();
    assertEquals(SignInStatus.DISCONNECTED, account.status());
    assertFalse(vault.values.containsKey(ChatGptAccount.VAULT_NAME));
    ProviderException e = assertThrows(ProviderException.class, account::credentials);
    assertEquals("OpenAI OAuth is selected but no ChatGPT account is connected", e.getMessage());
  }

  @Test
  void aPastedRedirectCompletesTheSignInAndBadOnesAreRefusedInUpstreamsWords() throws Exception {
    assertEquals("no login is in progress — start sign-in first",
        assertThrows(OtterbotException.class, () -> account.complete("code=x&state=y")).getMessage());
    String redirected = consent(account.beginLogin());
    assertEquals("could not find an authorization code in that input",
        assertThrows(OtterbotException.class, () -> account.complete("http://localhost/?state=x")).getMessage());
    OtterbotException mismatch = assertThrows(OtterbotException.class,
        () -> account.complete(redirected.replaceFirst("state=[^&]+", "state=wrong")));
    assertEquals("state mismatch — paste the URL from this sign-in attempt", mismatch.getMessage());
    assertEquals(OtterbotException.Kind.INVALID, mismatch.kind());
    assertTrue(account.status().pending(), "a wrong paste keeps the sign-in going");

    SignInStatus status = account.complete(redirected.substring(redirected.indexOf('?')));
    assertTrue(status.connected());
    assertEquals(issuer.accountId(), status.accountId());
    awaitRefused(port);
  }

  @Test
  void deniedConsentFailsTheSignInWithTheIssuersWords() throws Exception {
    issuer.denyConsent(true);
    HttpResponse<String> page = get(consent(account.beginLogin()));
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("Sign-in failed: The user denied the request"), page.body());
    SignInStatus status = account.status();
    assertFalse(status.connected());
    assertFalse(status.pending());
    assertEquals("The user denied the request", status.lastError());
    assertEquals(0, issuer.codeExchanges());
    awaitRefused(port);
  }

  /**
   * Any web page can navigate the browser to the listener. Without this sign-in's state, neither an {@code error} nor a
   * code may end or complete it: the page says so, the listener stays, and the issuer's real redirect still works.
   */
  @Test
  void aCallbackWithoutTheSignInsStateNeitherCancelsNorCompletesIt() throws Exception {
    String redirected = consent(account.beginLogin());
    String callback = "http://localhost:" + port + "/auth/callback";
    for (String query : new String[] {"?error=access_denied&state=wrong", "?error=access_denied",
        "?code=code-of-the-attacker&state=wrong", "?code=code-of-the-attacker"}) {
      HttpResponse<String> page = get(callback + query);
      assertEquals(400, page.statusCode(), query);
      assertTrue(page.body().contains("state mismatch"), page.body());
      assertTrue(account.status().pending(), query);
      assertNull(account.status().lastError(), query);
    }
    assertEquals(0, issuer.codeExchanges());
    HttpResponse<String> page = get(redirected);
    assertTrue(page.body().contains("Signed in to ChatGPT \u2713"), page.body());
    assertTrue(account.status().connected());
    awaitRefused(port);
  }

  @Test
  void anExpiredCodeIsRefusedByTheIssuerAndSaidSoWithoutSecrets() throws Exception {
    String redirected = consent(account.beginLogin());
    issuer.expireCodes();
    OtterbotException e = assertThrows(OtterbotException.class, () -> account.complete(redirected));
    assertTrue(e.getMessage().startsWith("token exchange failed: 400 "), e.getMessage());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
    for (String secret : issuer.issuedSecrets()) {
      assertFalse(e.getMessage().contains(secret), e.getMessage());
    }
    assertFalse(account.status().connected());
    assertEquals(e.getMessage(), account.status().lastError());
  }

  @Test
  void aTakenPortIsAClearConflict() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      OtterbotException e = assertThrows(OtterbotException.class, account::beginLogin);
      assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
      assertTrue(e.getMessage().startsWith("127.0.0.1:" + port + " is in use by another program"), e.getMessage());
      assertFalse(account.status().pending());
    }
    signIn(); // free again: works
  }

  @Test
  void anAbandonedSignInTimesOutAndClosesItsListener() throws Exception {
    account.deactivate();
    account = new ChatGptAccount(vault, OAuthSettings.of(PkceTest.config(issuer.issuer(), port,
        "http://127.0.0.1:1/codex", 1)), clock);
    account.beginLogin();
    assertTrue(account.status().pending());
    await(() -> !account.status().pending());
    assertEquals("the sign-in timed out after 1 s; start it again", account.status().lastError());
    awaitRefused(port);
    assertEquals("no login is in progress — start sign-in first",
        assertThrows(OtterbotException.class, () -> account.complete("code=a&state=b")).getMessage());
  }

  @Test
  void theListenerAnswersOnlyTheCallbackForLocalhost() throws Exception {
    account.beginLogin();
    assertEquals(404, get("http://127.0.0.1:" + port + "/other").statusCode());
    String answer = raw(port, "GET /auth/callback?code=x&state=y HTTP/1.1\r\nHost: attacker.example:" + port
        + "\r\nConnection: close\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(account.status().pending(), "a refused request must not end the sign-in");
  }

  @Test
  void twoCallersNeedingARefreshExchangeTheTokenOnce() throws Exception {
    issuer.expiresIn(60); // less than the five-minute margin: the first use refreshes
    signIn();
    String first = OAuthTokens.fromJson(vault.values.get(ChatGptAccount.VAULT_NAME)).refreshToken();
    // The new tokens are short-lived too: the waiting caller must take them rather than refresh once more.
    issuer.holdRefreshes();
    AtomicReference<Object> one = new AtomicReference<>();
    AtomicReference<Object> two = new AtomicReference<>();
    Thread a = new Thread(() -> one.set(credentialsOrFailure()));
    a.start();
    await(() -> issuer.refreshes() == 1);
    Thread b = new Thread(() -> two.set(credentialsOrFailure()));
    b.start();
    await(() -> b.getState() == Thread.State.BLOCKED); // waiting for the refresh in flight
    issuer.releaseRefreshes();
    a.join(20_000);
    b.join(20_000);
    assertTrue(one.get() instanceof CodexAccess.Credentials, String.valueOf(one.get()));
    assertEquals(((CodexAccess.Credentials) one.get()).accessToken(),
        ((CodexAccess.Credentials) two.get()).accessToken());
    assertEquals(1, issuer.refreshes());
    assertTrue(issuer.isCurrentAccessToken(((CodexAccess.Credentials) one.get()).accessToken()));
    OAuthTokens stored = OAuthTokens.fromJson(vault.values.get(ChatGptAccount.VAULT_NAME));
    assertNotEquals(first, stored.refreshToken(), "the rotated refresh token is stored");
    assertEquals(((CodexAccess.Credentials) one.get()).accessToken(), stored.accessToken());
    assertEquals(issuer.accountId(), stored.accountId(), "a refresh without id token keeps the account");
  }

  @Test
  void aTokenTheBackendRefusedIsRefreshedBeforeItsNextUse() throws Exception {
    signIn(); // an hour left: no refresh needed by time
    String first = account.credentials().accessToken();
    assertEquals(first, account.credentials().accessToken());
    assertEquals(0, issuer.refreshes());
    account.rejected("some other token"); // not ours: nothing changes
    assertEquals(first, account.credentials().accessToken());
    account.rejected(first);
    String second = account.credentials().accessToken();
    assertNotEquals(first, second);
    assertEquals(1, issuer.refreshes());
    assertEquals(second, account.credentials().accessToken(), "the new token is not refused");
    assertEquals(1, issuer.refreshes());
  }

  @Test
  void aRefusedRefreshDisconnectsAndIsNeverRetried() throws Exception {
    issuer.expiresIn(60);
    signIn();
    issuer.revokeRefreshTokens();
    ProviderException e = assertThrows(ProviderException.class, account::credentials);
    assertTrue(e.getMessage().startsWith("OpenAI OAuth is selected but no ChatGPT account is connected (token "
        + "refresh failed: 400 "), e.getMessage());
    assertFalse(account.status().connected());
    assertTrue(account.status().lastError().contains("sign in again"));
    assertThrows(ProviderException.class, account::credentials);
    assertEquals(1, issuer.refreshes());
  }

  @Test
  void aRefreshTheIssuerMayHaveSeenIsNotSentAgain() throws Exception {
    issuer.expiresIn(60);
    signIn();
    String access = account.status().connected() ? OAuthTokens.fromJson(
        vault.values.get(ChatGptAccount.VAULT_NAME)).accessToken() : null;
    issuer.close(); // unreachable now: did it see the token? We cannot know.
    assertEquals(access, account.credentials().accessToken(), "still valid for a minute: used as it is");
    assertNull(OAuthTokens.fromJson(vault.values.get(ChatGptAccount.VAULT_NAME)).refreshToken(),
        "the refresh token is dropped, also on disk");
    clock.advance(Duration.ofSeconds(61));
    ProviderException e = assertThrows(ProviderException.class, account::credentials);
    assertTrue(e.getMessage().contains("sign in again"), e.getMessage());
    assertFalse(account.status().connected());
  }

  private Object credentialsOrFailure() {
    try {
      return account.credentials();
    } catch (ProviderException e) {
      return e.getMessage();
    }
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the condition did not come true within 20 s");
      }
      Thread.sleep(10);
    }
  }

  static void awaitRefused(int port) throws InterruptedException {
    await(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return false;
      } catch (IOException refused) {
        return true;
      }
    });
  }

  static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
