package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.RecordingSink;
import otterbot.testsupport.Reply;

class OpenAiCompatibleProviderTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String KEY = "sk-test-SECRET-7d3e9b";
  static final OpenAiCompatible CONFIG = new OpenAiCompatible("testai", "Test AI", false, true, "TEST_API_KEY",
      "TEST_BASE_URL", "http://127.0.0.1:9/v1", null, "max_tokens");

  static final class TestProvider extends OpenAiCompatibleProvider {
    TestProvider(OpenAiCompatible config, Duration idleTimeout) {
      super(config, idleTimeout);
    }

    void stop() {
      close();
    }
  }

  FakeModelServer server;
  TestProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    // Long enough never to fire in tests that do not mean it to, even on a loaded machine.
    provider = new TestProvider(CONFIG, WAIT);
  }

  @AfterEach
  void stop() {
    provider.stop();
    server.close();
  }

  Map<String, String> secrets() {
    return Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", server.baseUrl() + "/");
  }

  ChatRequest ask(String text) {
    return new ChatRequest("m1", "be brief", List.of(ChatMessage.user(text)), List.of(), secrets(), 0);
  }

  RecordingSink chat(ChatRequest request) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(request, sink);
    return sink.awaitEnd(WAIT);
  }

  @Test
  void deliversEachTokenBeforeTheNextIsSent() throws Exception {
    RecordingSink sink = new RecordingSink();
    // The server only produces token i once the sink holds token i-1: a client that buffered would never finish.
    server.respond(r -> Reply.tokens(5, i -> {
      try {
        if (i > 0 && !sink.awaitDeltas(i, WAIT)) {
          throw new IllegalStateException("token " + (i - 1) + " never reached the sink");
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return "t" + i + " ";
    }));
    provider.chat(ask("hi"), sink);
    sink.awaitEnd(WAIT);

    assertEquals(List.of("t0 ", "t1 ", "t2 ", "t3 ", "t4 "), sink.deltas());
    assertEquals("stop", sink.finishReason());
    assertEquals(1, sink.terminalCount());
    // The provider's threads or its HTTP client's selector thread, which delivers the stream; never the caller's.
    String caller = Thread.currentThread().getName();
    assertTrue(sink.threads().stream().allMatch(t -> !t.equals(caller)
        && (t.startsWith("otterbot-provider-testai-") || t.matches("HttpClient-\\d+-SelectorManager"))), sink.threads()::toString);
  }

  @Test
  void sendsTheRequestInOpenAiShape() throws Exception {
    ToolSpec weather = new ToolSpec("get_weather", "Weather by city",
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");
    chat(new ChatRequest("m1", "be brief", List.of(ChatMessage.user("hello")), List.of(weather), secrets(), 24));

    RecordedRequest request = server.lastRequest();
    assertEquals("/v1/chat/completions", request.path());
    assertEquals("Bearer " + KEY, request.header("authorization"));
    assertEquals("application/json", request.header("content-type"));
    JsonNode body = request.body();
    assertEquals("m1", body.path("model").asText());
    assertTrue(body.path("stream").asBoolean());
    assertEquals(24, body.path("max_tokens").asInt());
    assertEquals("system", body.path("messages").path(0).path("role").asText());
    assertEquals("be brief", body.path("messages").path(0).path("content").asText());
    assertEquals("user", body.path("messages").path(1).path("role").asText());
    JsonNode tool = body.path("tools").path(0);
    assertEquals("function", tool.path("type").asText());
    assertEquals("get_weather", tool.path("function").path("name").asText());
    assertEquals("Weather by city", tool.path("function").path("description").asText());
    assertEquals("string", tool.path("function").path("parameters").path("properties").path("city").path("type").asText());
  }

  @Test
  void toolCallRoundTrip() throws Exception {
    server.respond(r -> r.hasToolResult()
        ? Reply.text("It is ", r.toolResultContent())
        : Reply.text("Checking.").thenToolCall("get_weather", "{\"city\":\"Paris\",\"unit\":\"C\"}"));
    ToolSpec weather = new ToolSpec("get_weather", "Weather", "{\"type\":\"object\"}");
    List<ChatMessage> history = new ArrayList<>(List.of(ChatMessage.user("weather in Paris?")));

    RecordingSink first = chat(new ChatRequest("m1", "", history, List.of(weather), secrets(), 0));
    assertEquals("tool_calls", first.finishReason());
    assertEquals("Checking.", first.text());
    assertEquals(1, first.toolCalls().size());
    ToolCall call = first.toolCalls().get(0);
    assertEquals("get_weather", call.name());
    assertEquals("{\"city\":\"Paris\",\"unit\":\"C\"}", call.arguments());
    assertFalse(call.id().isEmpty());

    history.add(ChatMessage.assistant(first.text(), first.toolCalls()));
    history.add(ChatMessage.toolResult(call, "{\"temp\":21}"));
    RecordingSink second = chat(new ChatRequest("m1", "", history, List.of(weather), secrets(), 0));
    assertEquals("It is {\"temp\":21}", second.text());

    List<JsonNode> messages = server.lastRequest().messages();
    assertEquals(3, messages.size());
    JsonNode assistant = messages.get(1);
    assertEquals("assistant", assistant.path("role").asText());
    assertEquals("Checking.", assistant.path("content").asText());
    JsonNode sent = assistant.path("tool_calls").path(0);
    assertEquals(call.id(), sent.path("id").asText());
    assertEquals("function", sent.path("type").asText());
    assertEquals("get_weather", sent.path("function").path("name").asText());
    assertEquals(call.arguments(), sent.path("function").path("arguments").asText());
    JsonNode result = messages.get(2);
    assertEquals("tool", result.path("role").asText());
    assertEquals(call.id(), result.path("tool_call_id").asText());
    assertEquals("{\"temp\":21}", result.path("content").asText());
  }

  @Test
  void assistantToolCallsWithoutTextSendNullContent() throws Exception {
    ToolCall call = new ToolCall("c1", "t", "{}");
    chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q"), ChatMessage.assistant("", List.of(call)),
        ChatMessage.toolResult(call, "ok")), List.of(), secrets(), 0));
    assertTrue(server.lastRequest().messages().get(1).path("content").isNull());
  }

  @Test
  void assemblesToolCallsSentWithoutIndexOrId() throws Exception {
    server.respond(r -> Reply.sse(
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"name\":\"a\",\"arguments\":\"{\\\"x\\\":1}\"}},"
            + "{\"function\":{\"name\":\"b\",\"arguments\":{\"y\":2}}}]}}]}",
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
        "data: [DONE]"));
    RecordingSink sink = chat(ask("q"));

    assertEquals(2, sink.toolCalls().size(), sink.events()::toString);
    assertEquals("a", sink.toolCalls().get(0).name());
    assertEquals("{\"x\":1}", sink.toolCalls().get(0).arguments());
    assertEquals("{\"y\":2}", sink.toolCalls().get(1).arguments());
    assertTrue(sink.toolCalls().get(0).id().startsWith("call_"));
    assertFalse(sink.toolCalls().get(0).id().equals(sink.toolCalls().get(1).id()));
  }

  @Test
  void httpErrorsNameStatusReasonAndProviderMessageButNeverTheKey() throws Exception {
    server.respond(r -> Reply.error(401, "Incorrect API key provided: " + KEY));
    assertEquals("provider returned 401 Unauthorized: Incorrect API key provided: [redacted]", chat(ask("q")).failure());

    server.respond(r -> Reply.error(429, "Rate limit reached").retryAfter("20"));
    assertEquals("provider returned 429 Too Many Requests: Rate limit reached (retry-after: 20)", chat(ask("q")).failure());

    server.respond(r -> Reply.error(500, "boom"));
    RecordingSink sink = chat(ask("q"));
    assertEquals("provider returned 500 Internal Server Error: boom", sink.failure());
    assertEquals(1, sink.terminalCount());
  }

  @Test
  void aMissingRequiredKeyFailsWithoutARequest() throws Exception {
    RecordingSink sink = chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q")), List.of(),
        Map.of("TEST_BASE_URL", server.baseUrl()), 0));
    assertEquals("TEST_API_KEY is not set: add it in the global settings or the agent's credentials", sink.failure());
    ProviderException listing = assertThrows(ProviderException.class,
        () -> provider.listModels(Map.of("TEST_BASE_URL", server.baseUrl(), "TEST_API_KEY", "  ")));
    assertEquals(sink.failure(), listing.getMessage());
    assertEquals(List.of(), server.requests());
  }

  @Test
  void aDroppedConnectionFails() throws Exception {
    server.respond(r -> Reply.text("a", "b", "c").dropAfter(2));
    RecordingSink sink = chat(ask("q"));
    assertEquals("the provider closed the stream before the reply was complete", sink.failure());
    // The JDK client may discard lines that arrived just before the connection broke, so only a prefix is certain.
    assertEquals(List.of("a", "b").subList(0, sink.deltas().size()), sink.deltas());
  }

  @Test
  void aStreamEndingWithoutFinishFails() throws Exception {
    server.respond(r -> Reply.sse("data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}"));
    RecordingSink sink = chat(ask("q"));
    assertEquals("half", sink.text());
    assertEquals("the provider closed the stream before the reply was complete", sink.failure());
  }

  @Test
  void aFinishReasonWithoutDoneCompletes() throws Exception {
    server.respond(r -> Reply.sse("data: {\"choices\":[{\"delta\":{\"content\":\"all\"},\"finish_reason\":\"length\"}]}"));
    RecordingSink sink = chat(ask("q"));
    assertEquals("all", sink.text());
    assertEquals("length", sink.finishReason());
    assertTrue(sink.succeeded(), sink.events()::toString);
  }

  @Test
  void anErrorFrameFailsWithTheProviderMessage() throws Exception {
    server.respond(r -> Reply.sse("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}",
        "data: {\"error\":{\"message\":\"model crashed while using " + KEY + "\"}}",
        "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}"));
    RecordingSink sink = chat(ask("q"));
    assertEquals("a", sink.text());
    assertEquals("the provider reported an error: model crashed while using [redacted]", sink.failure());
  }

  @Test
  void aFrameThatIsNotJsonFails() throws Exception {
    server.respond(r -> Reply.sse("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", "data: {oops"));
    assertEquals("Test AI sent a stream event that is not valid JSON", chat(ask("q")).failure());
  }

  @Test
  void aSilentStreamFailsAfterTheIdleTimeout() throws Exception {
    TestProvider impatient = new TestProvider(CONFIG, Duration.ofSeconds(1));
    try {
      server.respond(r -> Reply.text("a", "b").stallAfter(1));
      RecordingSink sink = chat(impatient, ask("q"));
      assertEquals("a", sink.text());
      assertEquals("Test AI sent nothing for 1 s (idle timeout), so the reply was abandoned", sink.failure());
    } finally {
      impatient.stop();
    }
  }

  @Test
  void aStreamOfOnlyCommentHeartbeatsFailsAfterTheIdleTimeout() throws Exception {
    TestProvider impatient = new TestProvider(CONFIG, Duration.ofSeconds(1));
    try {
      server.respond(r -> Reply.text("a", "b").stallAfter(1).commentsWhileStalled(Duration.ofMillis(100)));
      RecordingSink sink = chat(impatient, ask("q"));
      assertEquals("a", sink.text());
      assertEquals("Test AI sent nothing for 1 s (idle timeout), so the reply was abandoned", sink.failure());
    } finally {
      impatient.stop();
    }
  }

  @Test
  void cancelStopsDeliveryAndClosesTheConnection() throws Exception {
    server.respond(r -> Reply.tokens(10_000, i -> "t" + i).delayEachStep(Duration.ofMillis(10)));
    RecordingSink sink = new RecordingSink();
    ChatCall call = provider.chat(ask("q"), sink);
    assertTrue(sink.awaitDeltas(3, WAIT));
    call.cancel();
    int seen = sink.events().size();

    assertTrue(server.awaitClientDisconnects(1, WAIT), "the server never saw the connection close");
    call.cancel();
    assertEquals(seen, sink.events().size(), sink.events()::toString);
    assertEquals(0, sink.terminalCount());
  }

  @Test
  void anUnreachableServerIsNamedWithItsUrl() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> secrets = Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", "http://me:pw@127.0.0.1:" + closedPort + "/v1");
    RecordingSink sink = chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q")), List.of(), secrets, 0));
    assertEquals("cannot reach Test AI at http://127.0.0.1:" + closedPort + "/v1: connection refused", sink.failure());

    ProviderException listing = assertThrows(ProviderException.class, () -> provider.listModels(secrets));
    assertEquals(sink.failure(), listing.getMessage());

    // The endpoint is a setting, not a secret: without user-info it is named as it is, not masked.
    Map<String, String> plain = Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", "http://127.0.0.1:" + closedPort + "/v1");
    assertEquals("cannot reach Test AI at http://127.0.0.1:" + closedPort + "/v1: connection refused",
        chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q")), List.of(), plain, 0)).failure());
  }

  @Test
  void aBaseUrlThatIsNotHttpFailsAtOnce() throws Exception {
    RecordingSink sink = chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q")), List.of(),
        Map.of("TEST_API_KEY", KEY, "TEST_BASE_URL", "localhost:1234/v1"), 0));
    assertEquals("the base URL of Test AI is not an http(s) URL: localhost:1234/v1", sink.failure());
  }

  @Test
  void aToolWithAnInvalidSchemaFailsAtOnce() throws Exception {
    RecordingSink sink = chat(new ChatRequest("m1", "", List.of(ChatMessage.user("q")),
        List.of(new ToolSpec("broken", "", "{not json")), secrets(), 0));
    assertEquals("the tool broken declares parameters that are not a JSON object", sink.failure());
    assertEquals(List.of(), server.requests());
  }

  @Test
  void listsModelsWithTheKeyAsBearer() throws Exception {
    server.respond(r -> Reply.models("b-model", "a-model"));
    assertEquals(List.of("b-model", "a-model"), provider.listModels(secrets()));
    assertEquals("GET", server.lastRequest().method());
    assertEquals("/v1/models", server.lastRequest().path());
    assertEquals("Bearer " + KEY, server.lastRequest().header("authorization"));
  }

  @Test
  void listingFailuresSayWhatTheProviderReturned() throws Exception {
    server.respond(r -> Reply.error(403, "no access"));
    assertEquals("provider returned 403 Forbidden: no access",
        assertThrows(ProviderException.class, () -> provider.listModels(secrets())).getMessage());

    server.respond(r -> Reply.text("not a list"));
    assertEquals("Test AI did not answer with a model list ({\"data\":[{\"id\":...}]})",
        assertThrows(ProviderException.class, () -> provider.listModels(secrets())).getMessage());
  }

  @Test
  void stoppingTheProviderEndsItsCallsAndThreads() throws Exception {
    OpenAiCompatible config = new OpenAiCompatible("stoppable", "Stoppable", false, false, "TEST_API_KEY",
        "TEST_BASE_URL", "http://127.0.0.1:9/v1", null, "max_tokens");
    TestProvider stoppable = new TestProvider(config, WAIT);
    server.respond(r -> Reply.tokens(10_000, i -> "t" + i).delayEachStep(Duration.ofMillis(10)));
    RecordingSink running = new RecordingSink();
    stoppable.chat(ask("q"), running);
    assertTrue(running.awaitDeltas(1, WAIT));
    RecordingSink cancelled = new RecordingSink();
    stoppable.chat(ask("q"), cancelled).cancel();

    stoppable.stop();

    assertEquals("provider stoppable was stopped", running.failure());
    assertEquals(1, running.terminalCount());
    assertEquals(List.of(), cancelled.events());
    assertEquals("provider stoppable was stopped", chat(stoppable, ask("q")).failure());
    assertTrue(server.awaitClientDisconnects(1, WAIT));
    assertTrue(noThreadsNamed("otterbot-provider-stoppable-", WAIT), "provider threads are still alive");
  }

  @Test
  void servesFiftyChatsAtOnce() throws Exception {
    List<RecordingSink> sinks = new ArrayList<>();
    for (int n = 0; n < 50; n++) {
      RecordingSink sink = new RecordingSink();
      sinks.add(sink);
      provider.chat(ask("chat " + n), sink);
    }
    for (int n = 0; n < 50; n++) {
      assertEquals("chat " + n, sinks.get(n).awaitEnd(WAIT).text());
    }
  }

  @Test
  void anOptionalKeyThatIsUnsetSendsNoAuthorization() throws Exception {
    OpenAiCompatible keyless = new OpenAiCompatible("keyless", "Keyless", false, false, "TEST_API_KEY",
        "TEST_BASE_URL", "http://127.0.0.1:9/v1", null, "max_tokens");
    TestProvider open = new TestProvider(keyless, WAIT);
    try {
      Map<String, String> secrets = new HashMap<>();
      secrets.put("TEST_BASE_URL", server.baseUrl());
      assertEquals("q", chat(open, new ChatRequest("m1", "", List.of(ChatMessage.user("q")), List.of(), secrets, 0)).text());
      assertNull(server.lastRequest().header("authorization"));
    } finally {
      open.stop();
    }
  }

  static RecordingSink chat(TestProvider provider, ChatRequest request) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(request, sink);
    return sink.awaitEnd(WAIT);
  }

  static boolean noThreadsNamed(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith(prefix) && t.isAlive())) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
