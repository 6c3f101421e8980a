package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.chat;
import static otterbot.e2e.ChatFixtures.marker;
import static otterbot.e2e.ChatFixtures.requestsWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * A broken plug-in disables itself, not the server: the test-only bundle {@code otterbot.plugin.faulty} (a provider
 * whose {@code info()} throws, a tool whose JSON schema does not parse, a tool whose name is not a tool name, and a tool
 * returning 10 MiB) is copied into {@code <home>/deploy/} while a chat streams. The chat finishes untouched, the broken
 * provider and tools are simply not there, {@code GET /api/providers} and {@code GET /api/settings/global} answer 200,
 * and the 10 MiB result reaches neither the model nor the client: both get a short error instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultyPluginIT {
  static final String BUNDLE = "otterbot.plugin.faulty";
  static final String HUGE = "faulty_huge_result";
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final List<String> SLOW = List.of("one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight ",
      "nine ", "ten ", "eleven ", "twelve ", "thirteen ", "fourteen ", "fifteen ", "sixteen ", "seventeen ",
      "eighteen ", "nineteen ", "twenty");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static FakeModelServer fake;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() throws IOException {
    fake = FakeModelServer.start();
    fake.respond(chat(request -> {
      String text = request.lastUserText();
      if (text.contains("slow")) {
        return Reply.text(SLOW.toArray(String[]::new)).delayEachStep(Duration.ofMillis(150));
      }
      if (text.contains("huge")) {
        return request.hasToolResult() ? Reply.text("the tool answered")
            : Reply.toolCall(HUGE, "{}");
      }
      return Reply.text("fine");
    }));
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
    ChatFixtures.useFake(server, fake, null);
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @AfterEach
  void closeClients() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  static Path faultyJar() {
    Path jar = Path.of(System.getProperty("otterbot.faulty.jar", "target/deploy-fixtures/" + BUNDLE + ".jar"))
        .toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the faulty fixture " + jar + " does not exist (maven-dependency-plugin copies it)");
    return jar;
  }

  @Test
  @Order(1)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void droppedIntoDeployWhileChatsRunItsBrokenPartsAreSkippedAndNothingElseNotices() throws Exception {
    NodeChat node = NodeChat.connect(server, "websocket", 2);
    opened.add(node);
    ChatClient streaming = node.socket(0);
    ChatClient probing = node.socket(1);
    streaming.join("coo", null);
    probing.join("coo", null);

    int from = streaming.send("coo", marker("slow"));
    streaming.await("the first token of the slow reply", from, ChatClient.EVENT_TIMEOUT,
        e -> e.name().equals("chat:stream"));
    Files.copy(faultyJar(), server.home().resolve("deploy").resolve(BUNDLE + ".jar"));

    // The bundle is live once its good tool is offered to the model.
    List<String> probes = new ArrayList<>();
    server.eventually("the faulty bundle's valid tool is offered", WITHIN, () -> {
      String probe = marker("probe");
      probes.add(probe);
      probing.chat("coo", probe).withoutErrors();
      return requestsWith(fake, probe).stream().anyMatch(r -> r.toolNames().contains(HUGE));
    }, () -> probes.toString());

    ChatClient.Reply slow = streaming.awaitDone("coo", from).withoutErrors();
    assertEquals(String.join("", SLOW), slow.text(), slow::explain);

    for (RecordedRequest request : fake.requests()) {
      if (request.isChat()) {
        assertFalse(request.toolNames().contains("faulty_bad_schema"), request.toolNames()::toString);
        assertFalse(request.toolNames().contains("faulty bad name!"), request.toolNames()::toString);
      }
    }
    Http.Response providers = http.get("/api/providers");
    List<String> ids = new ArrayList<>();
    http.expect(providers, 200).forEach(p -> ids.add(p.path("id").asText()));
    assertFalse(ids.contains("broken"), ids::toString);
    assertTrue(ids.contains("openai-compatible"), ids::toString);
    Http.Response settings = http.get("/api/settings/global");
    JsonNode global = http.expect(settings, 200);
    assertFalse(global.path("providers").has("broken"), () -> server.explain(settings));
    assertEquals("openai-compatible", global.path("defaultChatModel").path("provider").asText(),
        () -> server.explain(settings));
    Http.Response models = http.post("/api/provider-models", "{\"provider\":\"broken\"}");
    assertEquals(200, models.status(), () -> server.explain(models));
    assertEquals(false, models.json().path("ok").asBoolean(true), () -> server.explain(models));
  }

  @Test
  @Order(2)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aToolReturningTenMebibytesIsAnsweredWithAShortErrorAndTheTurnGoesOn() throws Exception {
    Path deployed = server.home().resolve("deploy").resolve(BUNDLE + ".jar");
    if (!Files.exists(deployed)) {
      Files.copy(faultyJar(), deployed);
    }
    NodeChat node = NodeChat.connect(server, "websocket", 2);
    opened.add(node);
    ChatClient client = node.socket(0);
    String word = marker("huge");
    server.eventually("the huge tool is offered", WITHIN, () -> {
      String probe = marker("probe");
      client.chat("coo", probe).withoutErrors();
      return requestsWith(fake, probe).stream().anyMatch(r -> r.toolNames().contains(HUGE));
    }, () -> "no request offered " + HUGE);

    ChatClient.Reply reply = client.chat("coo", word).withoutErrors();
    List<JsonNode> ends = reply.chunks("tool_end");
    assertEquals(1, ends.size(), reply::explain);
    JsonNode result = ends.get(0).path("result");
    assertEquals(false, result.path("ok").asBoolean(true), reply::explain);
    assertTrue(result.path("error").asText().contains("was dropped"), reply::explain);
    assertEquals("the tool answered", reply.text(), reply::explain);
    RecordedRequest second = requestsWith(fake, word).stream().filter(RecordedRequest::hasToolResult).findFirst()
        .orElseThrow();
    assertTrue(second.toolResultContent().length() < 1000, () -> "the model got " + second.toolResultContent().length()
        + " characters");
    assertTrue(second.rawBody().length() < 100_000, "the request to the model stays small");
    // Another connection chats on.
    assertEquals("fine", node.socket(1).chat("coo", "hello").withoutErrors().text());
  }
}
