package otterbot.provider.openaicompat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordingSink;
import otterbot.testsupport.Reply;

class OpenAiCompatibleServerProviderTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  FakeModelServer server;
  OpenAiCompatibleServerProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    provider = new OpenAiCompatibleServerProvider(WAIT);
  }

  @AfterEach
  void stop() {
    provider.deactivate();
    server.close();
  }

  RecordingSink chat(Map<String, String> secrets) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(new ChatRequest("local-model", "", List.of(ChatMessage.user("hello local")), List.of(), secrets, 16),
        sink);
    return sink.awaitEnd(WAIT);
  }

  @Test
  void describesItself() {
    assertEquals(new ProviderInfo("openai-compatible", "OpenAI-compatible server", true, false, false, "OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL",
        "http://localhost:8080/v1"), provider.info());
  }

  @Test
  void sendsNoAuthorizationWithoutAKey() throws Exception {
    RecordingSink sink = chat(Map.of("OPENAI_COMPATIBLE_BASE_URL", server.baseUrl()));
    assertEquals("hello local", sink.text());
    assertNull(server.lastRequest().header("authorization"));
    assertEquals(16, server.lastRequest().body().path("max_tokens").asInt());
  }

  @Test
  void sendsAConfiguredKeyAsBearer() throws Exception {
    chat(Map.of("OPENAI_COMPATIBLE_BASE_URL", server.baseUrl(), "OPENAI_COMPATIBLE_API_KEY", "vllm-key"));
    assertEquals("Bearer vllm-key", server.lastRequest().header("authorization"));
  }

  @Test
  void listsModelsWithoutAuthorization() throws Exception {
    server.respond(r -> Reply.models("llama-3.2-1b"));
    assertEquals(List.of("llama-3.2-1b"), provider.listModels(Map.of("OPENAI_COMPATIBLE_BASE_URL", server.baseUrl())));
    assertNull(server.lastRequest().header("authorization"));

    server.respond(r -> Reply.error(500, "no model loaded"));
    assertEquals("provider returned 500 Internal Server Error: no model loaded",
        assertThrows(ProviderException.class,
            () -> provider.listModels(Map.of("OPENAI_COMPATIBLE_BASE_URL", server.baseUrl()))).getMessage());
  }
}
