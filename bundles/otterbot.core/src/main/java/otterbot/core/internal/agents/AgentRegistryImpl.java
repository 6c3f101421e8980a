package otterbot.core.internal.agents;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.Agent;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentStatus;
import otterbot.api.agent.AgentSummary;
import otterbot.api.persistence.AgentStore;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.CredentialStore;
import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.ProfileStore;
import otterbot.api.persistence.SkillStore;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;
import otterbot.core.internal.chat.StatusBoard;

/**
 * The agent registry. Stored agents are loaded at activation (the COO is seeded when missing) and each is
 * registered as an {@link Agent} service; agents contributed by other bundles are tracked as {@link Agent} services
 * and come and go with their bundles.
 *
 * <p>Reads are served from an immutable snapshot, so listing never takes a lock; writes are serialised and committed to
 * the store before the snapshot changes; creates that arrive together share one commit (see {@link #creates}). A
 * create, update or delete of a stored agent changes the snapshot in place of rebuilding it (a rebuild is O(n), which
 * made creating n agents O(n²)): see {@link #slots}.
 */
@Component(service = AgentRegistry.class, immediate = true)
public final class AgentRegistryImpl implements AgentRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(AgentRegistryImpl.class);

  private final AgentStore store;
  private final SettingsService settings;
  private final BundleContext context;
  private final Clock clock;

  /** Stored agents in creation order; guarded by {@code this}. */
  private final LinkedHashMap<String, StoredAgent> stored = new LinkedHashMap<>();
  /** Contributed agents by service reference; guarded by {@code this}. */
  private final Map<ServiceReference<Agent>, Contributed> contributed = new HashMap<>();

  /**
   * The summaries of the stored agents in creation order (COO first), null where one was deleted. Snapshots share this
   * array and read only the slots below their own {@code end}, so a create writes the first free slot in place, and any
   * other change (a deletion, an update, a parent's new child count) copies the array first: an array copy is a few
   * microseconds even with thousands of agents, where rebuilding the maps was hundreds. Guarded by {@code this}.
   */
  private AgentSummary[] slots = new AgentSummary[64];
  /** Slots in use (deleted ones included) and how many of them are deleted; guarded by {@code this}. */
  private int end;
  private int holes;
  /** Slot of each stored agent; guarded by {@code this}. */
  private final HashMap<String, Integer> slotOf = new HashMap<>();
  /** How many listed agents name each id as their parent, kept for ids not (or no longer) listed too. */
  private final HashMap<String, Integer> children = new HashMap<>();
  /** Listed contributed agents (those no stored agent shadows) in registration order; rebuilt when they change. */
  private AgentSummary[] contributedSummaries = new AgentSummary[0];
  /** Every listed profile by id, for {@link #get}; changed entry by entry so that a reader never misses one. */
  private final ConcurrentHashMap<String, AgentProfile> listed = new ConcurrentHashMap<>();

  private volatile Snapshot snapshot = new Snapshot(slots, 0, contributedSummaries, 0);

  /**
   * Creates waiting for their commit (a group commit, issue 12). Each create checks and reserves its id under the
   * registry's lock and queues; whoever holds {@link #committer} then saves everything queued in one transaction of the
   * store and lists it, in queue order, so that the stored creation order is the listed one. Writing to H2 was most of
   * a create's cost, and it is paid once per commit: eight clients creating at once share one. A create returns only
   * once its own agent is committed and listed, or fails with its own error. Guarded by {@code this}.
   */
  private final ArrayDeque<PendingCreate> creates = new ArrayDeque<>();
  /** Ids of queued creates: taken, though not yet listed. Guarded by {@code this}. */
  private final HashSet<String> reserved = new HashSet<>();
  /** Held while a batch of creates is saved and listed; never taken while holding {@code this}. */
  private final ReentrantLock committer = new ReentrantLock();
  /** At most this many creates share a transaction. */
  static final int MAX_CREATE_BATCH = 64;
  /** False once deactivated: a batch committed after that registers no services. Guarded by {@code this}. */
  private boolean active = true;

  /** Live status for the summaries; optional so that the registry works without the chat runtime (tests). */
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile StatusBoard statusBoard;
  /**
   * A deleted agent's secrets, conversations, memories, learned profile and skills go with it, so a new agent with
   * the same id starts clean. The stores are asked here, not only through {@link AgentLifecycleListener}s: the memory
   * or skills bundle may be stopped when an agent is deleted, and its rows must not wait for it.
   */
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile CredentialStore credentials;
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile ConversationStore conversations;
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile MemoryStore memories;
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile ProfileStore profiles;
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
  volatile SkillStore skills;

  @Activate
  public AgentRegistryImpl(@Reference AgentStore store, @Reference SettingsService settings, BundleContext context) {
    this(store, settings, context, Clock.systemUTC());
  }

  AgentRegistryImpl(AgentStore store, SettingsService settings, BundleContext context, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.context = context;
    this.clock = clock;
    synchronized (this) {
      for (AgentProfile profile : store.loadAll()) {
        stored.put(profile.id(), new StoredAgent(profile));
      }
      if (!stored.containsKey(AgentProfile.COO_ID)) {
        AgentProfile coo = AgentRules.coo(defaultModels(), clock.instant());
        store.save(coo);
        LOG.info("Created the COO agent");
        // The COO is always listed first, whatever the store's order.
        var rest = new LinkedHashMap<>(stored);
        stored.clear();
        stored.put(coo.id(), new StoredAgent(coo));
        stored.putAll(rest);
      }
      stored.values().forEach(this::register);
      rebuild();
    }
    LOG.info("Agent registry ready with {} stored agents", stored.size());
  }

  @Deactivate
  synchronized void deactivate() {
    active = false;
    for (StoredAgent agent : stored.values()) {
      agent.unregister();
    }
  }

  @Reference(
      service = Agent.class,
      cardinality = ReferenceCardinality.MULTIPLE,
      policy = ReferencePolicy.DYNAMIC,
      // Our own registrations carry the store origin; everything else is contributed by another bundle.
      target = "(!(" + Agent.AGENT_ORIGIN + "=" + Agent.ORIGIN_STORE + "))")
  synchronized void bindAgent(ServiceReference<Agent> ref, Agent agent) {
    String bundle = ref.getBundle() == null ? "unknown" : ref.getBundle().getSymbolicName();
    AgentProfile profile;
    try {
      profile = AgentRules.contributed(agent.profile(), defaultModels(), clock.instant());
    } catch (RuntimeException e) {
      LOG.warn("Ignoring an agent contributed by bundle {}: {}", bundle, e.getMessage());
      return;
    }
    contributed.put(ref, new Contributed(profile, bundle, ref));
    if (stored.containsKey(profile.id())) {
      LOG.warn("Bundle {} contributes agent '{}', but a stored agent has that id; the stored one is used",
          bundle, profile.id());
    } else {
      LOG.info("Agent '{}' contributed by bundle {}", profile.id(), bundle);
    }
    rebuild();
  }

  synchronized void updatedAgent(ServiceReference<Agent> ref, Agent agent) {
    unbindAgent(ref, agent);
    bindAgent(ref, agent);
  }

  synchronized void unbindAgent(ServiceReference<Agent> ref, Agent agent) {
    Contributed gone = contributed.remove(ref);
    if (gone != null) {
      LOG.info("Agent '{}' of bundle {} withdrawn", gone.profile().id(), gone.bundle());
      rebuild();
    }
  }

  @Override
  public List<AgentSummary> list() {
    StatusBoard board = statusBoard;
    Snapshot snap = snapshot;
    var live = new ArrayList<AgentSummary>(snap.count());
    for (int i = 0; i < snap.end(); i++) {
      AgentSummary s = snap.slots()[i];
      if (s != null) {
        live.add(board == null ? s : withStatus(s, board));
      }
    }
    for (AgentSummary s : snap.contributed()) {
      live.add(board == null ? s : withStatus(s, board));
    }
    return Collections.unmodifiableList(live);
  }

  private static AgentSummary withStatus(AgentSummary s, StatusBoard board) {
    String status = board.status(s.id());
    return status.equals(s.status()) ? s : new AgentSummary(s.id(), s.displayName(), s.role(), status,
        s.chatModel(), s.artwork(), s.parentId(), s.activeSubagents());
  }

  @Override
  public Optional<AgentProfile> get(String id) {
    if (!AgentRules.isValidId(id)) {
      return Optional.empty();
    }
    return Optional.ofNullable(listed.get(id));
  }

  @Override
  public int count() {
    return snapshot.count();
  }

  /**
   * The id a subagent asks for ({@code <parentId>__sub__<task>}), so that its id names its task and never collides;
   * null for any other input, whose id is the slug of its name.
   */
  private String subagentId(AgentInput input) {
    if (input.id() == null || !AgentProfile.ROLE_SUBAGENT.equals(input.role()) || input.parentId() == null
        || !input.id().startsWith(input.parentId() + "__sub__") || !AgentRules.ID.matcher(input.id()).matches()) {
      return null;
    }
    if (taken(input.id())) {
      throw OtterbotException.conflict("agent '" + input.id() + "' already exists");
    }
    return input.id();
  }

  @Override
  public AgentProfile create(AgentInput input) {
    PendingCreate pending;
    synchronized (this) {
      if (input == null) {
        throw OtterbotException.invalid("displayName is required");
      }
      if (input.displayName() == null || input.displayName().isBlank()) {
        throw OtterbotException.invalid("displayName is required");
      }
      String id = subagentId(input);
      if (id == null) {
        id = AgentRules.slug(input.displayName(), this::taken);
      }
      AgentProfile profile = AgentRules.create(id, input, defaultModels(), this::exists, clock.instant());
      pending = new PendingCreate(profile);
      reserved.add(id);
      creates.add(pending);
    }
    committer.lock();
    try {
      // Queue order: this create is in one of the batches taken here, unless an earlier holder committed it already.
      while (!pending.done) {
        commit(takeCreates());
      }
    } finally {
      committer.unlock();
    }
    if (pending.failure != null) {
      throw pending.failure;
    }
    LOG.info("Created agent '{}'", pending.profile.id());
    return pending.profile;
  }

  private synchronized List<PendingCreate> takeCreates() {
    var batch = new ArrayList<PendingCreate>(Math.min(creates.size(), MAX_CREATE_BATCH));
    while (batch.size() < MAX_CREATE_BATCH && !creates.isEmpty()) {
      batch.add(creates.poll());
    }
    return batch;
  }

  /**
   * Saves a batch in one transaction, then lists it. Should that transaction fail, each create of the batch is saved
   * again alone (a save replaces, so one already written is not doubled), so that one create's trouble never fails
   * another's. Whatever happens, every create of the batch ends: its id is released, and it is listed or failed.
   */
  private void commit(List<PendingCreate> batch) {
    if (batch.isEmpty()) {
      return;
    }
    try {
      try {
        store.saveAll(batch.stream().map(p -> p.profile).toList());
      } catch (RuntimeException e) {
        if (batch.size() == 1) {
          batch.get(0).failure = e;
        } else {
          for (PendingCreate p : batch) {
            try {
              store.save(p.profile);
            } catch (RuntimeException alone) {
              p.failure = alone;
            }
          }
        }
      }
      list(batch);
    } catch (RuntimeException e) {
      // Listing broke half-way (a stopping framework): what is listed by now stays listed, the rest fails with it.
      fail(batch, e);
    } catch (Error e) {
      fail(batch, new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot create agents: " + e, e));
      throw e;
    } finally {
      synchronized (this) {
        for (PendingCreate p : batch) {
          reserved.remove(p.profile.id());
          p.done = true;
        }
      }
    }
  }

  private static void fail(List<PendingCreate> batch, RuntimeException failure) {
    for (PendingCreate p : batch) {
      if (!p.listed && p.failure == null) {
        p.failure = failure;
      }
    }
  }

  /** Lists the saved creates of a batch, in order, and publishes one snapshot for all of them. */
  private synchronized void list(List<PendingCreate> batch) {
    boolean shadows = false;
    for (PendingCreate p : batch) {
      if (p.failure != null) {
        continue;
      }
      AgentProfile profile = p.profile;
      String id = profile.id();
      StoredAgent agent = new StoredAgent(profile);
      stored.put(id, agent);
      if (active) {
        register(agent);
      }
      p.listed = true;
      if (contributedById(id) != null) {
        shadows = true; // a contributed agent of this id arrived after the reservation: rebuilt below
        continue;
      }
      listed.put(id, profile);
      if (end == slots.length) {
        slots = Arrays.copyOf(slots, slots.length * 2);
      }
      slotOf.put(id, end);
      slots[end++] = summary(profile);
      adopt(profile.parentId(), 1);
    }
    if (shadows) {
      rebuild();
    } else {
      publish();
    }
  }

  /** One create from its reservation until it is listed or has failed; fields written under {@link #committer}. */
  private static final class PendingCreate {
    final AgentProfile profile;
    boolean listed;
    boolean done;
    RuntimeException failure;

    PendingCreate(AgentProfile profile) {
      this.profile = profile;
    }
  }

  @Override
  public synchronized AgentProfile update(String id, AgentInput patch) {
    StoredAgent agent = storedOrFail(id);
    if (patch == null) {
      throw OtterbotException.invalid("request body is required");
    }
    AgentProfile updated = AgentRules.update(agent.profile(), patch, this::exists);
    if (updated.parentId() != null && createsCycle(id, updated.parentId())) {
      throw OtterbotException.invalid("parentId '" + updated.parentId() + "' would make the agent its own ancestor");
    }
    store.save(updated);
    AgentProfile before = agent.profile();
    agent.update(updated);
    listed.put(id, updated);
    if (!Objects.equals(before.parentId(), updated.parentId())) {
      adopt(before.parentId(), -1);
      adopt(updated.parentId(), 1);
    }
    refresh(id);
    publish();
    LOG.info("Updated agent '{}'", id);
    return updated;
  }

  /**
   * Tells every {@link AgentLifecycleListener}, so scheduled tasks and subagents go with their agent. Looked up at
   * the time rather than bound by DS: the listeners (scheduler, subagents) need this registry, and a DS reference
   * from here to them makes activating either side a cycle.
   */
  private void tellDeleted(AgentProfile profile) {
    Collection<ServiceReference<AgentLifecycleListener>> refs;
    try {
      refs = context.getServiceReferences(AgentLifecycleListener.class, null);
    } catch (org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
      return; // no filter, so only a stopping bundle gets here
    }
    for (ServiceReference<AgentLifecycleListener> ref : refs) {
      AgentLifecycleListener listener = context.getService(ref);
      if (listener == null) {
        continue;
      }
      try {
        listener.deleted(profile);
      } catch (RuntimeException e) {
        LOG.warn("Cleaning up after agent '{}' failed: {}", profile.id(), e.toString());
      } finally {
        context.ungetService(ref);
      }
    }
  }

  @Override
  public synchronized void delete(String id) {
    if (AgentProfile.COO_ID.equals(id)) {
      throw OtterbotException.invalid("the COO cannot be deleted");
    }
    StoredAgent agent = storedOrFail(id);
    // What belongs to the agent first: should one of these fail, the agent is still there and the delete can be
    // retried.
    CredentialStore secrets = credentials;
    if (secrets != null) {
      secrets.replace(id, Map.of());
    }
    ConversationStore history = conversations;
    if (history != null) {
      history.deleteAll(id);
    }
    MemoryStore memoryStore = memories;
    int memoryRows = memoryStore == null ? 0 : memoryStore.deleteAll(id);
    ProfileStore profileStore = profiles;
    int profileRows = profileStore == null ? 0 : profileStore.deleteAll(id);
    SkillStore skillStore = skills;
    int skillRows = skillStore == null ? 0 : skillStore.deleteAll(id);
    store.delete(id);
    stored.remove(id);
    agent.unregister();
    if (contributedById(id) != null) {
      rebuild(); // a contributed agent with this id was shadowed and is listed from now on
    } else {
      listed.remove(id);
      slots = slots.clone();
      slots[slotOf.remove(id)] = null;
      holes++;
      adopt(agent.profile().parentId(), -1);
      if (holes > 32 && holes > end / 2) {
        compact();
      }
      publish();
    }
    tellDeleted(agent.profile());
    LOG.info("Deleted agent '{}' with its secrets, conversations, {} memories, {} profile and learning records and {}"
        + " skills", id, memoryRows, profileRows, skillRows);
  }

  private StoredAgent storedOrFail(String id) {
    StoredAgent agent = AgentRules.isValidId(id) ? stored.get(id) : null;
    if (agent != null) {
      return agent;
    }
    Contributed c = contributedById(id);
    if (c != null) {
      throw OtterbotException.conflict(
          "agent '" + id + "' is provided by bundle " + c.bundle() + "; remove that bundle to remove the agent");
    }
    throw OtterbotException.notFound("not found");
  }

  private Contributed contributedById(String id) {
    return contributed.values().stream()
        .filter(c -> c.profile().id().equals(id))
        .min(Comparator.comparingLong(Contributed::serviceId))
        .orElse(null);
  }

  private boolean exists(String id) {
    return stored.containsKey(id) || contributedById(id) != null;
  }

  /** Whether a new agent may not take this id: one exists, or a create that is being committed has it. */
  private boolean taken(String id) {
    return reserved.contains(id) || exists(id);
  }

  private boolean createsCycle(String id, String parentId) {
    String current = parentId;
    for (int depth = 0; current != null && depth < 1000; depth++) {
      if (current.equals(id)) {
        return true;
      }
      StoredAgent parent = stored.get(current);
      current = parent == null ? null : parent.profile().parentId();
    }
    return false;
  }

  private AgentModels defaultModels() {
    GlobalSettings global = settings.global();
    return new AgentModels(global.defaultChatModel(), global.defaultEmbeddingModel());
  }

  private void register(StoredAgent agent) {
    var props = new Hashtable<String, Object>();
    props.put(Agent.AGENT_ID, agent.profile().id());
    props.put(Agent.AGENT_ORIGIN, Agent.ORIGIN_STORE);
    props.put(Constants.SERVICE_DESCRIPTION, agent.profile().displayName());
    agent.registration(context.registerService(Agent.class, agent, props));
  }

  /** The summary of a profile as listed, with its current child count; must hold the lock. */
  private AgentSummary summary(AgentProfile p) {
    return new AgentSummary(p.id(), p.displayName(), p.role(), AgentStatus.IDLE, p.model().chat(), p.artwork(),
        p.parentId(), children.getOrDefault(p.id(), 0));
  }

  /** Counts one more (or one fewer) child of {@code parentId} and updates the parent's summary; must hold the lock. */
  private void adopt(String parentId, int delta) {
    if (parentId == null) {
      return;
    }
    int count = children.getOrDefault(parentId, 0) + delta;
    if (count == 0) {
      children.remove(parentId);
    } else {
      children.put(parentId, count);
    }
    refresh(parentId);
  }

  /** Re-derives the listed summary of {@code id} after its profile or child count changed; must hold the lock. */
  private void refresh(String id) {
    Integer slot = slotOf.get(id);
    if (slot != null) {
      slots = slots.clone(); // snapshots share the array: never write a slot they read
      slots[slot] = summary(stored.get(id).profile());
    } else if (listed.containsKey(id)) {
      contributedSummaries = contributedSummaries(); // few, and only when a contributed agent gains a child
    }
  }

  /** Drops the deleted slots, so that deleting agents one by one costs O(n) only now and then; must hold the lock. */
  private void compact() {
    var kept = new AgentSummary[Math.max(64, Integer.highestOneBit(Math.max(1, end - holes)) * 2)];
    int n = 0;
    slotOf.clear();
    for (int i = 0; i < end; i++) {
      if (slots[i] != null) {
        slotOf.put(slots[i].id(), n);
        kept[n++] = slots[i];
      }
    }
    slots = kept;
    end = n;
    holes = 0;
  }

  /** Makes the current state the one readers see; must hold the lock. */
  private void publish() {
    snapshot = new Snapshot(slots, end, contributedSummaries, end - holes + contributedSummaries.length);
  }

  /** The listed contributed agents: those whose id no stored agent has, first registered first; must hold the lock. */
  private AgentSummary[] contributedSummaries() {
    var seen = new HashSet<String>();
    return contributed.values().stream()
        .sorted(Comparator.comparingLong(Contributed::serviceId))
        .map(Contributed::profile)
        .filter(p -> !stored.containsKey(p.id()) && seen.add(p.id()))
        .map(this::summary)
        .toArray(AgentSummary[]::new);
  }

  /**
   * Derives everything listed from {@link #stored} and {@link #contributed}: at activation and when contributed
   * agents come or go (rare, and their bundle's start costs far more); must hold the lock.
   */
  private void rebuild() {
    var profiles = new LinkedHashMap<String, AgentProfile>();
    for (StoredAgent agent : stored.values()) {
      profiles.put(agent.profile().id(), agent.profile());
    }
    contributed.values().stream()
        .sorted(Comparator.comparingLong(Contributed::serviceId))
        .forEach(c -> profiles.putIfAbsent(c.profile().id(), c.profile()));
    children.clear();
    for (AgentProfile p : profiles.values()) {
      if (p.parentId() != null) {
        children.merge(p.parentId(), 1, Integer::sum);
      }
    }
    // Entry by entry, so that get() never misses an agent that stays.
    listed.putAll(profiles);
    listed.keySet().retainAll(profiles.keySet());
    slots = new AgentSummary[Math.max(64, Integer.highestOneBit(Math.max(1, stored.size())) * 2)];
    slotOf.clear();
    end = 0;
    holes = 0;
    for (StoredAgent agent : stored.values()) {
      slotOf.put(agent.profile().id(), end);
      slots[end++] = summary(agent.profile());
    }
    contributedSummaries = contributedSummaries();
    publish();
  }

  /** What readers see: {@code slots[0, end)} (nulls skipped), then the contributed agents; {@code count} listed. */
  private record Snapshot(AgentSummary[] slots, int end, AgentSummary[] contributed, int count) {}

  private record Contributed(AgentProfile profile, String bundle, ServiceReference<Agent> ref) {
    /** Registration order, so contributed agents list in the order their bundles offered them. */
    long serviceId() {
      return (Long) ref.getProperty(Constants.SERVICE_ID);
    }
  }

  /** A stored agent as a service; its profile changes on update, its registration follows. */
  private static final class StoredAgent implements Agent {
    private volatile AgentProfile profile;
    private ServiceRegistration<Agent> registration;

    StoredAgent(AgentProfile profile) {
      this.profile = profile;
    }

    @Override
    public AgentProfile profile() {
      return profile;
    }

    void update(AgentProfile updated) {
      profile = updated;
      if (registration != null) {
        var props = new Hashtable<String, Object>();
        props.put(Agent.AGENT_ID, updated.id());
        props.put(Agent.AGENT_ORIGIN, Agent.ORIGIN_STORE);
        props.put(Constants.SERVICE_DESCRIPTION, updated.displayName());
        registration.setProperties(props);
      }
    }

    void registration(ServiceRegistration<Agent> registration) {
      this.registration = registration;
    }

    void unregister() {
      if (registration != null) {
        try {
          registration.unregister();
        } catch (IllegalStateException alreadyGone) {
          // The framework unregisters everything when our bundle stops; nothing left to do.
        }
        registration = null;
      }
    }
  }
}
