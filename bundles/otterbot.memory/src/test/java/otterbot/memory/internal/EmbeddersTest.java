package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;

class EmbeddersTest {
  final Fixtures.WordsEmbedder builtIn = new Fixtures.WordsEmbedder("minilm");
  final Fixtures.WordsEmbedder remote = new Fixtures.WordsEmbedder("openaicompat");
  final Fixtures.Models models = new Fixtures.Models().add(builtIn).add(remote);
  final Embedders embedders = new Embedders(models, Fixtures.CREDENTIALS, Fixtures.SETTINGS, Duration.ofSeconds(5));

  @AfterEach
  void close() {
    embedders.close();
  }

  static AgentProfile agent(ModelRef chat, ModelRef embedding) {
    return new AgentProfile("alice", "alice", "agent", "", new AgentModels(chat, embedding), List.of(), List.of(),
        "local", null, new Artwork("p"), true, 5, null, Instant.EPOCH, true);
  }

  @Test
  void anAgentsOwnEmbeddingModelIsUsedWhenItNamesAProviderThatEmbeds() throws Exception {
    embedders.addDefault(builtIn, Map.of(ModelProvider.PROVIDER_ID, "minilm"));
    ModelRef chat = new ModelRef("openaicompat", "llama3");
    Embedders.Choice own = embedders.choose(agent(chat, new ModelRef("openaicompat", "nomic-embed-text"))).orElseThrow();
    assertEquals("openaicompat", own.providerId());
    assertEquals("nomic-embed-text", own.modelId());
    assertEquals("alice", own.agentId(), "with the agent's own secrets");
    List<Embedders.Vector> vectors = embedders.embed(own, List.of("a cat", "two dogs"));
    assertEquals("openaicompat/nomic-embed-text/256", vectors.get(0).model());
    assertEquals(1.0, Embedders.cosine(vectors.get(0).values(), vectors.get(0).values()), 1e-5, "unit length");

    // Upstream copies the chat model into the embedding slot: a chat model is no embedding model.
    assertEquals("minilm", embedders.choose(agent(chat, chat)).orElseThrow().providerId());
    // A provider that does not embed (or is not installed) falls back to the default too.
    assertEquals("minilm", embedders.choose(agent(chat, new ModelRef("anthropic", "claude"))).orElseThrow()
        .providerId());
  }

  @Test
  void aDefaultEmbedderWithAHigherRankingReplacesTheBuiltInOne() {
    assertTrue(embedders.choose(agent(new ModelRef("builtin", "x"), null)).isEmpty(), "none yet: words only");
    embedders.addDefault(builtIn, Map.of(ModelProvider.PROVIDER_ID, "minilm"));
    embedders.addDefault(remote, Map.of(ModelProvider.PROVIDER_ID, "openaicompat",
        org.osgi.framework.Constants.SERVICE_RANKING, 10));
    assertEquals("openaicompat", embedders.defaultChoice().orElseThrow().providerId());
    embedders.removeDefault(remote);
    assertEquals("minilm", embedders.defaultChoice().orElseThrow().providerId());
  }

  @Test
  void anEmbedderThatFailsOrAnswersNonsenseIsAProviderException() {
    embedders.addDefault(builtIn, Map.of(ModelProvider.PROVIDER_ID, "minilm"));
    builtIn.down = true;
    Embedders.Choice choice = embedders.defaultChoice().orElseThrow();
    assertEquals("the embedder is down",
        assertThrows(ProviderException.class, () -> embedders.embed(choice, List.of("x"))).getMessage());
  }
}
