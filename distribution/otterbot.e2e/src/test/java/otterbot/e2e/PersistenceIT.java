package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a user wrote is still there after the server stops: after an orderly SIGTERM, and after {@code kill -9}
 * right after the server said 200 (an acknowledged write is a durable write). All rounds share one home directory, so
 * every restart also checks everything written before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersistenceIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;

  static Path home() {
    return tmp.resolve("home");
  }

  /** The running server, started on the shared home if an earlier test left none running. */
  static ServerProcess running() {
    if (server == null || !server.isAlive()) {
      server = ServerProcess.start(home());
    }
    return server;
  }

  static ServerProcess restart() {
    server = ServerProcess.start(home());
    return server;
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void everythingSurvivesAnOrderlyRestartInTheSameOrder() {
    Http http = running().http();
    http.expect(http.post("/api/agents", """
        {"displayName":"Alpha One","persona":"first","subagentLimit":3,"email":"alpha@example.com"}
        """), 200);
    http.expect(http.post("/api/agents", """
        {"displayName":"Beta Two","model":{"chat":{"provider":"ollama","modelId":"llama3"}},"canSpawnSubagents":false}
        """), 200);
    http.expect(http.post("/api/agents", "{\"displayName\":\"Gamma Three\"}"), 200);
    Http.Response patch = http.patch("/api/agents/beta-two", "{\"persona\":\"patched before restart\",\"subagentLimit\":2}");
    assertEquals("patched before restart", http.expect(patch, 200).path("persona").asText(), () -> server.explain(patch));
    Http.Response settings = http.put("/api/settings/global", """
        {"theme":"light","defaultChatModel":{"provider":"ollama","modelId":"llama3"},
         "defaultEmbeddingModel":{"provider":"ollama","modelId":"nomic-embed-text"},
         "providers":{"anthropic":{"apiKey":"sk-ant-persist"},"ollama":{"baseUrl":"http://127.0.0.1:11434/v1"}}}
        """);
    http.expect(settings, 200);
    http.expect(http.send("POST", "/api/setup-state/complete", "", "application/json"), 200);

    Map<String, JsonNode> before = snapshot(http);
    assertEquals(List.of("alpha-one", "beta-two", "coo", "gamma-three"), ids(before.get("/api/agents")).stream().sorted().toList(),
        () -> server.explain(http.get("/api/agents")));

    ServerProcess first = server;
    Duration took = first.stop();
    System.out.printf("[e2e] SIGTERM shutdown took %d ms%n", took.toMillis());
    assertFalse(first.wasForced(), () -> "the server did not exit within 15 s of SIGTERM\n" + first.logTail());
    assertTrue(took.compareTo(ServerProcess.STOP_TIMEOUT) < 0, () -> "SIGTERM shutdown took " + took + "\n" + first.logTail());

    Http again = restart().http();
    Map<String, JsonNode> after = snapshot(again);
    for (String path : before.keySet()) {
      assertEquals(before.get(path), after.get(path), () -> path + " differs after the restart\n" + server.logTail());
    }
    assertTrue(after.get("/api/settings/global").path("providers").path("anthropic").path("apiKeyConfigured").asBoolean(),
        () -> "the stored API key was lost\n" + server.logTail());
  }

  @Test
  @Order(2)
  void aCreatedAgentSurvivesKillMinus9() {
    Http http = running().http();
    List<String> expected = new ArrayList<>(ids(http.expect(http.get("/api/agents"), 200)));
    expected.add("crash-create");
    Http.Response r = http.post("/api/agents", "{\"displayName\":\"Crash Create\",\"persona\":\"written just before the crash\"}");
    JsonNode created = http.expect(r, 200);
    server.kill();

    Http after = restart().http();
    Http.Response read = after.get("/api/agents/crash-create");
    assertEquals(created, after.expect(read, 200), () -> "the acknowledged create was lost by kill -9\n" + server.explain(read));
    Http.Response list = after.get("/api/agents");
    assertEquals(expected, ids(after.expect(list, 200)),
        () -> server.explain(list));
  }

  @Test
  @Order(3)
  void aPatchAndADeleteSurviveKillMinus9() {
    Http http = running().http();
    Http.Response r = http.patch("/api/agents/alpha-one",
        "{\"persona\":\"patched just before the crash\",\"model\":{\"chat\":{\"provider\":\"anthropic\",\"modelId\":\"claude-3-5-sonnet\"}}}");
    JsonNode patched = http.expect(r, 200);
    http.expect(http.delete("/api/agents/gamma-three"), 200);
    server.kill();

    Http after = restart().http();
    Http.Response read = after.get("/api/agents/alpha-one");
    assertEquals(patched, after.expect(read, 200), () -> "the acknowledged patch was lost by kill -9\n" + server.explain(read));
    Http.Response deleted = after.get("/api/agents/gamma-three");
    assertEquals(404, deleted.status(), () -> "the deleted agent came back after kill -9\n" + server.explain(deleted));
    Http.Response list = after.get("/api/agents");
    List<String> ids = ids(after.expect(list, 200));
    assertFalse(ids.contains("gamma-three"), () -> server.explain(list));
    assertEquals(List.of("alpha-one", "beta-two", "coo", "crash-create"), ids.stream().sorted().toList(), () -> server.explain(list));
  }

  @Test
  @Order(4)
  void settingsAndABurstOfWritesSurviveKillMinus9() {
    Http http = running().http();
    Http.Response r = http.put("/api/settings/global", """
        {"theme":"forest","defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"anthropic":{"apiKey":""},"openai":{"apiKey":"sk-crash","authMethod":"oauth"}}}
        """);
    JsonNode settings = http.expect(r, 200);
    var written = new ArrayList<JsonNode>();
    for (int i = 1; i <= 5; i++) {
      written.add(http.expect(http.post("/api/agents", "{\"displayName\":\"Burst " + i + "\"}"), 200));
    }
    JsonNode patched = http.expect(http.patch("/api/agents/burst-1", "{\"persona\":\"last write\"}"), 200);
    server.kill();

    Http after = restart().http();
    Http.Response read = after.get("/api/settings/global");
    assertEquals(settings, after.expect(read, 200), () -> "the acknowledged settings were lost by kill -9\n" + server.explain(read));
    Http.Response state = after.get("/api/setup-state");
    assertTrue(after.expect(state, 200).path("onboardingComplete").asBoolean(false),
        () -> "onboarding was forgotten\n" + server.explain(state));
    for (JsonNode agent : written.subList(1, written.size())) {
      Http.Response one = after.get("/api/agents/" + agent.path("id").asText());
      assertEquals(agent, after.expect(one, 200), () -> server.explain(one));
    }
    Http.Response burst1 = after.get("/api/agents/burst-1");
    assertEquals(patched, after.expect(burst1, 200), () -> server.explain(burst1));
    assertEquals("openai", patched.path("model").path("chat").path("provider").asText(),
        () -> "agents created after the PUT use its default model\n" + server.explain(burst1));
  }

  /** Everything a user sees, by request path. */
  static Map<String, JsonNode> snapshot(Http http) {
    var snapshot = new LinkedHashMap<String, JsonNode>();
    JsonNode agents = http.expect(http.get("/api/agents"), 200);
    snapshot.put("/api/agents", agents);
    for (String id : ids(agents)) {
      snapshot.put("/api/agents/" + id, http.expect(http.get("/api/agents/" + id), 200));
    }
    snapshot.put("/api/settings/global", http.expect(http.get("/api/settings/global"), 200));
    snapshot.put("/api/setup-state", http.expect(http.get("/api/setup-state"), 200));
    return snapshot;
  }

  static List<String> ids(JsonNode agents) {
    var ids = new ArrayList<String>();
    agents.forEach(a -> ids.add(a.path("id").asText()));
    return ids;
  }
}
