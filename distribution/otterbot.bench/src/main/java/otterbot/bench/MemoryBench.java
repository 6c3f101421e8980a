package otterbot.bench;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.api.credentials.CredentialService;
import otterbot.api.memory.MemoryHit;
import otterbot.api.persistence.StoredMemory;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;
import otterbot.memory.internal.MemoryConfiguration;
import otterbot.memory.internal.MemoryServiceImpl;
import otterbot.persistence.jpa.internal.JpaDatabase;
import otterbot.persistence.jpa.internal.JpaMemoryStore;
import otterbot.persistence.jpa.internal.JpaProfileStore;
import otterbot.provider.minilm.internal.MiniLmProvider;

/**
 * Memory search in this JVM, with the server's own classes: the JPA memory store on H2 (a file) and on PostgreSQL
 * (127.0.0.1:5432, database test, a schema of its own dropped afterwards; skipped when none answers), the Lucene index
 * and the built-in all-MiniLM-L6-v2 embedder. For each size (one agent holding 1k, 10k, 100k memories) it prints the
 * time to build the index from the database and the search latency, p50 and p99, of {@code MemoryService.search}
 * with a query that must first be embedded: what a chat turn pays for its relevant memories.
 *
 * <p>The corpus: {@value #DISTINCT} distinct sentences about a user, embedded with the real model; larger corpora
 * repeat them with a number and a little noise on the vector (so no two vectors are equal), because embedding 100k
 * texts would take minutes and measure the model, not the search.
 */
final class MemoryBench {
  static final String PART = "memory";
  static final int DISTINCT = 1500;
  static final String AGENT = "bench-agent";
  static final String PGVECTOR = "PostgreSQL+pgvector";

  private MemoryBench() {}

