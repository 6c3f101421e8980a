package otterbot.memory.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.credentials.CredentialService;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.MemoryService;
import otterbot.api.memory.UserProfile;
import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.ProfileStore;
import otterbot.api.persistence.StoredMemory;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderException;
import otterbot.api.settings.SettingsService;

/**
 * Agents' memories: validated, de-duplicated, bounded per agent, and found by hybrid search (upstream §7, with the
 * differences the README lists). The database ({@link MemoryStore}) is the source of truth and every write is committed
 * there first; the {@link MemoryIndex} is rebuilt from it at start and kept in step with every write.
 *
 * <p>Ranking: relevance = 0.7 × cosine similarity (meaning) + 0.3 × BM25 score relative to the best text match, then
 * weighted by the memory's importance decayed with its half-life since it was last updated or used: score = relevance
 * × (0.85 + 0.15 × decayed importance / 10). So importance and recency order memories that are about equally relevant,
 * and never lift an irrelevant one above a relevant one.
 */
@Component(service = {MemoryService.class, AgentLifecycleListener.class, MemoryServiceImpl.class},
    configurationPid = MemoryConfiguration.PID)
@Designate(ocd = MemoryConfiguration.class)
public final class MemoryServiceImpl implements MemoryService, AgentLifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryServiceImpl.class);
  static final Pattern AGENT_ID = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?");
  static final int MAX_QUERY_LENGTH = 1000;
  /** Below this a candidate is noise (cosine under 0.07 and no word in common), not a result. */
  static final double MIN_RELEVANCE = 0.05;
  static final int MAX_ENTITY_REFS = 20;
  static final int MAX_ENTITY_LENGTH = 100;
  /** How long the query's embedding may take when a prompt is being built. */
  static final Duration PROMPT_EMBED_TIMEOUT = Duration.ofSeconds(1);
  /** How long a call waits for the index while it is being built at start. */
  static final Duration INDEX_WAIT = Duration.ofSeconds(60);
  private static final int PAGE = 1000;
  private static final String ALPHABET = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MemoryStore store;
  private final ProfileStore profiles;
  static final int MAX_CACHED_PROFILES = 1024;
  /** See {@link #storedProfile}; guarded by itself, as is {@link #profileWrites}. */
  private final Map<String, Optional<String>> profileJson = new HashMap<>();
  private long profileWrites;
  private final AgentRegistry agents;
  private final Embedders embedders;
  private final MemoryIndex index = new MemoryIndex();
  private final Clock clock;
  private final int quota;
  private final double halfLifeDays;
  private final double duplicateSimilarity;
  final int promptMemories;
  final Duration learningTimeout;
  final int maxQueuedLearnings;
  /** Saves and profile updates of one agent are serialised (de-duplication, quota); stripes bound the locks. */
  private final Object[] locks = new Object[64];
  private final CountDownLatch indexed = new CountDownLatch(1);
  /** Whether the database searches vectors (pgvector), decided when the index is built; see {@link #candidates}. */
  private volatile boolean databaseVectors;
  /** Uses ({@code accessCount}) are written in the background: a search does not wait for a write. */
  private final ThreadPoolExecutor background;
  private final AtomicBoolean backfillPending = new AtomicBoolean();
  private volatile boolean closed;

  @Activate
  public MemoryServiceImpl(@Reference MemoryStore store, @Reference ProfileStore profiles,
      @Reference AgentRegistry agents, @Reference ModelService models, @Reference CredentialService credentials,
      @Reference SettingsService settings, MemoryConfiguration config) {
    this(store, profiles, agents, new Embedders(models, credentials, settings,
        Duration.ofSeconds(Math.max(1, config.embeddingTimeoutSeconds()))), config, Clock.systemUTC());
  }

  MemoryServiceImpl(MemoryStore store, ProfileStore profiles, AgentRegistry agents, Embedders embedders,
      MemoryConfiguration config, Clock clock) {
    this.store = store;
    this.profiles = profiles;
    this.agents = agents;
    this.embedders = embedders;
    this.clock = clock;
    this.quota = Math.max(1, config.maxMemoriesPerAgent());
    this.halfLifeDays = Math.max(1, config.importanceHalfLifeDays());
    this.duplicateSimilarity = Math.min(1, Math.max(0.5, config.duplicateSimilarity()));
    this.promptMemories = Math.max(0, Math.min(20, config.promptMemories()));
    this.learningTimeout = Duration.ofSeconds(Math.max(1, config.learningTimeoutSeconds()));
    this.maxQueuedLearnings = Math.max(1, config.maxQueuedLearnings());
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    AtomicInteger n = new AtomicInteger();
    this.background = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024), r -> {
      Thread t = new Thread(r, "otterbot-memory-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(null);
      return t;
    });
    Thread builder = new Thread(this::buildIndex, "otterbot-memory-index");
    builder.setDaemon(true);
    builder.start();
  }

  /**
   * The default embedders: the built-in offline model, or a bundle that replaces it (higher ranking). Public for the
   * benchmark, which runs the service on a plain class path.
   */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY, target = "(" + ModelProvider.DEFAULT_EMBEDDER + "=true)")
  public void bindEmbedder(ModelProvider provider, Map<String, Object> properties) {
    embedders.addDefault(provider, properties);
    // Memories saved while no embedder was there get their vectors now.
    backfill();
  }

  void unbindEmbedder(ModelProvider provider) {
    embedders.removeDefault(provider);
  }

  /** Public for the benchmark, which runs the service on a plain class path. */
  @Deactivate
  public void close() {
    closed = true;
    background.shutdownNow();
    embedders.close();
    try {
      indexed.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    index.close();
  }

  // ------------------------------------------------------------------------------------------ MemoryService

  @Override
  public List<MemoryEntry> list(String agentId, int limit) {
    if (agentId != null) {
      validAgentId(agentId);
    }
    return store.newest(agentId, validLimit(limit, MAX_LIST_LIMIT)).stream().map(MemoryServiceImpl::entry).toList();
  }

  @Override
  public MemoryEntry save(String agentId, MemoryInput input) {
    validAgentId(agentId);
    Valid valid = validate(input);
    AgentProfile agent = agents.get(agentId).orElseThrow(() -> OtterbotException.notFound("Unknown agent: " + agentId));
    awaitIndex();
    Embedders.Vector vector = embedOne(agent, valid.content());
    synchronized (lock(agentId)) {
      Instant now = now();
      if (valid.supersedes() != null) {
        Optional<StoredMemory> old = store.get(valid.supersedes()).filter(m -> m.agentId().equals(agentId));
        if (old.isEmpty()) {
          throw OtterbotException.invalid("supersedes: agent '" + agentId + "' has no memory '" + valid.supersedes()
              + "'");
        }
      }
      StoredMemory near = nearest(agentId, valid, vector);
      if (near != null && sameWords(near.content(), valid.content())) {
        StoredMemory confirmed = reconfirmed(near, valid, now);
        store.update(confirmed);
        index.put(confirmed);
        LOG.debug("Memory {} of agent '{}' re-confirmed instead of saving a duplicate", near.id(), agentId);
        return entry(confirmed);
      }
      var memory = new StoredMemory(newId(), agentId, valid.category(), valid.content(), valid.source(),
          valid.importance(), 0, null, valid.entityRefs(), valid.temporalMarker(), now, now, null,
          vector == null ? null : vector.model(), vector == null ? null : vector.values());
      long count = store.count(agentId);
      List<String> evict = count >= quota ? store.leastValuable(agentId, (int) Math.min(PAGE, count - quota + 1))
          : List.of();
      store.insert(memory, evict);
      if (!evict.isEmpty()) {
        LOG.info("Agent '{}' is at its quota of {} memories; evicted the {} least valuable", agentId, quota,
            evict.size());
        evict.forEach(index::remove);
      }
      index.put(memory);
      if (valid.supersedes() != null) {
        supersede(agentId, valid.supersedes(), memory.id(), now);
      }
      if (near != null) {
        // As close in meaning as a duplicate but in other words: a correction or an update of the same fact ("two
        // cats" -> "three cats", "vegetarian" -> "not vegetarian"). Embeddings barely tell these apart, so keeping
        // the old text would keep the stale fact; the newer statement wins and the old one stays listed, marked.
        supersede(agentId, near.id(), memory.id(), now);
      }
      if (vector == null && embedders.choose(agent).isPresent()) {
        // The embedding model failed but one is there now: it came back while this memory was being saved, and the
        // backfill its arrival started may have looked before this row was committed.
        backfill();
      }
      return entry(memory);
    }
  }

  @Override
  public boolean delete(String agentId, String memoryId) {
    validAgentId(agentId);
    if (memoryId == null || memoryId.isBlank() || memoryId.length() > 64) {
      return false;
    }
    awaitIndex();
    synchronized (lock(agentId)) {
      boolean deleted = store.delete(agentId, memoryId);
      if (deleted) {
        index.remove(memoryId);
      }
      return deleted;
    }
  }

  @Override
  public List<MemoryHit> search(String agentId, String query, int limit) {
    List<MemoryHit> hits = find(agentId, query, limit);
    touch(hits.stream().map(h -> h.entry().id()).toList());
    return hits;
  }

  /** {@link #search} without counting a use. */
  List<MemoryHit> find(String agentId, String query, int limit) {
    return find(agentId, query, limit, null);
  }

  /** @param embedTimeout how long the query's embedding may take (null: the configured timeout) */
  private List<MemoryHit> find(String agentId, String query, int limit, Duration embedTimeout) {
    if (agentId != null) {
      validAgentId(agentId);
    }
    if (query == null || query.isBlank()) {
      throw OtterbotException.invalid("q is required");
    }
    if (query.length() > MAX_QUERY_LENGTH) {
      throw OtterbotException.invalid("q is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    int max = validLimit(limit, MAX_SEARCH_LIMIT);
    awaitIndex();
    if (!index.holds(agentId)) {
      return List.of();
    }
    AgentProfile agent = agentId == null ? null : agents.get(agentId).orElse(null);
    Optional<Embedders.Choice> choice = agentId == null ? embedders.defaultChoice() : embedders.choose(agent);
    Embedders.Vector vector = null;
    if (choice.isPresent()) {
      try {
        vector = (embedTimeout == null ? embedders.embed(choice.get(), List.of(query))
            : embedders.embed(choice.get(), List.of(query), embedTimeout)).get(0);
      } catch (ProviderException e) {
        LOG.debug("Searching by words only: {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw OtterbotException.unavailable("interrupted", e);
      }
    }
    return rank(agentId, query, vector, max);
  }

  private List<MemoryHit> rank(String agentId, String query, Embedders.Vector vector, int limit) {
    int perSide = Math.max(2 * limit, 12);
    List<MemoryIndex.Candidate> candidates = candidates(agentId, query, vector, perSide);
    if (candidates.isEmpty()) {
      return List.of();
    }
    Map<String, StoredMemory> rows = new HashMap<>();
    for (StoredMemory m : store.get(candidates.stream().map(MemoryIndex.Candidate::id).toList())) {
      rows.put(m.id(), m);
    }
    float bestText = 0;
    for (MemoryIndex.Candidate c : candidates) {
      bestText = Math.max(bestText, c.fts());
    }
    Instant now = now();
    var hits = new ArrayList<MemoryHit>(candidates.size());
    for (MemoryIndex.Candidate c : candidates) {
      StoredMemory m = rows.get(c.id());
      // Gone meanwhile, superseded, or (an index that lags a deletion) another agent's: never returned.
      if (m == null || m.supersededBy() != null || (agentId != null && !agentId.equals(m.agentId()))) {
        continue;
      }
      float cosine = c.cosine();
      boolean byVector = cosine > -1;
      if (!byVector && vector != null && vector.model().equals(m.embeddingModel())) {
        cosine = Embedders.cosine(vector.values(), m.embedding());
      }
      double text = bestText > 0 ? c.fts() / bestText : 0;
      double relevance = 0.7 * Math.max(0, cosine) + 0.3 * text;
      if (relevance < MIN_RELEVANCE) {
        continue; // shares no word and (almost) no meaning: the nearest neighbour of nothing is not a match
      }
      double score = relevance * (0.85 + 0.15 * decayedImportance(m, now) / 10);
      String via = c.fts() > 0 && byVector ? "hybrid" : c.fts() > 0 ? "fts" : "vector";
      hits.add(new MemoryHit(entry(m), Math.round(score * 10_000) / 10_000.0, via));
    }
    hits.sort(Comparator.comparingDouble(MemoryHit::score).reversed());
    return List.copyOf(hits.subList(0, Math.min(limit, hits.size())));
  }

  /** Importance halved for every half-life since the memory was last updated or used. */
  double decayedImportance(StoredMemory m, Instant now) {
    Instant last = m.lastAccessedAt() != null && m.lastAccessedAt().isAfter(m.updatedAt()) ? m.lastAccessedAt()
        : m.updatedAt();
    double days = Math.max(0, Duration.between(last, now).toMinutes() / 1440.0);
    return m.importance() * Math.pow(0.5, days / halfLifeDays);
  }

  @Override
  public UserProfile profile(String agentId) {
    validAgentId(agentId);
    return storedProfile(agentId).map(json -> Profiles.fromJson(json, now()))
        .orElseGet(() -> UserProfile.empty(now()));
  }

  /**
   * The agent's stored profile, from memory when it was read since the last write: every chat turn puts it in its
   * prompt (issue 12: a database read of every turn's time to first token). This service is the only writer of
   * profiles, and every write drops what is held; a read that ran alongside a write is not kept.
   */
  private Optional<String> storedProfile(String agentId) {
    long seen;
    synchronized (profileJson) {
      Optional<String> held = profileJson.get(agentId);
      if (held != null) {
        return held;
      }
      seen = profileWrites;
    }
    Optional<String> loaded = profiles.profile(agentId);
    synchronized (profileJson) {
      if (profileWrites == seen) {
        if (profileJson.size() >= MAX_CACHED_PROFILES) {
          profileJson.clear();
        }
        profileJson.put(agentId, loaded);
      }
    }
    return loaded;
  }

  /** After every profile write (also a failed one: its outcome may be unknown). */
  private void profileChanged() {
    synchronized (profileJson) {
      profileWrites++;
      profileJson.clear();
    }
  }

  @Override
  public UserProfile confirm(String agentId, String bucket, String content) {
    validAgentId(agentId);
    if (bucket == null || !UserProfile.BUCKETS.contains(bucket)) {
      throw OtterbotException.invalid("bucket must be one of preferences, goals, facts");
    }
    if (content == null || content.isBlank()) {
      throw OtterbotException.invalid("content is required");
    }
    if (content.length() > Profiles.MAX_ITEM_LENGTH) {
      throw OtterbotException.invalid("content is longer than " + Profiles.MAX_ITEM_LENGTH + " characters");
    }
    synchronized (lock(agentId)) {
      UserProfile next = Profiles.confirm(profile(agentId), bucket, content, now());
      try {
        profiles.putProfile(agentId, Profiles.toJson(next));
      } finally {
        profileChanged();
      }
      return next;
    }
  }

  /** Replaces the agent's profile (the learning's dialectic update). */
  void replaceProfile(String agentId, UserProfile profile) {
    synchronized (lock(agentId)) {
      try {
        profiles.putProfile(agentId, Profiles.toJson(profile));
      } finally {
        profileChanged();
      }
    }
  }

  /**
   * Memories of the agent relevant to the text, for the learning: waits for the index and the embedding model like a
   * search.
   */
  List<MemoryHit> relevant(String agentId, String text, int limit) {
    if (limit <= 0 || text == null || text.isBlank()) {
      return List.of();
    }
    return find(agentId, Profiles.cut(text, MAX_QUERY_LENGTH), Math.min(limit, MAX_SEARCH_LIMIT));
  }

  /**
   * Memories relevant to a user's message, for the prompt: never waits for what is still starting. While the index is
   * being built there are none; a query embedding that takes longer than {@link #PROMPT_EMBED_TIMEOUT} (the model
   * still loading after a start, a slow remote endpoint) leaves the search to the words.
   */
  List<MemoryHit> relevantNow(String agentId, String text, int limit) {
    if (limit <= 0 || text == null || text.isBlank() || !indexReady()) {
      return List.of();
    }
    return find(agentId, Profiles.cut(text, MAX_QUERY_LENGTH), Math.min(limit, MAX_SEARCH_LIMIT),
        PROMPT_EMBED_TIMEOUT);
  }

  // ------------------------------------------------------------------------------------------ agents

  @Override
  public void deleted(AgentProfile agent) {
    synchronized (lock(agent.id())) {
      int memories = store.deleteAll(agent.id());
      int learned;
      try {
        learned = profiles.deleteAll(agent.id());
      } finally {
        profileChanged();
      }
      index.removeAgent(agent.id());
      // The agent registry deleted the rows already; what is left here was written while it did.
      LOG.debug("Deleted agent '{}': {} more memories and {} more profile and learning records", agent.id(), memories,
          learned);
    }
  }

  // ------------------------------------------------------------------------------------------ internals

  private record Valid(String content, String category, int importance, String source, List<String> entityRefs,
      String temporalMarker, String supersedes) {}

  private static Valid validate(MemoryInput in) {
    if (in == null || in.content() == null || in.content().isBlank()) {
      throw OtterbotException.invalid("content is required");
    }
    String content = in.content().strip();
    if (content.length() > MemoryEntry.MAX_CONTENT_LENGTH) {
      throw OtterbotException.invalid("content is longer than " + MemoryEntry.MAX_CONTENT_LENGTH + " characters");
    }
    String category = in.category() == null ? "general" : in.category();
    if (!MemoryEntry.CATEGORIES.contains(category)) {
      throw OtterbotException.invalid("category must be one of preference, fact, instruction, relationship, general");
    }
    int importance = in.importance() == null ? 5 : in.importance();
    if (importance < MemoryEntry.MIN_IMPORTANCE || importance > MemoryEntry.MAX_IMPORTANCE) {
      throw OtterbotException.invalid("importance must be an integer from 1 to 10");
    }
    String source = in.source() == null ? "user" : in.source();
    if (!MemoryEntry.SOURCES.contains(source)) {
      throw OtterbotException.invalid("source must be one of user, agent, system");
    }
    if (in.temporalMarker() != null && !MemoryEntry.TEMPORAL_MARKERS.contains(in.temporalMarker())) {
      throw OtterbotException.invalid("temporalMarker must be one of current, past, upcoming");
    }
    if (in.entityRefs().size() > MAX_ENTITY_REFS) {
      throw OtterbotException.invalid("entityRefs has more than " + MAX_ENTITY_REFS + " entries");
    }
    var refs = new LinkedHashSet<String>();
    for (String ref : in.entityRefs()) {
      if (ref == null || ref.isBlank() || ref.length() > MAX_ENTITY_LENGTH) {
        throw OtterbotException.invalid("entityRefs entries must be 1 to " + MAX_ENTITY_LENGTH + " characters");
      }
      refs.add(ref.strip());
    }
    String supersedes = in.supersedes();
    if (supersedes != null && (supersedes.isBlank() || supersedes.length() > 64)) {
      throw OtterbotException.invalid("supersedes must be a memory id");
    }
    return new Valid(content, category, importance, source, List.copyOf(refs), in.temporalMarker(), supersedes);
  }

  private void supersede(String agentId, String oldId, String newId, Instant now) {
    if (store.supersede(agentId, oldId, newId, now)) {
      index.remove(oldId);
      LOG.info("Memory {} of agent '{}' is superseded by {}", oldId, agentId, newId);
    }
  }

  /**
   * The current memory of the agent that is about the same thing, at least {@code duplicateSimilarity} close: by
   * meaning when there is a vector, else word for word. The caller decides whether it is a duplicate
   * ({@link #sameWords}) or an older statement the new one replaces.
   */
  private StoredMemory nearest(String agentId, Valid valid, Embedders.Vector vector) {
    List<MemoryIndex.Candidate> near = candidates(agentId, valid.content(), vector, 5);
    if (near.isEmpty()) {
      return null;
    }
    StoredMemory best = null;
    double bestSimilarity = -1;
    for (StoredMemory m : store.get(near.stream().map(MemoryIndex.Candidate::id).toList())) {
      if (!m.agentId().equals(agentId) || m.supersededBy() != null || m.id().equals(valid.supersedes())) {
        continue;
      }
      double similarity = Profiles.same(m.content(), valid.content()) ? 1.0
          : vector != null && vector.model().equals(m.embeddingModel()) ? Embedders.cosine(vector.values(), m.embedding())
          : -1;
      if (similarity > bestSimilarity) {
        bestSimilarity = similarity;
        best = m;
      }
    }
    return bestSimilarity >= duplicateSimilarity ? best : null;
  }

  private static final Set<String> ARTICLES = Set.of("a", "an", "the");

  /**
   * Whether two texts say the same in the same words: equal once case, punctuation and articles are set aside. "The
   * user's dog is called Rex." and "user's dog is called rex" are; "two cats" and "three cats" are not.
   */
  static boolean sameWords(String a, String b) {
    return words(a).equals(words(b));
  }

  private static List<String> words(String s) {
    return Arrays.stream(s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+"))
        .map(w -> w.replaceAll("^'+|'+$", ""))
        .filter(w -> !w.isEmpty() && !ARTICLES.contains(w))
        .toList();
  }

  private static StoredMemory reconfirmed(StoredMemory m, Valid valid, Instant now) {
    var refs = new LinkedHashSet<>(m.entityRefs());
    for (String ref : valid.entityRefs()) {
      if (refs.size() < MAX_ENTITY_REFS) {
        refs.add(ref);
      }
    }
    return new StoredMemory(m.id(), m.agentId(), m.category(), m.content(), m.source(),
        Math.max(m.importance(), valid.importance()), m.accessCount(), m.lastAccessedAt(), List.copyOf(refs),
        valid.temporalMarker() != null ? valid.temporalMarker() : m.temporalMarker(), m.createdAt(), now, null,
        m.embeddingModel(), m.embedding());
  }

  private Embedders.Vector embedOne(AgentProfile agent, String text) {
    Optional<Embedders.Choice> choice = embedders.choose(agent);
    if (choice.isEmpty()) {
      return null;
    }
    try {
      return embedders.embed(choice.get(), List.of(text)).get(0);
    } catch (ProviderException e) {
      LOG.warn("A memory of agent '{}' is saved without a vector for now: {}", agent.id(), e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OtterbotException.unavailable("interrupted", e);
    }
  }

  /** Counts a use of each memory ({@code accessCount}, {@code lastAccessedAt}), in the background. */
  void touch(Collection<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    Instant at = now();
    try {
      background.execute(() -> {
        try {
          store.touch(ids, at);
        } catch (RuntimeException e) {
          LOG.debug("Counting the use of {} memories failed: {}", ids.size(), e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("Uses of {} memories not counted: the queue is full", ids.size());
    }
  }

  /**
   * Full text candidates from the index, and vector candidates from the index or, with pgvector, from the database;
   * each side {@code perSide} at most, merged by id.
   */
  private List<MemoryIndex.Candidate> candidates(String agentId, String text, Embedders.Vector vector, int perSide) {
    if (!databaseVectors || vector == null) {
      return index.search(agentId, text, vector == null ? null : vector.values(),
          vector == null ? null : vector.model(), perSide);
    }
    List<MemoryIndex.Candidate> byText = index.search(agentId, text, null, null, perSide);
    List<MemoryStore.Nearest> byVector;
    try {
      byVector = store.nearest(agentId, vector.model(), vector.values(), perSide);
    } catch (RuntimeException e) {
      LOG.debug("Searching by words only, the database's vector search failed: {}", e.toString());
      return byText;
    }
    Map<String, MemoryIndex.Candidate> merged = new LinkedHashMap<>();
    byText.forEach(c -> merged.put(c.id(), c));
    for (MemoryStore.Nearest n : byVector) {
      merged.merge(n.id(), new MemoryIndex.Candidate(n.id(), 0, (float) n.cosine()),
          (a, b) -> new MemoryIndex.Candidate(a.id(), a.fts(), b.cosine()));
    }
    return List.copyOf(merged.values());
  }

  /** Reads every memory from the database into the index, then gives missing vectors to those without. */
  private void buildIndex() {
    long started = System.nanoTime();
    int count = 0;
    try {
      databaseVectors = store.searchesVectors();
    } catch (RuntimeException e) {
      LOG.warn("Could not ask the database whether it searches vectors; they are searched in-process: {}",
          e.toString());
    }
    index.keepVectors(!databaseVectors);
    try {
      String after = null;
      while (!closed) {
        List<StoredMemory> page = store.page(after, PAGE);
        for (StoredMemory m : page) {
          index.put(m);
        }
        count += page.size();
        if (page.size() < PAGE) {
          break;
        }
        after = page.get(page.size() - 1).id();
      }
      LOG.info("Memory index built: {} memories in {} ms{}", count, (System.nanoTime() - started) / 1_000_000,
          databaseVectors ? " (words only: the database searches the vectors)" : "");
    } catch (RuntimeException e) {
      LOG.error("Building the memory index failed after {} memories; search finds only what is saved from now on: {}",
          count, e.toString());
    } finally {
      indexed.countDown();
    }
    backfill();
  }

  /** Embeds, in the background, the memories that have no vector (saved while no embedding model answered). */
  void backfill() {
    if (closed || indexed.getCount() > 0 || !backfillPending.compareAndSet(false, true)) {
      return;
    }
    try {
      background.execute(() -> {
        backfillPending.set(false);
        runBackfill();
      });
    } catch (RejectedExecutionException e) {
      backfillPending.set(false);
    }
  }

  private void runBackfill() {
    int done = 0;
    String after = null;
    Map<String, Optional<AgentProfile>> owners = new HashMap<>();
    while (!closed) {
      List<StoredMemory> page = store.page(after, PAGE);
      List<StoredMemory> missing = page.stream().filter(m -> m.embedding() == null && m.supersededBy() == null)
          .toList();
      for (int i = 0; i < missing.size() && !closed; i += Embedders.MAX_BATCH) {
        List<StoredMemory> batch = missing.subList(i, Math.min(missing.size(), i + Embedders.MAX_BATCH));
        // One agent's batch at a time: each agent may use another model.
        Map<String, List<StoredMemory>> byAgent = new HashMap<>();
        batch.forEach(m -> byAgent.computeIfAbsent(m.agentId(), k -> new ArrayList<>()).add(m));
        for (Map.Entry<String, List<StoredMemory>> e : byAgent.entrySet()) {
          Optional<AgentProfile> agent = owners.computeIfAbsent(e.getKey(), agents::get);
          Optional<Embedders.Choice> choice = agent.flatMap(embedders::choose);
          if (choice.isEmpty()) {
            continue;
          }
          try {
            List<Embedders.Vector> vectors = embedders.embed(choice.get(),
                e.getValue().stream().map(StoredMemory::content).toList());
            for (int j = 0; j < vectors.size(); j++) {
              StoredMemory m = e.getValue().get(j).withEmbedding(vectors.get(j).model(), vectors.get(j).values());
              synchronized (lock(m.agentId())) {
                if (store.update(m)) {
                  index.put(m);
                  done++;
                }
              }
            }
          } catch (ProviderException ex) {
            LOG.info("Giving vectors to older memories stopped: {}; it goes on when an embedding model is back",
                ex.getMessage());
            return;
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
          } catch (RuntimeException ex) {
            LOG.warn("Giving vectors to older memories failed: {}", ex.toString());
            return;
          }
        }
      }
      if (page.size() < PAGE) {
        break;
      }
      after = page.get(page.size() - 1).id();
    }
    if (done > 0) {
      LOG.info("Gave vectors to {} memories that were saved without one", done);
    }
  }

  private void awaitIndex() {
    try {
      if (!indexed.await(INDEX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new OtterbotException(OtterbotException.Kind.UNAVAILABLE,
            "the memory index is still being built; try again in a moment");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OtterbotException.unavailable("interrupted", e);
    }
  }

  /** Whether the index has been built (for tests and health). */
  boolean indexReady() {
    return indexed.getCount() == 0;
  }

  private Object lock(String agentId) {
    return locks[(agentId.hashCode() & 0x7fffffff) % locks.length];
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static void validAgentId(String agentId) {
    if (agentId == null || !AGENT_ID.matcher(agentId).matches()) {
      throw OtterbotException.invalid("agentId must be an agent id: 1 to 128 lower-case letters, digits, '_' or '-'");
    }
  }

  private static int validLimit(int limit, int max) {
    if (limit < 1 || limit > max) {
      throw OtterbotException.invalid("limit must be from 1 to " + max);
    }
    return limit;
  }

  static String newId() {
    var id = new StringBuilder(21);
    for (int i = 0; i < 21; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  static MemoryEntry entry(StoredMemory m) {
    return new MemoryEntry(m.id(), m.agentId(), m.category(), m.content(), m.source(), m.importance(),
        m.accessCount(), m.lastAccessedAt(), m.entityRefs(), m.temporalMarker(), m.createdAt(), m.updatedAt(),
        m.supersededBy());
  }

  /** For the learning: whether an id is a memory of the agent. */
  Set<String> currentIds(String agentId, Collection<String> ids) {
    Set<String> out = new java.util.HashSet<>();
    for (StoredMemory m : store.get(ids)) {
      if (m.agentId().equals(agentId) && m.supersededBy() == null) {
        out.add(m.id());
      }
    }
    return out;
  }
}
