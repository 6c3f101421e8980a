package otterbot.provider.lmstudio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

class LmStudioProviderTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  FakeModelServer server;
  LmStudioProvider provider;

  @BeforeEach
  void start() throws IOException {
    server = FakeModelServer.start();
    provider = new LmStudioProvider(WAIT);
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
    assertEquals(new ProviderInfo("lmstudio", "LM Studio (local)", true, true, false, "LMSTUDIO_API_KEY", "LMSTUDIO_BASE_URL",
        "http://localhost:1234/v1"), provider.info());
  }

  @Test
  void sendsTheDefaultKeyWhenNoneIsSet() throws Exception {
    RecordingSink sink = chat(Map.of("LMSTUDIO_BASE_URL", server.baseUrl()));
    assertEquals("hello local", sink.text());
    assertEquals("Bearer lm-studio", server.lastRequest().header("authorization"));
    assertEquals(16, server.lastRequest().body().path("max_tokens").asInt());
  }

  @Test
  void sendsAConfiguredKeyInstead() throws Exception {
    chat(Map.of("LMSTUDIO_BASE_URL", server.baseUrl(), "LMSTUDIO_API_KEY", "my-local-key"));
    assertEquals("Bearer my-local-key", server.lastRequest().header("authorization"));
  }

  @Test
  void listsModelsWithTheDefaultKey() throws Exception {
    server.respond(r -> Reply.models("qwen2.5-0.5b-instruct", "text-embedding-nomic"));
    assertEquals(List.of("qwen2.5-0.5b-instruct", "text-embedding-nomic"),
        provider.listModels(Map.of("LMSTUDIO_BASE_URL", server.baseUrl())));
    assertEquals("Bearer lm-studio", server.lastRequest().header("authorization"));

    server.respond(r -> Reply.error(404, "not found"));
    assertEquals("provider returned 404 Not Found: not found",
        assertThrows(ProviderException.class, () -> provider.listModels(Map.of("LMSTUDIO_BASE_URL", server.baseUrl())))
            .getMessage());
  }
}
