package otterbot.memory.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.ModelRef;
import otterbot.api.credentials.CredentialService;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderException;
import otterbot.api.settings.SettingsService;

/**
 * Chooses and calls the embedding model of an agent:
 * <ol>
 *   <li>the agent's own {@code model.embedding}, when it names a registered provider that embeds and differs from its
 *       chat model (upstream copies the chat model into the embedding slot when none is given, and a chat model is no
 *       embedding model);
 *   <li>else the global {@code defaultEmbeddingModel}, when its provider embeds;
 *   <li>else the server's default embedder: the {@link ModelProvider#DEFAULT_EMBEDDER} provider with the highest
 *       ranking, the built-in offline all-MiniLM-L6-v2 unless a bundle replaces it.
 * </ol>
 * Calls run on threads of their own with a timeout, so a hanging provider never holds a chat turn or a request.
 */
final class Embedders implements AutoCloseable {
  /** The most texts sent in one call. */
  static final int MAX_BATCH = 32;

  /** A model choice: the provider, the model id to ask for, and the key stored with the vectors. */
  record Choice(ModelProvider provider, String modelId, String providerId, String agentId) {
    /** Identifies the vector space; the dimension is added once known ({@link #key(int)}). */
    String key(int dimension) {
      return providerId + "/" + (modelId == null ? "default" : modelId) + "/" + dimension;
    }
  }

  private record Ranked(ModelProvider provider, String id, int ranking, long serviceId) {}

  private final ModelService models;
  private final CredentialService credentials;
  private final SettingsService settings;
  private final Duration timeout;
  private final ExecutorService calls;
  private volatile List<Ranked> defaults = List.of();

  Embedders(ModelService models, CredentialService credentials, SettingsService settings, Duration timeout) {
    this.models = models;
    this.credentials = credentials;
    this.settings = settings;
    this.timeout = timeout;
    AtomicInteger n = new AtomicInteger();
    this.calls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "otterbot-embedding-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(null);
      return t;
    });
  }

  synchronized void addDefault(ModelProvider provider, Map<String, Object> properties) {
    var next = new ArrayList<>(defaults);
    next.add(new Ranked(provider, String.valueOf(properties.get(ModelProvider.PROVIDER_ID)),
        properties.get(org.osgi.framework.Constants.SERVICE_RANKING) instanceof Integer r ? r : 0,
        properties.get(org.osgi.framework.Constants.SERVICE_ID) instanceof Long l ? l : 0L));
    // Highest ranking first; among equals the oldest registration.
    next.sort(Comparator.comparingInt(Ranked::ranking).reversed().thenComparingLong(Ranked::serviceId));
    defaults = List.copyOf(next);
  }

  synchronized void removeDefault(ModelProvider provider) {
    defaults = defaults.stream().filter(r -> r.provider() != provider).toList();
  }

  /** The agent's embedding model now, or empty when there is none (then search is full text only). */
  Optional<Choice> choose(AgentProfile agent) {
    if (agent != null && agent.model() != null) {
      ModelRef own = agent.model().embedding();
      if (own != null && !own.equals(agent.model().chat())) {
        Optional<Choice> choice = embedding(own, agent.id());
        if (choice.isPresent()) {
          return choice;
        }
      }
    }
    ModelRef global = settings.global().defaultEmbeddingModel();
    if (global != null) {
      Optional<Choice> choice = embedding(global, agent == null ? null : agent.id());
      if (choice.isPresent()) {
        return choice;
      }
    }
    return defaultChoice();
  }

  /** The server's default embedder, for searches across agents. */
  Optional<Choice> defaultChoice() {
    List<Ranked> now = defaults;
    return now.isEmpty() ? Optional.empty() : Optional.of(new Choice(now.get(0).provider(), null, now.get(0).id(), null));
  }

  private Optional<Choice> embedding(ModelRef ref, String agentId) {
    boolean embeds = models.providers().stream()
        .anyMatch(info -> info.id().equals(ref.provider()) && info.supportsEmbeddings());
    if (!embeds) {
      return Optional.empty();
    }
    return models.provider(ref.provider()).map(p -> new Choice(p, ref.modelId(), ref.provider(), agentId));
  }

  /** A vector and the key of its model. */
  record Vector(String model, float[] values) {}

  /**
   * Embeds texts with the choice's model: unit vectors, one per text.
   *
   * @throws ProviderException when the provider fails, answers late or answers nonsense
   */
  List<Vector> embed(Choice choice, List<String> texts) throws ProviderException, InterruptedException {
    return embed(choice, texts, timeout);
  }

  /** {@link #embed(Choice, List)} with a deadline of its own (a prompt waits less than a save). */
  List<Vector> embed(Choice choice, List<String> texts, Duration timeout) throws ProviderException,
      InterruptedException {
    Map<String, String> secrets = choice.agentId() == null ? Map.of() : credentials.effectiveSecrets(choice.agentId());
    var request = new EmbeddingRequest(choice.modelId(), texts, secrets);
    Future<List<float[]>> call = calls.submit(() -> choice.provider().embed(request));
    List<float[]> vectors;
    try {
      vectors = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new ProviderException("the embedding model of '" + choice.providerId() + "' did not answer within "
          + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      call.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProviderException p) {
        throw p;
      }
      throw new ProviderException("the embedding model of '" + choice.providerId() + "' failed: " + e.getCause());
    }
    if (vectors == null || vectors.size() != texts.size()) {
      throw new ProviderException("the embedding model of '" + choice.providerId() + "' returned "
          + (vectors == null ? 0 : vectors.size()) + " vectors for " + texts.size() + " texts");
    }
    var out = new ArrayList<Vector>(vectors.size());
    int dimension = -1;
    for (float[] v : vectors) {
      if (v == null || v.length == 0 || (dimension != -1 && v.length != dimension)) {
        throw new ProviderException("the embedding model of '" + choice.providerId() + "' returned vectors of"
            + " different lengths");
      }
      dimension = v.length;
      out.add(new Vector(choice.key(dimension), normalised(v)));
    }
    return out;
  }

  static float[] normalised(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    float[] out = v.clone();
    if (sum > 0 && Double.isFinite(sum)) {
      float scale = (float) (1 / Math.sqrt(sum));
      for (int i = 0; i < out.length; i++) {
        out[i] *= scale;
      }
    }
    return out;
  }

  static float cosine(float[] a, float[] b) {
    if (a == null || b == null || a.length != b.length) {
      return -1;
    }
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return (float) dot;
  }

  @Override
  public void close() {
    calls.shutdownNow();
  }
}
