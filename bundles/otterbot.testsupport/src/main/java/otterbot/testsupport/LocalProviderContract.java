package otterbot.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/**
 * What every provider of a local OpenAI-compatible server (LM Studio, Ollama, any other) must do, against the fake
 * server: describe itself, take its endpoint from its base-URL secret, send its default key (or none) when no key is
 * set and the configured key otherwise, list models and embed text. Each provider module's test extends this with its own
 * expectations; the shared streaming and error behaviour is tested once, in otterbot.provider.support.
 */
public abstract class LocalProviderContract {
  protected static final Duration WAIT = Duration.ofSeconds(20);

  protected FakeModelServer server;
  protected ModelProvider provider;

  /** A new provider instance (outside OSGi). */
  protected abstract ModelProvider newProvider();

  /** Stops it as its component's deactivation would. */
  protected abstract void stop(ModelProvider provider);

  /** What {@link ModelProvider#info()} must say. */
  protected abstract ProviderInfo expectedInfo();

  /** The key sent when none is configured, or null when no Authorization header must be sent. */
  protected abstract String defaultKey();

  @BeforeEach
  void startServerAndProvider() throws IOException {
    server = FakeModelServer.start();
    provider = newProvider();
  }

  @AfterEach
  void stopBoth() {
    stop(provider);
    server.close();
  }

  private Map<String, String> endpoint() {
    return Map.of(expectedInfo().baseUrlEnv(), server.baseUrl());
  }

  private RecordingSink chat(Map<String, String> secrets) throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    provider.chat(new ChatRequest("local-model", "", List.of(ChatMessage.user("hello local")), List.of(), secrets, 16),
        sink);
    return sink.awaitEnd(WAIT);
  }

  private String expectedAuthorization() {
    return defaultKey() == null ? null : "Bearer " + defaultKey();
  }

  @Test
  void describesItself() {
    assertEquals(expectedInfo(), provider.info());
  }

  @Test
  void chatsAtTheConfiguredEndpointWithTheDefaultKeyOrNone() throws Exception {
    RecordingSink sink = chat(endpoint());
    assertEquals("hello local", sink.text());
    assertEquals(expectedAuthorization(), server.lastRequest().header("authorization"));
    assertEquals(16, server.lastRequest().body().path("max_tokens").asInt());
  }

  @Test
  void sendsAConfiguredKeyAsBearer() throws Exception {
    chat(Map.of(expectedInfo().baseUrlEnv(), server.baseUrl(), expectedInfo().apiKeyEnv(), "my-local-key"));
    assertEquals("Bearer my-local-key", server.lastRequest().header("authorization"));
  }

  @Test
  void listsModelsAndNamesAFailingStatus() throws Exception {
    server.respond(r -> Reply.models("qwen2.5-0.5b-instruct", "text-embedding-nomic"));
    assertEquals(List.of("qwen2.5-0.5b-instruct", "text-embedding-nomic"), provider.listModels(endpoint()));
    assertEquals(expectedAuthorization(), server.lastRequest().header("authorization"));

    server.respond(r -> Reply.error(500, "no model loaded"));
    assertEquals("provider returned 500 Internal Server Error: no model loaded",
        assertThrows(ProviderException.class, () -> provider.listModels(endpoint())).getMessage());
  }

  @Test
  void embedsAtTheConfiguredEndpointWithTheDefaultKeyOrNone() throws Exception {
    List<float[]> vectors = provider.embed(new EmbeddingRequest("nomic-embed-text", List.of("otters", "sea otters"),
        endpoint()));
    assertEquals(2, vectors.size());
    assertArrayEquals(Reply.hashedVector("sea otters", Reply.DEFAULT_DIMENSIONS), vectors.get(1));
    RecordedRequest sent = server.lastRequest();
    assertEquals("/v1/embeddings", sent.path());
    assertEquals("nomic-embed-text", sent.model());
    assertEquals(expectedAuthorization(), sent.header("authorization"));
  }
}
