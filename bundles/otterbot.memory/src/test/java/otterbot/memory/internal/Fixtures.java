package otterbot.memory.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.api.credentials.CredentialService;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;
import otterbot.api.tool.ToolContext;
import otterbot.testsupport.FakeEmbedder;

/** What the memory tests need around the service, without OSGi, a database or a network. */
final class Fixtures {
  private Fixtures() {}

  static AgentProfile agent(String id, String provider, boolean autoLearn) {
    ModelRef chat = new ModelRef(provider, "m");
    return new AgentProfile(id, id, AgentProfile.ROLE_AGENT, "", new AgentModels(chat, chat), List.of(),
        List.of("web"), "local", null, new Artwork("prototype-pete"), true, 5, null, Instant.EPOCH, autoLearn);
  }

  /** The service over the test's stores, with {@code embedder} as the server's default embedder. */
  static MemoryServiceImpl service(MapMemoryStore store, MapProfileStore profiles, Agents agents,
      WordsEmbedder embedder, Map<String, Object> config, Clock clock) {
    var models = new Models().add(embedder);
    var s = new MemoryServiceImpl(store, profiles, agents, new Embedders(models, CREDENTIALS, SETTINGS,
        Duration.ofSeconds(5)), config(config), clock);
    s.bindEmbedder(embedder, Map.of(ModelProvider.PROVIDER_ID, embedder.id));
    return s;
  }

  /** A tool call of that agent. */
  static ToolContext toolContext(AgentProfile agent) {
    return new ToolContext(agent, "conv-1", Map.of());
  }

  /** Waits up to 5 s for what the service writes in the background (uses are counted there), then fails. */
  static void await(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      Thread.sleep(10);
    }
  }

  /** Agents in a map the test owns. */
  static final class Agents implements AgentRegistry {
    final Map<String, AgentProfile> profiles = new ConcurrentHashMap<>();

    Agents(AgentProfile... agents) {
      for (AgentProfile a : agents) {
        profiles.put(a.id(), a);
      }
    }

    @Override
    public List<AgentSummary> list() {
      return List.of();
    }

    @Override
    public Optional<AgentProfile> get(String id) {
      return Optional.ofNullable(profiles.get(id));
    }

    @Override
    public int count() {
      return profiles.size();
    }

    @Override
    public AgentProfile create(AgentInput input) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AgentProfile update(String id, AgentInput patch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(String id) {
      throw new UnsupportedOperationException();
    }
  }

  /** Providers by id. */
  static final class Models implements ModelService {
    final Map<String, ModelProvider> providers = new ConcurrentHashMap<>();

    Models add(ModelProvider provider) {
      providers.put(provider.info().id(), provider);
      return this;
    }

    @Override
    public List<ProviderInfo> providers() {
      return providers.values().stream().map(ModelProvider::info).toList();
    }

    @Override
    public Optional<ModelProvider> provider(String id) {
      return Optional.ofNullable(providers.get(id));
    }

    @Override
    public List<String> listModels(String providerId, Map<String, String> secrets) {
      return List.of();
    }

    @Override
    public String testModel(String providerId, String modelId, Map<String, String> secrets) {
      return "ready";
    }
  }

  static final CredentialService CREDENTIALS = new CredentialService() {
    @Override
    public void replace(String agentId, Map<String, String> secrets) {}

    @Override
    public Set<String> keys(String agentId) {
      return Set.of();
    }

    @Override
    public Map<String, String> effectiveSecrets(String agentId) {
      return Map.of("KEY", "secret-of-" + agentId);
    }

    @Override
    public void deleteAll(String agentId) {}
  };

  static final SettingsService SETTINGS = new SettingsService() {
    @Override
    public boolean onboardingComplete() {
      return true;
    }

    @Override
    public void completeOnboarding() {}

    @Override
    public GlobalSettings global() {
      ModelRef builtin = new ModelRef("builtin", "otterbot-demo");
      return new GlobalSettings("obsidian", builtin, builtin, Map.of());
    }

    @Override
    public GlobalSettings updateGlobal(GlobalSettings incoming) {
      return incoming;
    }

    @Override
    public Map<String, String> providerSecrets() {
      return Map.of();
    }
  };

  /** The configuration with its defaults, some of them replaced. */
  static MemoryConfiguration config(Map<String, Object> overrides) {
    return (MemoryConfiguration) java.lang.reflect.Proxy.newProxyInstance(Fixtures.class.getClassLoader(),
        new Class<?>[] {MemoryConfiguration.class}, (proxy, method, args) -> {
          if (overrides.containsKey(method.getName())) {
            return overrides.get(method.getName());
          }
          if (method.getName().equals("annotationType")) {
            return MemoryConfiguration.class;
          }
          return method.getDefaultValue();
        });
  }

  /**
   * A deterministic embedder: a bag of lower-cased words (crudely stemmed: a trailing "s" goes) hashed into 256
   * dimensions. Texts that share words are similar, texts that share none are orthogonal; good enough to test
   * de-duplication and ranking without a model.
   */
  static final class WordsEmbedder extends FakeEmbedder {
    WordsEmbedder(String id) {
      super(id, "words");
    }

    @Override
    protected float[] embedOne(String text) {
      return vector(text);
    }

    static float[] vector(String text) {
      float[] v = new float[256];
      for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (w.length() < 2) {
          continue;
        }
        String stem = w.endsWith("s") && w.length() > 3 ? w.substring(0, w.length() - 1) : w;
        v[Math.floorMod(stem.hashCode(), 256)] += 1;
      }
      return v;
    }
  }

  /** A chat provider that answers with {@code script(request)} in two chunks, as a stream would. */
  static final class ScriptedChat implements ModelProvider {
    final String id;
    final Function<ChatRequest, String> script;
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    ScriptedChat(String id, Function<ChatRequest, String> script) {
      this.id = id;
      this.script = script;
    }

    @Override
    public ProviderInfo info() {
      return new ProviderInfo(id, id, true, false, false, null, null, null);
    }

    @Override
    public List<String> listModels(Map<String, String> secrets) {
      return List.of("m");
    }

    @Override
    public ChatCall chat(ChatRequest request, ChatSink sink) {
      requests.add(request);
      String reply = script.apply(request);
      if (reply == null) {
        sink.failed("provider returned 500");
      } else {
        int half = reply.length() / 2;
        sink.text(reply.substring(0, half));
        sink.text(reply.substring(half));
        sink.completed("stop");
      }
      return () -> {};
    }

    /** How many requests had a system prompt starting with this line. */
    long count(String firstLine) {
      return requests.stream().filter(r -> r.system().startsWith(firstLine)).count();
    }
  }

}