  static void run(List<Integer> sizes, int queries) throws Exception {
    line("Memory search: one agent, the JPA store, the Lucene index, all-MiniLM-L6-v2 query embedding (%d cores, load"
        + " %s)", Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
    MiniLmProvider embedder = new MiniLmProvider();
    List<String> sentences = corpus();
    long start = System.nanoTime();
    List<float[]> vectors = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i += 64) {
      vectors.addAll(embedder.embed(new EmbeddingRequest(null, sentences.subList(i, Math.min(sentences.size(), i + 64)),
          Map.of())));
    }
    line("  corpus: %d distinct sentences embedded in %d ms (%.2f ms each)", sentences.size(),
        (System.nanoTime() - start) / 1_000_000, (System.nanoTime() - start) / 1e6 / sentences.size());
    List<String> questions = queries();
    Path dir = Files.createTempDirectory("otterbot-memory-bench");
    try {
      for (String db : System.getProperty("bench.memoryDatabases", "H2,PostgreSQL," + PGVECTOR).split(",")) {
        for (int size : sizes) {
          JpaDatabase database = open(db, dir, size);
          if (database == null) {
            line("  %s: no server on 127.0.0.1:5432; skipped", db);
            break;
          }
          try {
            measure(db, database, embedder, sentences, vectors, questions, size, queries);
          } finally {
            database.shutdown();
            drop(db);
          }
        }
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      EmbeddingBench.invokeDeactivate(embedder);
    }
  }

  private static void measure(String db, JpaDatabase database, MiniLmProvider embedder, List<String> sentences,
      List<float[]> vectors, List<String> questions, int size, int queries) throws Exception {
    // "PostgreSQL" scores vectors in-process, as without pgvector; PGVECTOR lets the database search them. The
    // memories are written without pgvector either way: the store that the service starts on below then adds them
    // to pgvector's column and builds its index in bulk, as at the first start with pgvector on an existing database
    // (maintaining the HNSW index row by row took 245 s for 100k inserts).
    JpaMemoryStore store = new JpaMemoryStore(database, false);
    if (db.equals(PGVECTOR) && !new JpaMemoryStore(database, true).searchesVectors()) {
      line("  %s: the database has no pgvector extension; skipped", db);
      return;
    }
    JpaProfileStore profiles = new JpaProfileStore(database);
    long start = System.nanoTime();
    fill(store, sentences, vectors, size);
    long fillMs = (System.nanoTime() - start) / 1_000_000;
    // The service starts on the stored memories, as a server does at its next start (with pgvector the store then
    // prepares the database afresh: its statistics included).
    store = new JpaMemoryStore(database, db.equals(PGVECTOR));
    System.gc();
    long heapBefore = usedHeap();
    start = System.nanoTime();
    Timed timed = new Timed(embedder);
    MemoryServiceImpl memory = new MemoryServiceImpl(store, profiles, agents(), models(timed), CREDENTIALS,
        SETTINGS, config(Math.max(size, 10_000)));
    bind(memory, timed);
    memory.list(AGENT, 1);
    // The first search waits for the index that the service builds from the database at start (a search gives up
    // after a minute; with pgvector the first start on existing memories also fills its column and builds its index).
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(15);
    while (true) {
      try {
        memory.search(AGENT, questions.get(0), 6);
        break;
      } catch (otterbot.api.OtterbotException e) {
        if (e.kind() != otterbot.api.OtterbotException.Kind.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
    long buildMs = (System.nanoTime() - start) / 1_000_000;
    if (db.startsWith("PostgreSQL")) {
      // What autovacuum does within a minute of a bulk write (the fill; with pgvector also the backfill of its
      // column), done before the clock starts rather than in the middle of the measurement.
      vacuumAnalyze();
    }
    System.gc();
    long heapIndex = usedHeap() - heapBefore;
    for (int i = 0; i < Math.min(100, queries); i++) {
      memory.search(AGENT, questions.get(i % questions.size()), 6);
    }
    long[] times = new long[queries];
    long[] embedding = new long[queries];
    long[] ranking = new long[queries];
    int found = 0;
    for (int i = 0; i < queries; i++) {
      String q = questions.get(i % questions.size());
      long embeddedBefore = timed.nanos.get();
      long t = System.nanoTime();
      List<MemoryHit> hits = memory.search(AGENT, q, 6);
      times[i] = System.nanoTime() - t;
      embedding[i] = timed.nanos.get() - embeddedBefore;
      ranking[i] = times[i] - embedding[i];
      found += hits.isEmpty() ? 0 : 1;
    }
    Arrays.sort(times);
    Arrays.sort(embedding);
    Arrays.sort(ranking);
    line("  %-10s %,7d memories: insert %,6d ms, index build %,6d ms (heap +%d MiB); search (embed + rank, 6"
        + " hits) p50 %6.2f ms  p99 %6.2f ms  [%d/%d with hits]  aim p99 <= 20 ms: %s", db, size, fillMs, buildMs,
        heapIndex / (1024 * 1024), ms(times, 0.5), ms(times, 0.99), found, queries,
        ms(times, 0.99) <= 20 ? "PASS" : "MISS");
    line("  %-10s %,7d memories: of which the query's embedding p50 %6.2f ms  p99 %6.2f ms; the rest (index, database)"
        + " p50 %6.2f ms  p99 %6.2f ms", db, size, ms(embedding, 0.5), ms(embedding, 0.99), ms(ranking, 0.5),
        ms(ranking, 0.99));
    memory.close();
  }

  private static void fill(JpaMemoryStore store, List<String> sentences, List<float[]> vectors, int size)
      throws Exception {
    Random random = new Random(42);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> work = new ArrayList<>();
    float[][] noise = new float[size][];
    for (int i = 0; i < size; i++) {
      float[] base = vectors.get(i % vectors.size());
      float[] v = base.clone();
      if (i >= vectors.size()) {
        for (int d = 0; d < v.length; d++) {
          v[d] += (float) (random.nextGaussian() * 0.01);
        }
      }
      noise[i] = normalised(v);
    }
    for (int t = 0; t < 2; t++) {
      work.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < size; i = next.getAndIncrement()) {
          String text = sentences.get(i % sentences.size()) + (i >= sentences.size() ? " (note " + i + ")" : "");
          store.insert(new StoredMemory(String.format(Locale.ROOT, "m%08d", i), AGENT, "fact", text, "user",
              1 + i % 10, 0, null, List.of(), null, now.minusSeconds(size - i), now.minusSeconds(size - i), null,
              "minilm/default/384", noise[i]), List.of());
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    pool.shutdown();
  }

  static float[] normalised(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  private static JpaDatabase open(String db, Path dir, int size) {
    if (db.equals("H2")) {
      return JpaDatabase.standalone("jdbc:h2:file:" + dir.resolve("bench-" + size), null, "", null, dir);
    }
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS otterbot_bench_memory CASCADE");
    } catch (Exception e) {
      return null;
    }
    return JpaDatabase.standalone("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "", "otterbot_bench_memory",
        dir);
  }

  private static void vacuumAnalyze() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("VACUUM ANALYZE otterbot_bench_memory.memories");
    }
  }

  private static void drop(String db) {
    if (db.startsWith("PostgreSQL")) {
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS otterbot_bench_memory CASCADE");
      } catch (Exception e) {
        line("  (could not drop the bench schema: %s)", e.getMessage());
      }
    }
  }

  // ------------------------------------------------------------------------------------------ the corpus

  static final String[] PEOPLE = {"sister Ana", "brother Tom", "daughter Lena", "son Max", "wife Priya", "husband Joe",
      "mother Rosa", "father Karl", "friend Sam", "colleague Mei", "neighbour Olu", "boss Ingrid", "cousin Luca",
      "grandmother Aiko", "uncle Bram"};
  static final String[] FACTS = {"is allergic to peanuts", "plays the violin in an orchestra", "works as a nurse",
      "lives in Lisbon", "has a cat called Miso", "runs marathons", "is learning Japanese", "collects vinyl records",
      "drives an old Volvo", "bakes sourdough bread on Sundays", "is afraid of flying", "studies marine biology",
      "prefers tea to coffee", "supports a football club from Porto", "repairs vintage watches",
      "volunteers at an animal shelter", "is vegetarian", "climbs in the Alps every summer", "writes crime novels",
      "has a birthday in March", "grows tomatoes on the balcony", "keeps bees", "teaches chemistry",
      "is saving for a house", "had knee surgery last year", "speaks four languages", "plays chess online",
      "is moving to Berlin in spring", "hates loud restaurants", "rides a cargo bike to work", "paints watercolours",
      "is training a puppy", "works night shifts at the hospital", "loves spicy food", "sings in a choir",
      "builds furniture from old wood", "travels to Japan in October", "is a huge fan of jazz", "fixes old radios",
      "swims in the lake every morning", "is writing a thesis on glaciers", "organises the family reunion",
      "cannot eat gluten", "collects stamps from Africa", "restores old motorbikes", "trains for a triathlon",
      "knits sweaters for the grandchildren", "plays drums in a band", "photographs birds", "brews beer at home",
      "runs a small bakery", "coaches a youth football team", "is learning to sail", "keeps a vegetable allotment",
      "is recovering from the flu", "works remotely from Porto", "plans a trip to Patagonia", "reads a book a week",
      "owns two parrots", "is a night owl", "wakes up at five every day", "dislikes horror films",
      "has a fear of spiders", "is studying for a pilot licence", "volunteers as a firefighter",
      "plays the piano badly", "is a chess club champion", "is lactose intolerant", "loves hiking in fog",
      "drinks coffee without sugar", "works for a solar energy startup", "is renovating a farmhouse",
      "rescued a stray dog", "races pigeons", "bakes cakes for weddings", "has three grandchildren",
      "is a professional translator", "walks to work", "listens to podcasts about history", "makes pottery",
      "teaches yoga", "is a data scientist", "grew up in Nairobi", "is left-handed", "wears glasses since childhood",
      "is shy in large groups", "prefers short emails", "celebrates Diwali", "plays the cello", "dances salsa",
      "is learning to code in Python", "is an early riser", "loves thunderstorms"};

  static List<String> corpus() {
    var out = new ArrayList<String>();
    for (int i = 0; out.size() < DISTINCT; i++) {
      String person = PEOPLE[i % PEOPLE.length];
      String fact = FACTS[(i / PEOPLE.length + i) % FACTS.length];
      out.add("The user's " + person + " " + fact + (i >= PEOPLE.length * FACTS.length ? " (again " + i + ")" : ""));
    }
    return out;
  }

  static List<String> queries() {
    return List.of("who plays a musical instrument", "which relative has a pet", "is anyone in the family a doctor",
        "who is moving abroad", "food allergies in the family", "who likes running", "what does Ana do for work",
        "who speaks Japanese", "hobbies involving music", "which friend cooks or bakes", "who is scared of flying",
        "who works in a hospital", "what sports does my son do", "who lives in Portugal", "who keeps animals",
        "who has health problems", "who is studying something", "what does my wife like to drink",
        "travel plans this year", "who repairs things", "who enjoys the outdoors", "creative hobbies",
        "who works with children", "dietary restrictions", "who is an early bird");
  }

  // ------------------------------------------------------------------------------------------ the rest of the server

  static AgentRegistry agents() {
    ModelRef chat = new ModelRef("builtin", "otterbot-demo");
    AgentProfile agent = new AgentProfile(AGENT, AGENT, AgentProfile.ROLE_AGENT, "", new AgentModels(chat, chat),
        List.of(), List.of("web"), "local", null, new Artwork("prototype-pete"), true, 5, null, Instant.EPOCH);
    return new AgentRegistry() {
      @Override
      public List<AgentSummary> list() {
        return List.of();
      }

      @Override
      public Optional<AgentProfile> get(String id) {
        return AGENT.equals(id) ? Optional.of(agent) : Optional.empty();
      }

      @Override
      public int count() {
        return 1;
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
    };
  }

  static ModelService models(ModelProvider embedder) {
    return new ModelService() {
      @Override
      public List<ProviderInfo> providers() {
        return List.of(embedder.info());
      }

      @Override
      public Optional<ModelProvider> provider(String id) {
        return embedder.info().id().equals(id) ? Optional.of(embedder) : Optional.empty();
      }

      @Override
      public List<String> listModels(String providerId, Map<String, String> secrets) {
        return List.of();
      }

      @Override
      public String testModel(String providerId, String modelId, Map<String, String> secrets) {
        return "";
      }
    };
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
      return Map.of();
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

  static MemoryConfiguration config(int quota) {
    return (MemoryConfiguration) Proxy.newProxyInstance(MemoryBench.class.getClassLoader(),
        new Class<?>[] {MemoryConfiguration.class}, (proxy, method, args) -> switch (method.getName()) {
          case "maxMemoriesPerAgent" -> quota;
          case "annotationType" -> MemoryConfiguration.class;
          default -> method.getDefaultValue();
        });
  }

  /** The embedder with the time spent in it counted: to tell the query's embedding from the rest of a search. */
  static final class Timed implements ModelProvider {
    final ModelProvider delegate;
    final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

    Timed(ModelProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public ProviderInfo info() {
      return delegate.info();
    }

    @Override
    public List<String> listModels(Map<String, String> secrets) throws otterbot.api.provider.ProviderException {
      return delegate.listModels(secrets);
    }

    @Override
    public otterbot.api.provider.ChatCall chat(otterbot.api.provider.ChatRequest request,
        otterbot.api.provider.ChatSink sink) {
      return delegate.chat(request, sink);
    }

    @Override
    public List<float[]> embed(EmbeddingRequest request) throws otterbot.api.provider.ProviderException {
      long t = System.nanoTime();
      try {
        return delegate.embed(request);
      } finally {
        nanos.addAndGet(System.nanoTime() - t);
      }
    }
  }

  private static void bind(MemoryServiceImpl memory, ModelProvider embedder) {
    memory.bindEmbedder(embedder, Map.of(ModelProvider.PROVIDER_ID, embedder.info().id()));
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static void line(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
