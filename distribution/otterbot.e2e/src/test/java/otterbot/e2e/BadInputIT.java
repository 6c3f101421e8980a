package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a careless or hostile client can send: each request must get a 4xx JSON answer with an {@code error}
 * message (never HTML, never a 5xx, never a stack trace), and the server must go on as if nothing happened: healthy,
 * with the same agents and settings as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputIT {
  /** Any 4xx. */
  static final int CLIENT_ERROR = -4;
  /** 400 or 413: a body too large for a field or for the server. */
  static final int TOO_LARGE = -413;

  static final String KEY = "sk-e2e-secret-" + UUID.randomUUID().toString().replace("-", "");
  static final String MODEL = "{\"provider\":\"lmstudio\",\"modelId\":\"local-model\"}";
  static final String SETTINGS_HEAD = "{\"theme\":\"obsidian\",\"defaultChatModel\":" + MODEL
      + ",\"defaultEmbeddingModel\":" + MODEL + ",\"providers\":";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static JsonNode agentsBefore;
  static JsonNode targetBefore;
  static JsonNode settingsBefore;

  /**
   * One bad request.
   *
   * @param status the exact status expected, {@link #CLIENT_ERROR} or {@link #TOO_LARGE}
   * @param errorContains a part the error message must contain, or null
   * @param raw send the request line by hand (for paths HttpClient would normalise or refuse)
   */
  record Case(String name, String method, String path, String contentType, String body, int status,
      String errorContains, boolean raw, String accept) {
    Case(String name, String method, String path, String contentType, String body, int status, String errorContains,
        boolean raw) {
      this(name, method, path, contentType, body, status, errorContains, raw, "application/json");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Case json(String name, String method, String path, String body, int status, String errorContains) {
    return new Case(name, method, path, "application/json", body, status, errorContains, false);
  }

  static Case raw(String method, String path) {
    return new Case(method + " " + path + " (raw)", method, path, null, null, CLIENT_ERROR, null, true);
  }

  /** As a browser asks: the answer must still be the API's JSON error, not an HTML page. */
  static Case browser(String path, int status) {
    return new Case("GET " + path + " (raw, browser Accept)", "GET", path, null, null, status, null, true, BROWSER_ACCEPT);
  }

  static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  static Stream<Case> badRequests() {
    String big = "x".repeat(1024 * 1024);
    String huge = "y".repeat(2 * 1024 * 1024 + 1024);
    String target = "/api/agents/target-agent";
    return Stream.of(
        json("malformed JSON", "POST", "/api/agents", "{\"displayName\":", 400, null),
        json("trailing comma", "POST", "/api/agents", "{\"displayName\":\"x\",}", 400, null),
        json("single quotes", "POST", "/api/agents", "{'displayName':'x'}", 400, null),
        json("trailing garbage", "POST", "/api/agents", "{\"displayName\":\"x\"} {\"displayName\":\"y\"}", 400, null),
        json("displayName is a number", "POST", "/api/agents", "{\"displayName\":123}", 400, "displayName"),
        json("displayName is an object", "POST", "/api/agents", "{\"displayName\":{\"a\":1}}", 400, "displayName"),
        json("subagentLimit is a string", "POST", "/api/agents", "{\"displayName\":\"x\",\"subagentLimit\":\"5\"}", 400, "subagentLimit"),
        json("subagentLimit is a fraction", "POST", "/api/agents", "{\"displayName\":\"x\",\"subagentLimit\":2.5}", 400, "subagentLimit"),
        json("canSpawnSubagents is a string", "POST", "/api/agents", "{\"displayName\":\"x\",\"canSpawnSubagents\":\"yes\"}", 400, "canSpawnSubagents"),
        json("model is a string", "POST", "/api/agents", "{\"displayName\":\"x\",\"model\":\"gpt-4o\"}", 400, "model"),
        json("known field of the wrong type beside an unknown one", "POST", "/api/agents",
            "{\"displayName\":\"x\",\"allowedPeers\":[\"coo\"],\"subagentLimit\":\"5\"}", 400, "subagentLimit"),
        json("body is an array", "POST", "/api/agents", "[{\"displayName\":\"x\"}]", 400, null),
        json("body is a string", "POST", "/api/agents", "\"displayName\"", 400, null),
        json("body is a number", "POST", "/api/agents", "42", 400, null),
        json("body is null", "POST", "/api/agents", "null", 400, null),
        json("1 MB displayName", "POST", "/api/agents", "{\"displayName\":\"" + big + "\"}", TOO_LARGE, null),
        json("1 MB persona", "POST", "/api/agents", "{\"displayName\":\"x\",\"persona\":\"" + big + "\"}", TOO_LARGE, null),
        json("body over 2 MiB", "POST", "/api/agents", "{\"displayName\":\"x\",\"persona\":\"" + huge + "\"}", 413, null),
        json("deeply nested JSON", "POST", "/api/agents", "[".repeat(5000) + "]".repeat(5000), 400, null),
        new Case("text/plain body", "POST", "/api/agents", "text/plain", "{\"displayName\":\"x\"}", 415, null, false),
        new Case("form body", "POST", "/api/agents", "application/x-www-form-urlencoded", "displayName=x", 415, null, false),
        new Case("no Content-Type", "POST", "/api/agents", null, "{\"displayName\":\"x\"}", 415, null, false),

        json("PATCH malformed JSON", "PATCH", target, "{\"persona\":", 400, null),
        json("PATCH wrong type", "PATCH", target, "{\"subagentLimit\":\"5\"}", 400, "subagentLimit"),
        json("PATCH array body", "PATCH", target, "[]", 400, null),
        json("PATCH 1 MB persona", "PATCH", target, "{\"persona\":\"" + big + "\"}", TOO_LARGE, null),
        json("PATCH blank displayName", "PATCH", target, "{\"displayName\":\"  \"}", 400, null),
        json("PATCH role coo", "PATCH", target, "{\"role\":\"coo\"}", 400, null),
        new Case("PATCH text/plain", "PATCH", target, "text/plain", "{\"persona\":\"x\"}", 415, null, false),

        json("PUT settings malformed", "PUT", "/api/settings/global", "{\"theme\":", 400, null),
        json("PUT settings array", "PUT", "/api/settings/global", "[]", 400, null),
        json("PUT settings wrong type", "PUT", "/api/settings/global", SETTINGS_HEAD + "[]}", 400, "providers"),
        json("PUT settings apiKey with a space", "PUT", "/api/settings/global",
            SETTINGS_HEAD + "{\"openai\":{\"apiKey\":\"" + KEY + " x\"}}}", 400, null),
        json("PUT settings apiKey too long", "PUT", "/api/settings/global",
            SETTINGS_HEAD + "{\"openai\":{\"apiKey\":\"" + KEY + "z".repeat(10_000) + "\"}}}", CLIENT_ERROR, null),
        json("PUT settings apiKey is a number", "PUT", "/api/settings/global",
            SETTINGS_HEAD + "{\"openai\":{\"apiKey\":12345" + KEY.length() + "}}}", 400, "apiKey"),
        json("PUT settings apiKey then broken JSON", "PUT", "/api/settings/global",
            SETTINGS_HEAD + "{\"openai\":{\"apiKey\":\"" + KEY + "\"}", 400, null),
        json("PUT settings apiKey for an unknown provider", "PUT", "/api/settings/global",
            SETTINGS_HEAD + "{\"mistral\":{\"apiKey\":\"" + KEY + "\"}}}", 400, null),
        json("PUT settings apiKey beside a bad theme", "PUT", "/api/settings/global",
            "{\"theme\":\"neon\",\"defaultChatModel\":" + MODEL + ",\"defaultEmbeddingModel\":" + MODEL
                + ",\"providers\":{\"openai\":{\"apiKey\":\"" + KEY + "\"}}}", 400, null),

        json("unknown API path", "GET", "/api/nope", null, 404, null),
        json("unknown path", "GET", "/nope", null, 404, null),
        json("POST to unknown API path", "POST", "/api/nope", "{}", 404, null),
        json("PUT /api/agents", "PUT", "/api/agents", "{\"displayName\":\"x\"}", 405, null),
        json("DELETE /api/agents", "DELETE", "/api/agents", null, 405, null),
        json("POST /api/agents/coo", "POST", "/api/agents/coo", "{\"displayName\":\"x\"}", 405, null),
        json("PATCH /api/settings/global", "PATCH", "/api/settings/global", "{}", 405, null),
        json("DELETE /api/settings/global", "DELETE", "/api/settings/global", null, 405, null),
        json("GET /api/setup-state/complete", "GET", "/api/setup-state/complete", null, 405, null),

        raw("GET", "/api/agents/..%2F..%2Fetc%2Fpasswd"),
        raw("GET", "/api/agents/%2e%2e"),
        raw("GET", "/api/agents/%2e%2e/%2e%2e/etc/passwd"),
        raw("GET", "/api/agents/a%00b"),
        raw("GET", "/api/agents/../../etc/passwd"),
        raw("GET", "/api/../../../etc/passwd"),
        raw("GET", "/api/agents/%zz"),
        raw("GET", "/api/agents/%"),
        raw("GET", "/api/agents/" + "a".repeat(5000)),
        raw("DELETE", "/api/agents/%2e%2e"),
        raw("DELETE", "/api/agents/..%2Fcoo"),
        raw("DELETE", "/api/agents/target-agent%00"),
        raw("PATCH", "/api/agents/a%00b"),
        browser("/nope", 404),
        browser("/api/nope", 404),
        browser("/api/agents/no-such-agent", 404),
        browser("/api/agents/%zz", CLIENT_ERROR),
        browser("/api/agents/..%2F..%2Fetc%2Fpasswd", CLIENT_ERROR),
        new Case("DELETE /api/agents (raw, browser Accept)", "DELETE", "/api/agents", null, null, 405, null, true,
            BROWSER_ACCEPT));
  }

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
    http.expect(http.post("/api/agents", "{\"displayName\":\"Target Agent\",\"persona\":\"keep me\"}"), 200);
    agentsBefore = http.expect(http.get("/api/agents"), 200);
    targetBefore = http.expect(http.get("/api/agents/target-agent"), 200);
    settingsBefore = http.expect(http.get("/api/settings/global"), 200);
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
      assertFalse(server.logText().contains(KEY), "an API key sent in a bad request is in the server log " + server.log());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void aBadRequestGetsAJsonClientErrorAndChangesNothing(Case c) {
    Http.Response r = c.raw() ? http.raw(c.method(), c.path(), c.accept())
        : http.send(c.method(), c.path(), c.body(), c.contentType());

    switch (c.status()) {
      case CLIENT_ERROR -> assertTrue(r.status() >= 400 && r.status() < 500, () -> "expected a 4xx\n" + server.explain(r));
      case TOO_LARGE -> assertTrue(r.status() == 400 || r.status() == 413, () -> "expected 400 or 413\n" + server.explain(r));
      default -> assertEquals(c.status(), r.status(), () -> server.explain(r));
    }
    assertEquals("application/json", r.mediaType(), () -> "the error is not JSON\n" + server.explain(r));
    JsonNode body = r.json();
    assertNotNull(body, () -> "the error body does not parse as JSON\n" + server.explain(r));
    assertTrue(body.isObject() && body.path("error").isTextual() && !body.path("error").asText().isBlank(),
        () -> "no {\"error\": \"...\"} message\n" + server.explain(r));
    String error = body.path("error").asText();
    if (c.errorContains() != null) {
      assertTrue(error.contains(c.errorContains()), () -> "the error should mention '" + c.errorContains() + "'\n" + server.explain(r));
    }
    assertFalse(r.body().contains(KEY), () -> "the answer echoes the API key\n" + server.explain(r));
    assertFalse(r.body().contains("root:"), () -> "the answer shows a system file\n" + server.explain(r));
    assertFalse(r.body().matches("(?s).*\\bat [a-z][\\w.$]+\\([\\w]+\\.java:\\d+\\).*"),
        () -> "the answer contains a stack trace\n" + server.explain(r));
    assertTrue(error.length() < 1000, () -> "the error message is suspiciously long (echoing the request?)\n" + server.explain(r));
  }

  /** After every case: healthy, and nothing lost or half-written. */
  @AfterEach
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theServerIsUnharmed() {
    Http.Response health = http.get("/api/health");
    assertEquals(200, health.status(), () -> "unhealthy after a bad request\n" + server.explain(health));
    Http.Response agents = http.get("/api/agents");
    assertEquals(agentsBefore, http.expect(agents, 200), () -> "the agent list changed\n" + server.explain(agents));
    Http.Response target = http.get("/api/agents/target-agent");
    assertEquals(targetBefore, http.expect(target, 200), () -> "the target agent changed\n" + server.explain(target));
    Http.Response settings = http.get("/api/settings/global");
    assertEquals(settingsBefore, http.expect(settings, 200), () -> "the settings changed\n" + server.explain(settings));
  }
}
