package otterbot.provider.anthropic.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
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
import otterbot.api.provider.ProviderInfo;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.RecordingSink;
import otterbot.testsupport.Reply;

class AnthropicProviderTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String KEY = "sk-ant-FAKE-0c7b2e19";
  static final ToolSpec WEATHER = new ToolSpec("get_weather", "Weather by city",
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");

  FakeModelServer server;
  AnthropicProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    // Long enough never to fire in tests that do not mean it to, even on a loaded machine.
    provider = new AnthropicProvider(WAIT);
  }

  @AfterEach
  void stop() {
    provider.deactivate();
    server.close();
  }

  Map<String, String> secrets() {
    return Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_BASE_URL", server.baseUrl());
  }

  ChatRequest ask(List<ChatMessage> history, int maxTokens) {
    return new ChatRequest("claude-test", "be brief", history, List.of(WEATHER), secrets(), maxTokens);
  }

  RecordingSink chat(ChatRequest request) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(request, sink);
    return sink.awaitEnd(WAIT);
  }

  @Test
  void describesItself() {
    assertEquals(new ProviderInfo("anthropic", "Anthropic", true, false, true, "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1"), provider.info());
  }

  @Test
  void sendsAMessagesRequestWithKeyAndVersionHeaders() throws Exception {
    chat(ask(List.of(ChatMessage.user("hello")), 0));

    RecordedRequest request = server.lastRequest();
    assertEquals("/v1/messages", request.path());
    assertEquals(KEY, request.header("x-api-key"));
    assertEquals("2023-06-01", request.header("anthropic-version"));
    assertNull(request.header("authorization"));
    JsonNode body = request.body();
    assertEquals("claude-test", body.path("model").asText());
    assertEquals(4096, body.path("max_tokens").asInt());
    assertEquals("be brief", body.path("system").asText());
    assertTrue(body.path("stream").asBoolean());
    assertEquals("hello", body.path("messages").path(0).path("content").asText());
    JsonNode tool = body.path("tools").path(0);
    assertEquals("get_weather", tool.path("name").asText());
    assertEquals("Weather by city", tool.path("description").asText());
    assertEquals("string", tool.path("input_schema").path("properties").path("city").path("type").asText());

    chat(ask(List.of(ChatMessage.user("hello")), 24));
    assertEquals(24, server.lastRequest().body().path("max_tokens").asInt());
  }

  @Test
  void streamsTextDeltasAsTheyArrive() throws Exception {
    RecordingSink sink = new RecordingSink();
    // Token i is only produced once the sink holds token i-1: a client that buffered would never finish.
    server.respond(r -> Reply.tokens(4, i -> {
      try {
        if (i > 0 && !sink.awaitDeltas(i, WAIT)) {
          throw new IllegalStateException("token " + (i - 1) + " never reached the sink");
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return "w" + i;
    }));
    provider.chat(ask(List.of(ChatMessage.user("hi")), 0), sink);
    sink.awaitEnd(WAIT);

    assertEquals(List.of("w0", "w1", "w2", "w3"), sink.deltas());
    assertEquals("stop", sink.finishReason());
    // The provider's threads or its HTTP client's selector thread, which delivers the stream; never the caller's.
    String caller = Thread.currentThread().getName();
    assertTrue(sink.threads().stream().allMatch(t -> !t.equals(caller)
        && (t.startsWith("otterbot-provider-anthropic-") || t.matches("HttpClient-\\d+-SelectorManager"))), sink.threads()::toString);
  }

  @Test
  void mapsStopReasonsToOpenAiTerms() throws Exception {
    server.respond(r -> Reply.text("cut").finishReason("length"));
    assertEquals("length", chat(ask(List.of(ChatMessage.user("q")), 0)).finishReason());
    assertEquals("stop", MessagesDecoder.finishReason("stop_sequence"));
    assertEquals("refusal", MessagesDecoder.finishReason("refusal"));
  }

  @Test
  void toolUseRoundTripMergesConsecutiveResultsIntoOneUserMessage() throws Exception {
    server.respond(r -> r.hasToolResult()
        ? Reply.text("Paris ", r.toolResultContent())
        : Reply.text("Checking both.")
            .thenToolCall("get_weather", "{\"city\":\"Paris\",\"unit\":\"C\"}")
            .thenToolCall("get_weather", ""));
    List<ChatMessage> history = new ArrayList<>(List.of(ChatMessage.user("weather in Paris and Rome?")));

    RecordingSink first = chat(ask(history, 0));
    assertEquals("tool_calls", first.finishReason());
    assertEquals("Checking both.", first.text());
    List<ToolCall> calls = first.toolCalls();
    assertEquals(2, calls.size());
    assertEquals("get_weather", calls.get(0).name());
    assertEquals("{\"city\":\"Paris\",\"unit\":\"C\"}", calls.get(0).arguments());
    assertEquals("{}", calls.get(1).arguments(), "a tool_use without input deltas has empty arguments");
    assertFalse(calls.get(0).id().equals(calls.get(1).id()));

    history.add(ChatMessage.assistant(first.text(), calls));
    history.add(ChatMessage.toolResult(calls.get(0), "21"));
    history.add(ChatMessage.toolResult(calls.get(1), "25"));
    RecordingSink second = chat(ask(history, 0));
    assertEquals("Paris 25", second.text());

    List<JsonNode> messages = server.lastRequest().messages();
    assertEquals(3, messages.size(), messages::toString);
    JsonNode assistant = messages.get(1);
    assertEquals("assistant", assistant.path("role").asText());
    assertEquals("text", assistant.path("content").path(0).path("type").asText());
    assertEquals("Checking both.", assistant.path("content").path(0).path("text").asText());
    JsonNode toolUse = assistant.path("content").path(1);
    assertEquals("tool_use", toolUse.path("type").asText());
    assertEquals(calls.get(0).id(), toolUse.path("id").asText());
    assertEquals("get_weather", toolUse.path("name").asText());
    assertEquals("Paris", toolUse.path("input").path("city").asText(), "input is sent as a JSON object");
    assertTrue(assistant.path("content").path(2).path("input").isObject());
    JsonNode results = messages.get(2);
    assertEquals("user", results.path("role").asText());
    assertEquals(2, results.path("content").size());
    assertEquals("tool_result", results.path("content").path(0).path("type").asText());
    assertEquals(calls.get(0).id(), results.path("content").path(0).path("tool_use_id").asText());
    assertEquals("21", results.path("content").path(0).path("content").asText());
    assertEquals(calls.get(1).id(), results.path("content").path(1).path("tool_use_id").asText());
  }

  @Test
  void skipsEmptyAssistantTurns() throws Exception {
    chat(ask(List.of(ChatMessage.user("a"), ChatMessage.assistant("", List.of()), ChatMessage.user("b")), 0));
    List<JsonNode> messages = server.lastRequest().messages();
    assertEquals(2, messages.size(), messages::toString);
  }

  @Test
  void anErrorEventFailsWithItsMessage() throws Exception {
    server.respond(r -> Reply.sse(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"par\"}}",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
    RecordingSink sink = chat(ask(List.of(ChatMessage.user("q")), 0));
    assertEquals("par", sink.text());
    assertEquals("the provider reported an error: Overloaded", sink.failure());
  }

  @Test
  void httpErrorsNameStatusReasonAndMessageButNeverTheKey() throws Exception {
    server.respond(r -> Reply.error(401, "invalid x-api-key " + KEY));
    assertEquals("provider returned 401 Unauthorized: invalid x-api-key [redacted]",
        chat(ask(List.of(ChatMessage.user("q")), 0)).failure());

    server.respond(r -> Reply.error(429, "rate limited").retryAfter("30"));
    assertEquals("provider returned 429 Too Many Requests: rate limited (retry-after: 30)",
        chat(ask(List.of(ChatMessage.user("q")), 0)).failure());

    server.respond(r -> Reply.error(529, "Overloaded"));
    assertEquals("provider returned 529 Overloaded: Overloaded", chat(ask(List.of(ChatMessage.user("q")), 0)).failure());
  }

  @Test
  void aMissingKeyFailsWithoutARequest() throws Exception {
    Map<String, String> noKey = Map.of("ANTHROPIC_BASE_URL", server.baseUrl());
    RecordingSink sink = chat(new ChatRequest("claude-test", "", List.of(ChatMessage.user("q")), List.of(), noKey, 0));
    assertEquals("ANTHROPIC_API_KEY is not set: add it in the global settings or the agent's credentials", sink.failure());
    assertEquals(sink.failure(), assertThrows(ProviderException.class, () -> provider.listModels(noKey)).getMessage());
    assertEquals(List.of(), server.requests());
  }

  @Test
  void aStreamCutBeforeMessageStopFails() throws Exception {
    server.respond(r -> Reply.text("a", "b", "c").dropAfter(1));
    RecordingSink dropped = chat(ask(List.of(ChatMessage.user("q")), 0));
    assertEquals("the provider closed the stream before the reply was complete", dropped.failure());
    // The JDK client may discard lines that arrived just before the connection broke, so "a" itself is not certain.
    assertFalse(dropped.text().contains("b"), dropped.text());

    server.respond(r -> Reply.sse("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}"));
    assertEquals("the provider closed the stream before the reply was complete",
        chat(ask(List.of(ChatMessage.user("q")), 0)).failure());
  }

  @Test
  void aSilentStreamFailsAfterTheIdleTimeout() throws Exception {
    AnthropicProvider impatient = new AnthropicProvider(Duration.ofSeconds(1));
    try {
      server.respond(r -> Reply.text("a", "b").stallAfter(1));
      RecordingSink sink = new RecordingSink();
      impatient.chat(ask(List.of(ChatMessage.user("q")), 0), sink);
      assertEquals("Anthropic sent nothing for 1 s (idle timeout), so the reply was abandoned",
          sink.awaitEnd(WAIT).failure());
      assertEquals("a", sink.text());
    } finally {
      impatient.deactivate();
    }
  }

  @Test
  void cancelStopsDeliveryAndClosesTheConnection() throws Exception {
    server.respond(r -> Reply.tokens(10_000, i -> "t" + i).delayEachStep(Duration.ofMillis(10)));
    RecordingSink sink = new RecordingSink();
    ChatCall call = provider.chat(ask(List.of(ChatMessage.user("q")), 0), sink);
    assertTrue(sink.awaitDeltas(2, WAIT));
    call.cancel();
    int seen = sink.events().size();

    assertTrue(server.awaitClientDisconnects(1, WAIT), "the server never saw the connection close");
    assertEquals(seen, sink.events().size());
    assertEquals(0, sink.terminalCount());
  }

  @Test
  void listsModelsWithKeyAndVersionHeaders() throws Exception {
    server.respond(r -> Reply.models("claude-b", "claude-a"));
    assertEquals(List.of("claude-b", "claude-a"), provider.listModels(secrets()));
    RecordedRequest request = server.lastRequest();
    assertEquals("GET", request.method());
    assertEquals("/v1/models", request.path());
    assertEquals(KEY, request.header("x-api-key"));
    assertEquals("2023-06-01", request.header("anthropic-version"));

    server.respond(r -> Reply.error(401, "invalid x-api-key"));
    assertEquals("provider returned 401 Unauthorized: invalid x-api-key",
        assertThrows(ProviderException.class, () -> provider.listModels(secrets())).getMessage());
  }
}
