package otterbot.provider.openai.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordingSink;
import otterbot.testsupport.Reply;

class OpenAiProviderTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String KEY = "sk-proj-FAKE-81e0d4aa";

  FakeModelServer server;
  OpenAiProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    provider = new OpenAiProvider(WAIT, server.baseUrl() + "/codex");
  }

  @AfterEach
  void stop() {
    provider.deactivate();
    server.close();
  }

  RecordingSink chat(Map<String, String> secrets, int maxTokens) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(new ChatRequest("gpt-test", "", List.of(ChatMessage.user("hi there")), List.of(), secrets, maxTokens),
        sink);
    return sink.awaitEnd(WAIT);
  }

  @Test
  void describesItself() {
    assertEquals(new ProviderInfo("openai", "OpenAI", true, true, true, "OPENAI_API_KEY", "OPENAI_BASE_URL",
        "https://api.openai.com/v1"), provider.info());
  }

  @Test
  void chatsAtTheBaseUrlOverrideWithTheKeyAsBearer() throws Exception {
    RecordingSink sink = chat(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl()), 24);
    assertEquals("hi there", sink.text());
    assertEquals("Bearer " + KEY, server.lastRequest().header("authorization"));
    // OpenAI's reasoning models reject max_tokens.
    assertEquals(24, server.lastRequest().body().path("max_completion_tokens").asInt());
    assertFalse(server.lastRequest().body().has("max_tokens"));
  }

  @Test
  void aMissingKeyFailsWithoutARequest() throws Exception {
    Map<String, String> noKey = Map.of("OPENAI_BASE_URL", server.baseUrl());
    assertEquals("OPENAI_API_KEY is not set: add it in the global settings or the agent's credentials",
        chat(noKey, 0).failure());
    assertThrows(ProviderException.class, () -> provider.listModels(noKey));
    assertEquals(List.of(), server.requests());
  }

  @Test
  void chatGptSignInWithoutAConnectedAccountIsRefusedWithoutARequest() throws Exception {
    Map<String, String> oauth = Map.of("OPENAI_AUTH_METHOD", "oauth", "OPENAI_BASE_URL", server.baseUrl());
    assertEquals("OpenAI OAuth is selected but no ChatGPT account is connected", chat(oauth, 0).failure());
    assertEquals("OpenAI OAuth is selected but no ChatGPT account is connected",
        assertThrows(ProviderException.class, () -> provider.listModels(oauth)).getMessage());
    assertEquals(List.of(), server.requests());
  }

  @Test
  void anUnauthorizedKeyIsReportedWithoutTheKey() throws Exception {
    server.respond(r -> Reply.error(401, "Incorrect API key provided: " + KEY + "."));
    String failure = chat(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl()), 0).failure();
    assertEquals("provider returned 401 Unauthorized: Incorrect API key provided: [redacted].", failure);
  }

  @Test
  void listsModels() throws Exception {
    server.respond(r -> Reply.models("gpt-x", "gpt-y"));
    assertEquals(List.of("gpt-x", "gpt-y"),
        provider.listModels(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl())));
    assertEquals("Bearer " + KEY, server.lastRequest().header("authorization"));
  }

  @Test
  void embedsWithTheKeyAsBearer() throws Exception {
    List<float[]> vectors = provider.embed(new EmbeddingRequest("text-embedding-3-small", List.of("a", "b c"),
        Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl())));
    assertEquals(2, vectors.size());
    assertEquals("/v1/embeddings", server.lastRequest().path());
    assertEquals("Bearer " + KEY, server.lastRequest().header("authorization"));
  }

  @Test
  void aMissingKeyFailsAnEmbeddingWithoutARequest() {
    ProviderException e = assertThrows(ProviderException.class, () -> provider.embed(
        new EmbeddingRequest("text-embedding-3-small", List.of("a"), Map.of("OPENAI_BASE_URL", server.baseUrl()))));
    assertEquals("OPENAI_API_KEY is not set: add it in the global settings or the agent's credentials", e.getMessage());
    assertTrue(server.requests().isEmpty());
  }
}
