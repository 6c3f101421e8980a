package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * A stored API key is only ever sent to the endpoint it was stored for. Upstream let a {@code test-model} override,
 * an agent credential or a settings change point the provider at any server and sent the stored key along: one
 * visited web page could steal it. Here the "attacker" is a second fake model server on loopback, which must never
 * see the key, while the endpoint the key belongs to still gets it (so the test can fail).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeyExfiltrationIT {
  static final String COMPAT = ChatFixtures.COMPAT;
  static final String OPENAI_KEY = "sk-openai-" + UUID.randomUUID();
  static final String COMPAT_KEY = "sk-compat-" + UUID.randomUUID();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static FakeModelServer legit;
  static FakeModelServer attacker;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() throws IOException {
    legit = FakeModelServer.start();
    attacker = FakeModelServer.start();
    legit.respond(ChatFixtures.chat(r -> Reply.text("ready")));
    attacker.respond(ChatFixtures.chat(r -> Reply.text("stolen")));
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
    ObjectNode settings = ChatFixtures.settings(legit, COMPAT_KEY);
    settings.with("providers").putObject("openai").put("baseUrl", legit.baseUrl()).put("apiKey", OPENAI_KEY);
    http.expect(http.put("/api/settings/global", settings), 200);
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
      assertFalse(server.logText().contains(OPENAI_KEY) || server.logText().contains(COMPAT_KEY),
          "a key is in the server log " + server.log());
    }
    if (legit != null) {
      legit.close();
    }
    if (attacker != null) {
      attacker.close();
    }
  }

  @Test
  void testModelSendsTheStoredKeyToItsOwnEndpoint() {
    int before = legit.requests().size();
    Http.Response r = http.post("/api/test-model", Http.json(
        "{\"provider\":\"openai\",\"modelId\":\"" + FakeModelServer.DEFAULT_MODEL + "\"}"));
    assertEquals(true, http.expect(r, 200).path("ok").asBoolean(), () -> server.explain(r));
    RecordedRequest sent = legit.requests().get(before);
    assertEquals("Bearer " + OPENAI_KEY, sent.header("authorization"), () -> "" + sent.headers());
  }

  @Test
  void testModelPointedElsewhereWithoutAKeyIsRefusedWhenTheProviderNeedsOne() {
    Http.Response r = http.post("/api/test-model", Http.json("{\"provider\":\"openai\",\"modelId\":\"x\","
        + "\"secrets\":{\"OPENAI_BASE_URL\":\"" + attacker.baseUrl() + "\"}}"));
    JsonNode body = http.expect(r, 400);
    assertEquals(false, body.path("ok").asBoolean(true), () -> server.explain(r));
    assertTrue(body.path("error").asText().contains("OPENAI_API_KEY"), () -> server.explain(r));
    assertFalse(r.body().contains(OPENAI_KEY), () -> server.explain(r));
    assertNoKeyReached(attacker.requests());
  }

  @Test
  void testModelPointedElsewhereIsMadeWithoutTheStoredKeyWhenTheKeyIsOptional() {
    int before = attacker.requests().size();
    Http.Response r = http.post("/api/test-model", Http.json("{\"provider\":\"" + COMPAT + "\",\"modelId\":\"x\","
        + "\"secrets\":{\"OPENAI_COMPATIBLE_BASE_URL\":\"" + attacker.baseUrl() + "\"}}"));
    http.expect(r, 200);
    assertTrue(attacker.requests().size() > before, "the call is made, to the server the request named");
    assertNoKeyReached(attacker.requests());
  }

  @Test
  void anAgentCredentialThatMovesTheEndpointDoesNotTakeTheGlobalKeyAlong() throws Exception {
    http.expect(http.post("/api/agents", Http.json("{\"displayName\":\"Moved Otter\",\"model\":{\"chat\":"
        + "{\"provider\":\"" + COMPAT + "\",\"modelId\":\"" + FakeModelServer.DEFAULT_MODEL + "\"}}}")), 200);
    http.expect(http.post("/api/agents/moved-otter/credentials",
        Http.json("{\"OPENAI_COMPATIBLE_BASE_URL\":\"" + attacker.baseUrl() + "\"}")), 200);
    int before = attacker.requests().size();
    try (JavaChat chat = JavaChat.connect(server, "websocket")) {
      chat.chat("moved-otter", "hello " + ChatFixtures.marker("moved"));
    }
    assertTrue(attacker.requests().size() > before, "the agent's own endpoint is used");
    assertNoKeyReached(attacker.requests());

    // With its own key for its own endpoint, the agent's key is sent there.
    String own = "sk-own-" + UUID.randomUUID();
    http.expect(http.post("/api/agents/moved-otter/credentials", Http.json("{\"OPENAI_COMPATIBLE_BASE_URL\":\""
        + attacker.baseUrl() + "\",\"OPENAI_COMPATIBLE_API_KEY\":\"" + own + "\"}")), 200);
    String again = "again " + ChatFixtures.marker("own");
    try (JavaChat chat = JavaChat.connect(server, "websocket")) {
      chat.chat("moved-otter", again);
    }
    // The chat's own request: the end of the first conversation makes the agent learn from it in the background, with
    // its model at this endpoint, so other requests may come in between.
    RecordedRequest turn = attacker.requests().stream()
        .filter(r -> r.isChat() && r.lastUserText().contains(again)).findFirst()
        .orElseThrow(() -> new AssertionError("the second chat reached its endpoint: " + attacker.requests()));
    assertEquals("Bearer " + own, turn.header("authorization"));
  }

  static void assertNoKeyReached(List<RecordedRequest> requests) {
    for (RecordedRequest request : requests) {
      String all = request.headers() + " " + request.rawBody();
      assertFalse(all.contains(OPENAI_KEY) || all.contains(COMPAT_KEY), () -> "a stored key reached another server: "
          + request.headers());
    }
  }
}
