package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.builtinReply;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hot install of a model provider (the point 7): copying the example provider bundle (id {@code example},
 * model {@code echo}: streams the user's words back, one every 100 ms; not part of the distribution) into
 * {@code <home>/deploy/} makes it appear in {@code GET /api/providers} and usable for chat without a restart;
 * deleting the jar makes it disappear, and a chat that was streaming from it ends with an {@code error} chunk and
 * {@code chat:done} instead of hanging, while the server goes on serving.
 */
class ProviderHotInstallIT {
  static final String BUNDLE = "otterbot.provider.example";
  static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  static Path providerJar() {
    Path jar = Path.of(System.getProperty("otterbot.providerpack.jar",
        "target/deploy-fixtures/otterbot.provider.example.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the example provider " + jar + " does not exist (maven-dependency-plugin copies it)");
    return jar;
  }

  ChatClient client() {
    NodeChat node = NodeChat.connect(server, "websocket", 1);
    opened.add(node);
    return node.socket(0);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aProviderBundleComesAndGoesWithItsJarAndAChatUsingItEndsWithAnError() throws Exception {
    Path deployed = server.home().resolve("deploy").resolve(BUNDLE + ".jar");
    assertTrue(Files.isDirectory(deployed.getParent()), "no deploy/ directory in the home");
    assertFalse(providerIds().contains("example"), () -> "example is listed before its jar is there: " + providerIds());

    for (int round = 1; round <= 2; round++) {
      int r = round;
      copy(deployed);
      Duration appeared = server.eventually("round " + r + ": example appears in GET /api/providers", WITHIN,
          () -> providerIds().contains("example"), () -> http.get("/api/providers").toString());
      System.out.printf("[e2e] round %d: provider example listed %d ms after its jar was copied%n", r, appeared.toMillis());
      JsonNode example = provider("example");
      assertEquals(false, example.path("needsApiKey").asBoolean(true), () -> "" + example);

      String agentId = round == 1 ? createEchoAgent() : "echo-agent";
      ChatClient client = client();
      client.join(agentId, null);

      ChatClient.Reply echo = client.chat(agentId, "otters  hold hands").withoutErrors();
      assertEquals(List.of("otters", " hold", " hands"), echo.tokens(), echo::explain);

      // A long echo (100 words, 10 s), and the jar goes away while it streams.
      String words = IntStream.range(0, 100).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
      int from = client.send(agentId, words);
      client.await("the third token of the long echo", from, ChatClient.EVENT_TIMEOUT,
          e -> e.name().equals("chat:stream") && e.data().path("chunk").path("text").asText().equals(" w2"));
      Files.delete(deployed);
      ChatClient.Reply cut = client.awaitDone(agentId, from);
      assertEquals(1, cut.errors().size(), () -> "the chat should end with one error chunk\n" + cut.explain());
      assertTrue(cut.errors().get(0).contains("example"), () -> "the error should name the provider\n" + cut.explain());
      List<JsonNode> chunks = cut.chunks();
      assertEquals("error", chunks.get(chunks.size() - 1).path("kind").asText(), () -> "the error is the last chunk\n"
          + cut.explain());
      assertTrue(cut.tokens().size() >= 3 && cut.tokens().size() < 100, cut::explain);
      assertTrue(words.startsWith(cut.text()), () -> "the tokens before the error are the echo's start\n" + cut.explain());

      server.eventually("round " + r + ": example disappears from GET /api/providers", WITHIN,
          () -> !providerIds().contains("example"), () -> http.get("/api/providers").toString());
      // The agent still exists; chatting with it now says why it cannot answer, and does not hang.
      ChatClient.Reply orphan = client.chat(agentId, "anyone there?");
      assertEquals(1, orphan.errors().size(), orphan::explain);
      assertTrue(orphan.errors().get(0).contains("example"), orphan::explain);
      assertEquals(List.of(), orphan.tokens(), orphan::explain);

      // The server keeps serving: the COO (built-in model) answers on the same connection.
      client.join("coo", null);
      ChatClient.Reply coo = client.chat("coo", "hello").withoutErrors();
      assertEquals(builtinReply("hello"), coo.text(), coo::explain);
      Http.Response health = http.get("/api/health");
      assertEquals(Http.json("[]"), http.expect(health, 200).path("bundles").path("failed"), () -> server.explain(health));
      // Its last turn failed (no provider): the agent shows error until it answers again.
      server.eventually("the echo agent is in error", WITHIN, () -> "error".equals(status(agentId)),
          () -> status(agentId));
    }
  }

  private static void copy(Path deployed) {
    try {
      Files.copy(providerJar(), deployed);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String createEchoAgent() {
    String body = "{\"displayName\":\"Echo Agent\",\"model\":{\"chat\":{\"provider\":\"example\",\"modelId\":\"echo\"},"
        + "\"embedding\":{\"provider\":\"example\",\"modelId\":\"echo\"}}}";
    Http.Response created = http.post("/api/agents", body);
    JsonNode agent = http.expect(created, 200);
    assertEquals("echo-agent", agent.path("id").asText(), () -> server.explain(created));
    assertEquals("example", agent.path("model").path("chat").path("provider").asText(), () -> server.explain(created));
    return agent.path("id").asText();
  }

  static List<String> providerIds() {
    Http.Response r = http.get("/api/providers");
    if (r.status() != 200 || r.json() == null) {
      return List.of();
    }
    var ids = new ArrayList<String>();
    r.json().forEach(p -> ids.add(p.path("id").asText()));
    return ids;
  }

  static JsonNode provider(String id) {
    Http.Response r = http.get("/api/providers");
    for (JsonNode p : http.expect(r, 200)) {
      if (p.path("id").asText().equals(id)) {
        return p;
      }
    }
    return Http.JSON.missingNode();
  }

  static String status(String agentId) {
    Http.Response r = http.get("/api/agents");
    if (r.status() == 200 && r.json() != null) {
      for (JsonNode a : r.json()) {
        if (a.path("id").asText().equals(agentId)) {
          return a.path("status").asText();
        }
      }
    }
    return "(not listed)";
  }
}
