package otterbot.provider.openai.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.provider.support.BoundedBody;
import otterbot.provider.support.Failures;
import otterbot.provider.support.Json;

/**
 * {@code POST <issuer>/oauth/token}: the code exchange and the refresh. Neither the form (it holds the code, the
 * verifier or the refresh token) nor the answer (it holds tokens) is ever logged; a failure message quotes the
 * issuer's body only after masking every secret of the exchange and every token-like field.
 */
final class TokenEndpoint {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_BODY_IN_MESSAGE = 300;
  /** A token answer is a few KiB (three tokens and their lifetimes); more is not an issuer we can trust. */
  static final int MAX_ANSWER = 256 * 1024;
  private static final Pattern TOKEN_FIELDS = Pattern.compile(
      "(\"(?:access_token|refresh_token|id_token|code|code_verifier)\"\\s*:\\s*)\"[^\"]*\"");

  /** A token request that did not give tokens. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    /** The issuer refused the grant itself ({@code invalid_grant}): the code or refresh token is dead. */
    final boolean invalidGrant;

    Failure(String message, boolean invalidGrant) {
      super(message, null, false, false);
      this.invalidGrant = invalidGrant;
    }
  }

  private final OAuthSettings settings;
  private final ExecutorService executor;
  /** Created on first use: an HttpClient starts a selector thread at once, and most servers never sign in. */
  private HttpClient client;
  private boolean closed;

  TokenEndpoint(OAuthSettings settings) {
    this.settings = settings;
    AtomicInteger threads = new AtomicInteger();
    // Token requests are rare and short; four threads and a bounded queue are plenty.
    ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(64),
        task -> {
          Thread thread = new Thread(task, "otterbot-chatgpt-token-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
  }

  private synchronized HttpClient client() throws Failure {
    if (closed) {
      throw new Failure("the ChatGPT sign-in is stopping", false);
    }
    if (client == null) {
      client = HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .executor(executor)
          .build();
    }
    return client;
  }

  /** Exchanges an authorization code (with its PKCE verifier) for tokens. */
  OAuthTokens exchange(String code, Pkce pkce, long now) throws Failure {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("client_id", settings.clientId());
    form.put("code", code);
    form.put("redirect_uri", settings.redirectUri());
    form.put("code_verifier", pkce.verifier());
    return post("token exchange failed", form, null, now, List.of(code, pkce.verifier()));
  }

  /** Exchanges a refresh token for new tokens. */
  OAuthTokens refresh(OAuthTokens current, long now) throws Failure {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("client_id", settings.clientId());
    form.put("refresh_token", current.refreshToken());
    form.put("scope", OAuthSettings.SCOPE);
    return post("token refresh failed", form, current, now,
        List.of(current.refreshToken(), current.accessToken(), String.valueOf(current.idToken())));
  }

  private OAuthTokens post(String what, Map<String, String> form, OAuthTokens previous, long now,
      List<String> secrets) throws Failure {
    HttpRequest request = HttpRequest.newBuilder(URI.create(settings.issuer() + "/oauth/token"))
        .timeout(TIMEOUT)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Pkce.form(form), StandardCharsets.UTF_8))
        .build();
    HttpResponse<String> response;
    try {
      response = client().send(request, BoundedBody.ofString(MAX_ANSWER));
    } catch (IOException e) {
      // The exception's text, not the request: a connection error, or an answer over MAX_ANSWER.
      throw new Failure(what + ": cannot reach " + settings.issuer() + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failure(what + ": interrupted", false);
    }
    JsonNode body = Json.parseOrNull(response.body());
    if (response.statusCode() / 100 != 2) {
      boolean invalidGrant = body != null && "invalid_grant".equals(body.path("error").textValue());
      throw new Failure(what + ": " + response.statusCode() + " " + clean(response.body(), secrets), invalidGrant);
    }
    OAuthTokens tokens = body == null ? null : OAuthTokens.from(body, previous, now);
    if (tokens == null) {
      throw new Failure(what + ": the answer has no access_token", false);
    }
    return tokens;
  }

  /** The issuer's body for a message: our secrets and any token field masked, on one line, at most 300 characters. */
  static String clean(String body, List<String> secrets) {
    String text = body == null ? "" : body;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 4) {
        text = text.replace(secret, "[redacted]");
      }
    }
    text = TOKEN_FIELDS.matcher(text).replaceAll("$1\"[redacted]\"").strip().replaceAll("\\s+", " ");
    return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE);
  }

  /** Stops the client's threads; on Java 17 the client itself cannot be shut down and goes once unreachable. */
  void close() {
    synchronized (this) {
      closed = true;
      client = null;
    }
    executor.shutdownNow();
  }

  /** The reason phrase for a status, for messages; empty when not a usual one. */
  static String reason(int status) {
    String reason = Failures.reason(status);
    return reason == null ? "" : reason;
  }
}
