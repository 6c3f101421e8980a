package otterbot.provider.openai.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ToolCall;
import otterbot.api.provider.ToolSpec;
import otterbot.testsupport.FakeCodexBackend;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.RecordingSink;

/** The provider with ChatGPT sign-in against the fake Codex backend, with fixed credentials. */
class CodexChatTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String TOKEN = "at-test-7c1f0e9b2d";
  static final String ACCOUNT = "acct-test";
  static final Map<String, String> OAUTH = Map.of("OPENAI_AUTH_METHOD", "oauth");

  FakeCodexBackend backend;
  OpenAiProvider provider;
  volatile String token = TOKEN;
  final List<String> rejected = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    backend = FakeCodexBackend.start(TOKEN::equals, ACCOUNT);
    provider = new OpenAiProvider(WAIT, backend.baseUrl());
    provider.setAccess(new CodexAccess() {
      @Override
      public Credentials credentials() {
        return new CodexAccess.Credentials(token, ACCOUNT);
      }

      @Override
      public void rejected(String accessToken) {
        rejected.add(accessToken);
      }
    });
  }

  @AfterEach
  void stop() {
    provider.deactivate();
    backend.close();
  }

  RecordingSink chat(ChatRequest request) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(request, sink);
    return sink.awaitEnd(WAIT);
  }

  @Test
  void textStreamsFromTheResponsesBackendWithTheCodexHeadersAndStoreFalse() throws Exception {
    RecordingSink sink = chat(new ChatRequest("gpt-5.4", "Be brief.", List.of(ChatMessage.user("hi")), List.of(),
        OAUTH, 50));
    assertTrue(sink.succeeded(), sink.events().toString());
    assertEquals(List.of("Hello", " from", " Codex"), sink.deltas());
    assertEquals("stop", sink.finishReason());
    RecordedRequest request = backend.requests().get(0);
    assertEquals("/responses", request.path());
    assertEquals("Bearer " + TOKEN, request.header("authorization"));
    assertEquals(ACCOUNT, request.header("chatgpt-account-id"));
    assertEquals("responses=experimental", request.header("openai-beta"));
    assertEquals("codex_cli_rs", request.header("originator"));
    assertEquals("codex_cli_rs/0.0.0 (Otterbot)", request.header("user-agent"));
    JsonNode body = request.body();
    assertFalse(body.path("store").booleanValue());
    assertTrue(body.path("store").isBoolean());
    assertTrue(body.path("stream").booleanValue());
    assertEquals("Be brief.", body.path("instructions").textValue());
    assertEquals("gpt-5.4", body.path("model").textValue());
    assertEquals("{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}",
        body.path("input").get(0).toString());

    // The same session id on every call of this provider instance.
    chat(new ChatRequest("gpt-5.4", "", List.of(ChatMessage.user("again")), List.of(), OAUTH, 0));
    assertEquals(request.header("session_id"), backend.requests().get(1).header("session_id"));
  }

  @Test
  void aToolRoundGoesOutAsFunctionCallItemsAndComesBackAsAToolCall() throws Exception {
    backend.respond(r -> FakeCodexBackend.Answer.toolCall("get_time", "{\"zone\":\"UTC\"}"));
    ToolCall earlier = new ToolCall("call_1", "get_time", "{}");
    ChatRequest request = new ChatRequest("gpt-5.4", "sys", List.of(ChatMessage.user("time?"),
        ChatMessage.assistant("", List.of(earlier)), ChatMessage.toolResult(earlier, "10:00")),
        List.of(new ToolSpec("get_time", "The time", "{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}")),
        OAUTH, 0);
    RecordingSink sink = chat(request);
    assertTrue(sink.succeeded(), sink.events().toString());
    assertEquals("tool_calls", sink.finishReason());
    assertEquals(1, sink.toolCalls().size());
    assertEquals("get_time", sink.toolCalls().get(0).name());
    assertEquals("{\"zone\":\"UTC\"}", sink.toolCalls().get(0).arguments());
    assertTrue(sink.toolCalls().get(0).id().startsWith("call_"));

    JsonNode input = backend.requests().get(0).body().path("input");
    assertEquals("function_call", input.get(1).path("type").textValue());
    assertEquals("call_1", input.get(1).path("call_id").textValue());
    assertEquals("get_time", input.get(1).path("name").textValue());
    assertEquals("function_call_output", input.get(2).path("type").textValue());
    assertEquals("call_1", input.get(2).path("call_id").textValue());
    assertEquals("10:00", input.get(2).path("output").textValue());
    JsonNode tool = backend.requests().get(0).body().path("tools").get(0);
    assertEquals("function", tool.path("type").textValue());
    assertEquals("get_time", tool.path("name").textValue());
    assertEquals("object", tool.path("parameters").path("type").textValue());
  }

  @Test
  void aRejectedTokenIsReportedInUpstreamsWordsWithoutTheToken() throws Exception {
    token = "at-stale-token-0001";
    RecordingSink sink = chat(new ChatRequest("gpt-5.4", "", List.of(ChatMessage.user("hi")), List.of(), OAUTH, 0));
    assertTrue(sink.failure().startsWith("OpenAI OAuth request failed: 401 Unauthorized "), sink.failure());
    assertTrue(sink.failure().contains("invalid or expired access token"), sink.failure());
    assertFalse(sink.failure().contains(token));
    assertEquals(List.of(token), rejected, "the refused token is reported, so the next call refreshes it");
  }

  @Test
  void aFailedResponseFailsTheStep() throws Exception {
    backend.respond(r -> FakeCodexBackend.Answer.failed("the model is overloaded"));
    RecordingSink sink = chat(new ChatRequest("gpt-5.4", "", List.of(ChatMessage.user("hi")), List.of(), OAUTH, 0));
    assertEquals("the provider reported an error: the model is overloaded", sink.failure());
  }

  @Test
  void modelsFallBackToUpstreamsListWhenTheBackendHasNone() throws Exception {
    assertEquals(OpenAiProvider.FALLBACK_MODELS, provider.listModels(OAUTH));
  }
}
