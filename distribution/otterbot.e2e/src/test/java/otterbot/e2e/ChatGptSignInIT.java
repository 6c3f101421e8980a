package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.marker;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeCodexBackend;
import otterbot.testsupport.FakeOAuthIssuer;

/**
 * ChatGPT sign-in end to end (upstream-behaviour §4.10, §11.3, §14), against a fake issuer and a fake Codex backend on
 * loopback, in one server start: login → the browser's consent at the issuer → its redirect to the callback listener
 * → connected → {@code authMethod "oauth"} → a chat streamed from the Codex backend (which checks the headers and
 * {@code store:false}) → a turn that needs a refresh refreshes once → two turns needing one at once exchange once →
 * sign-out → chat says not connected. And the failures: a taken callback port (409), a cross-origin login (403),
 * denied consent, an expired code, a state mismatch; the fake issuer fails the test if a refresh token is ever sent
 * twice. No token or code appears in any API answer, the server log or, in clear, any file of the home.
 */
class ChatGptSignInIT {
  static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(10)).build();
  static final Duration WITHIN = Duration.ofSeconds(20);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  /** Opens the authorize URL as a browser would and returns where the issuer redirects it. */
  static String consent(String authUrl) throws Exception {
    HttpResponse<String> answer = BROWSER.send(HttpRequest.newBuilder(URI.create(authUrl)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(302, answer.statusCode(), answer.body());
    return answer.headers().firstValue("location").orElseThrow();
  }

  static HttpResponse<String> browse(String url) throws Exception {
    return BROWSER.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void signInChatRefreshAndSignOut() throws Exception {
    List<String> answers = new ArrayList<>();
    int callbackPort = ServerProcess.freePort();
    try (FakeOAuthIssuer issuer = FakeOAuthIssuer.start(); FakeCodexBackend codex = FakeCodexBackend.start(issuer)) {
      Path home = ServerProcess.withConfig(tmp.resolve("home"), "otterbot.provider.openai",
          "oauthIssuer=" + issuer.issuer(), "oauthCallbackPort=" + callbackPort, "codexBaseUrl=" + codex.baseUrl());
      ServerProcess server = ServerProcess.start(home);
      try {
        Http http = server.http();

        // A fresh install: not connected, upstream's shape.
        Http.Response fresh = http.get("/api/auth/openai/status");
        assertEquals(Http.json("{\"connected\":false,\"accountId\":null,\"expiresAt\":null,\"pending\":false,"
            + "\"lastError\":null}"), http.expect(fresh, 200));

        // A cross-origin page cannot start a sign-in.
        Http.Response foreign = http.withHeader("Origin", "http://evil.example").post("/api/auth/openai/login", "{}");
        assertEquals(403, foreign.status(), () -> server.explain(foreign));

        // The callback port is taken (another sign-in, the Codex CLI): a clear 409.
        try (ServerSocket taken = new ServerSocket()) {
          taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), callbackPort));
          Http.Response busy = http.post("/api/auth/openai/login", "{}");
          JsonNode error = http.expect(busy, 409);
          assertTrue(error.path("error").asText().startsWith("127.0.0.1:" + callbackPort
              + " is in use by another program"), () -> server.explain(busy));
        }

        // Denied consent: the callback page says so, and so does the status.
        issuer.denyConsent(true);
        HttpResponse<String> denied = browse(consent(login(http, answers)));
        assertEquals(200, denied.statusCode());
        assertTrue(denied.body().contains("Sign-in failed: The user denied the request"), denied.body());
        assertEquals("text/html; charset=utf-8", denied.headers().firstValue("content-type").orElse(null));
        JsonNode afterDenial = status(http, answers);
        assertFalse(afterDenial.path("connected").asBoolean());
        assertEquals("The user denied the request", afterDenial.path("lastError").asText());
        issuer.denyConsent(false);

        // An expired code: the issuer refuses the exchange; /complete answers 400 {ok:false}.
        String stale = consent(login(http, answers));
        issuer.expireCodes();
        Http.Response expired = http.post("/api/auth/openai/complete", Http.JSON.createObjectNode().put("url", stale));
        answers.add(expired.body());
        JsonNode expiredBody = http.expect(expired, 400);
        assertFalse(expiredBody.path("ok").asBoolean(true), () -> server.explain(expired));
        assertTrue(expiredBody.path("error").asText().startsWith("token exchange failed: 400"),
            () -> server.explain(expired));

        // A state mismatch, then the right redirect through the listener: connected. Tokens live a minute, so every
        // model call has to refresh first (less than five minutes left).
        issuer.expiresIn(60);
        String redirected = consent(login(http, answers));
        Http.Response mismatch = http.post("/api/auth/openai/complete",
            Http.JSON.createObjectNode().put("url", redirected.replaceFirst("state=[^&]+", "state=forged")));
        answers.add(mismatch.body());
        assertEquals(Http.json("{\"ok\":false,\"error\":\"state mismatch — paste the URL from this sign-in attempt\"}"),
            http.expect(mismatch, 400));
        HttpResponse<String> page = browse(redirected);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Signed in to ChatGPT \u2713"), page.body());
        JsonNode connected = status(http, answers);
        assertTrue(connected.path("connected").asBoolean(), connected::toString);
        assertEquals(issuer.accountId(), connected.path("accountId").asText());
        assertTrue(connected.path("expiresAt").isNumber(), connected::toString);
        assertEquals(2, issuer.codeExchanges(), "one exchange for the expired code, one for this sign-in");

        // ChatGPT sign-in for the openai provider, the default chat model on it, and a second agent.
        ObjectNode settings = (ObjectNode) http.expect(http.get("/api/settings/global"), 200);
        settings.putObject("defaultChatModel").put("provider", "openai").put("modelId", "gpt-5.4");
        ((ObjectNode) settings.path("providers").path("openai")).put("authMethod", "oauth");
        Http.Response put = http.put("/api/settings/global", settings);
        assertEquals("oauth", http.expect(put, 200).path("providers").path("openai").path("authMethod").asText(),
            () -> server.explain(put));
        answers.add(put.body());
        Http.Response created = http.post("/api/agents", "{\"displayName\":\"Codex Helper\"}");
        String helper = http.expect(created, 200).path("id").asText();

        try (NodeChat node = NodeChat.connect(server, "websocket", 2)) {
          ChatClient one = node.socket(0);
          ChatClient two = node.socket(1);
          one.join("coo", null);
          two.join(helper, null);

          // The first turn refreshes once (the sign-in's token has a minute left) and streams from the backend.
          int before = issuer.refreshes();
          ChatClient.Reply reply = one.chat("coo", marker("first")).withoutErrors();
          assertEquals("Hello from Codex", reply.text(), reply::explain);
          assertEquals(List.of("Hello", " from", " Codex"), reply.tokens(), reply::explain);
          assertEquals(before + 1, issuer.refreshes(), "one refresh for the turn");
          assertTrue(codex.requests().stream().allMatch(r -> !r.body().path("store").asBoolean(true)));

          // Two turns at once, both needing a refresh: the refresh is held at the issuer while the second turn
          // starts, and exchanged once.
          int held = issuer.refreshes();
          issuer.holdRefreshes();
          int fromOne = one.send("coo", marker("second"));
          server.eventually("the first refresh reaches the issuer", WITHIN, () -> issuer.refreshes() == held + 1, () -> issuer.refreshes() + " refreshes");
          int fromTwo = two.send(helper, marker("third"));
          two.await("the helper's turn starts", fromTwo, ChatClient.EVENT_TIMEOUT, e -> true);
          ServerProcess.pause(500); // time for that turn to reach the provider and wait for the refresh in flight
          issuer.releaseRefreshes();
          ChatClient.Reply second = one.awaitDone("coo", fromOne).withoutErrors();
          ChatClient.Reply third = two.awaitDone(helper, fromTwo).withoutErrors();
          assertEquals("Hello from Codex", second.text(), second::explain);
          assertEquals("Hello from Codex", third.text(), third::explain);
          assertEquals(held + 1, issuer.refreshes(), "two turns needing a refresh at once exchange it once");
          issuer.assertNoRefreshTokenReused();
          one.events().forEach(e -> answers.add(e.toString()));
          two.events().forEach(e -> answers.add(e.toString()));

          // The provider routes work with the signed-in account too: test-model makes a small Responses call, and the
          // model list falls back to upstream's (this backend has no /models).
          Http.Response tested = http.post("/api/test-model", "{\"provider\":\"openai\",\"modelId\":\"gpt-5.4\"}");
          answers.add(tested.body());
          assertEquals(Http.json("{\"ok\":true,\"sample\":\"Hello from Codex\"}"), http.expect(tested, 200));
          Http.Response listed = http.post("/api/provider-models", "{\"provider\":\"openai\"}");
          answers.add(listed.body());
          List<String> models = new ArrayList<>();
          http.expect(listed, 200).path("models").forEach(m -> models.add(m.asText()));
          assertTrue(models.contains("gpt-5.4-codex") && models.size() == 8, () -> server.explain(listed));

          // Sign-out: disconnected, and the next turn says so.
          Http.Response out = http.post("/api/auth/openai/signout", "{}");
          assertEquals(Http.json("{\"ok\":true}"), http.expect(out, 200));
          assertFalse(status(http, answers).path("connected").asBoolean(true));
          ChatClient.Reply refused = one.chat("coo", marker("after"));
          assertEquals(List.of("OpenAI OAuth is selected but no ChatGPT account is connected"), refused.errors(),
              refused::explain);
          one.events().forEach(e -> answers.add(e.toString()));
        }
        issuer.assertNoRefreshTokenReused();

        // No code or token anywhere a user or an attacker could read it.
        server.stop();
        answers.add(server.logText());
        List<String> secrets = issuer.issuedSecrets();
        assertTrue(secrets.size() >= 8, "the issuer handed out codes and tokens: " + secrets.size());
        for (String secret : secrets) {
          for (String answer : answers) {
            assertFalse(answer.contains(secret), "a code or token appears in an answer or the log:\n" + answer);
          }
        }
        try (Stream<Path> files = Files.walk(home)) {
          for (Path file : files.filter(Files::isRegularFile).toList()) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
              assertFalse(content.contains(secret), "a code or token is stored in clear in " + file);
            }
          }
        }
      } finally {
        server.close();
      }
    }
  }

  private static String login(Http http, List<String> answers) {
    Http.Response r = http.post("/api/auth/openai/login", "{}");
    answers.add(r.body());
    String url = http.expect(r, 200).path("authUrl").asText();
    assertTrue(url.contains("code_challenge_method=S256") && url.contains("state="), url);
    return url;
  }

  private static JsonNode status(Http http, List<String> answers) {
    Http.Response r = http.get("/api/auth/openai/status");
    answers.add(r.body());
    return http.expect(r, 200);
  }

}
