package otterbot.core.internal.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import otterbot.api.OtterbotException;
import otterbot.api.agent.Agent;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.ModelRef;
import otterbot.api.persistence.AgentStore;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;

/**
 * The registry's snapshot is changed in place on create, update and delete rather than rebuilt: these check that what
 * it lists always equals what a rebuild from scratch would list (order, child counts, contributed agents).
 */
class AgentRegistryImplTest {
  private final Map<String, AgentProfile> rows = new LinkedHashMap<>();
  /** The ids of each {@code saveAll} call, in order. */
  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  /** When set, the next {@code saveAll} counts {@code entered} down and waits for {@code gate}. */
  private volatile CountDownLatch gate;
  private final CountDownLatch entered = new CountDownLatch(1);
  /** An id the store refuses to save. */
  private volatile String refused;
  private final List<Dictionary<String, ?>> registered = new ArrayList<>();
  private final List<Dictionary<String, ?>> unregistered = new ArrayList<>();
  private AgentRegistryImpl registry;

  @BeforeEach
  void setUp() {
    registry = newRegistry();
  }

  private AgentRegistryImpl newRegistry() {
    return new AgentRegistryImpl(store(), settings(), context(), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
  }

  private static AgentInput named(String name, String parentId) {
    return new AgentInput(null, name, null, null, null, null, null, null, null, null, null, null, parentId, null);
  }

  private List<String> ids() {
    return registry.list().stream().map(AgentSummary::id).toList();
  }

  private int children(String id) {
    return registry.list().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().activeSubagents();
  }

  @Test
  void listsInCreationOrderWithTheCooFirstAndMatchesARebuildAfterManyChanges() {
    var expected = new ArrayList<String>(List.of(AgentProfile.COO_ID));
    for (int i = 0; i < 300; i++) {
      expected.add(registry.create(named("Agent " + i, null)).id());
    }
    // Deleting most of them compacts the slots on the way; the order of the rest stays.
    for (int i = 0; i < 300; i++) {
      if (i % 7 != 0) {
        registry.delete("agent-" + i);
        expected.remove("agent-" + i);
      }
    }
    expected.add(registry.create(named("Late", null)).id());
    assertEquals(expected, ids());
    assertEquals(expected.size(), registry.count());
    assertTrue(registry.get("agent-7").isPresent());
    assertFalse(registry.get("agent-8").isPresent());
    assertEquals(1 + 300 + 1, registered.size(), "one Agent service per stored agent, COO included");
    assertEquals(300 - expected.size() + 2, unregistered.size());
    // A registry started from the same rows (a full rebuild) lists the same.
    assertEquals(registry.list(), newRegistryList());
  }

  private List<AgentSummary> newRegistryList() {
    return newRegistry().list();
  }

  @Test
  void childCountsFollowCreatesUpdatesAndDeletes() {
    registry.create(named("Parent", null));
    registry.create(named("Other", null));
    registry.create(named("Kid one", "parent"));
    registry.create(named("Kid two", "parent"));
    assertEquals(2, children("parent"));
    assertEquals(0, children("other"));

    registry.update("kid-two", named(null, "other"));
    assertEquals(1, children("parent"));
    assertEquals(1, children("other"));
    assertEquals("other", registry.get("kid-two").orElseThrow().parentId());

    registry.delete("kid-one");
    assertEquals(0, children("parent"));

    // The orphan kid-two counts again for a new agent of its parent's id.
    registry.delete("other");
    assertEquals("other", registry.create(named("Other", null)).id());
    assertEquals(1, children("other"));
    assertEquals(registry.list(), newRegistryList());
  }

  @Test
  void createsThatArriveWhileOneCommitsShareTheNextCommitAndListInTheOrderStored() throws Exception {
    var open = new CountDownLatch(1);
    gate = open;
    var results = new ConcurrentHashMap<Integer, Object>();
    Thread first = creator("First", 0, results);
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    var queued = new ArrayList<Thread>();
    for (int i = 1; i <= 5; i++) {
      queued.add(creator("Same name", i, results));
    }
    // Each has reserved its id and waits for the commit of "first" to end.
    for (Thread t : queued) {
      awaitWaiting(t);
    }
    assertEquals(List.of(AgentProfile.COO_ID), ids(), "nothing is listed before it is stored");
    open.countDown();
    first.join(10_000);
    for (Thread t : queued) {
      t.join(10_000);
    }

    assertEquals(List.of(List.of("first"), batches.get(1)), batches, "the five queued creates shared one commit");
    var sameNames = new ArrayList<String>();
    for (int i = 1; i <= 5; i++) {
      sameNames.add(((AgentProfile) results.get(i)).id());
    }
    assertEquals(Set.of("same-name", "same-name-2", "same-name-3", "same-name-4", "same-name-5"),
        Set.copyOf(sameNames), "a queued create's id is taken for the next one");
    var expected = new ArrayList<String>(List.of(AgentProfile.COO_ID, "first"));
    expected.addAll(batches.get(1));
    assertEquals(expected, ids());
    assertEquals(expected, List.copyOf(rows.keySet()), "listed in the order stored");
    assertEquals(1 + 6, registered.size(), "one Agent service each");
    assertEquals(registry.list(), newRegistryList());
  }

  @Test
  void aCreateTheStoreRefusesFailsAloneAndLeavesItsNameFree() throws Exception {
    var open = new CountDownLatch(1);
    gate = open;
    refused = "bad";
    var results = new ConcurrentHashMap<Integer, Object>();
    Thread first = creator("First", 0, results);
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    var queued = List.of(creator("Good one", 1, results), creator("Bad", 2, results), creator("Good two", 3, results));
    for (Thread t : queued) {
      awaitWaiting(t);
    }
    open.countDown();
    first.join(10_000);
    for (Thread t : queued) {
      t.join(10_000);
    }

    assertEquals(3, batches.get(1).size(), "the three were tried together first");
    assertTrue(results.get(2) instanceof OtterbotException e && e.kind() == OtterbotException.Kind.UNAVAILABLE,
        "the refused create fails with the store's error: " + results.get(2));
    assertEquals(List.of(AgentProfile.COO_ID, "first", "good-one", "good-two"), ids());
    assertEquals(List.of(AgentProfile.COO_ID, "first", "good-one", "good-two"), List.copyOf(rows.keySet()));
    refused = null;
    assertEquals("bad", registry.create(named("Bad", null)).id(), "the failed create's id was released");
  }

  /** Starts a thread that creates an agent and puts the profile, or what it threw, into {@code results}. */
  private Thread creator(String name, int key, Map<Integer, Object> results) {
    Thread t = new Thread(() -> {
      try {
        results.put(key, registry.create(named(name, null)));
      } catch (RuntimeException e) {
        results.put(key, e);
      }
    }, "create-" + key);
    t.start();
    return t;
  }

  private static void awaitWaiting(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, t.getName() + " never waited for the commit: " + t.getState());
      Thread.sleep(5);
    }
  }

  @Test
  void anUpdateShowsInTheListAndInGet() {
    registry.create(named("Before", null));
    registry.update("before", named("After", null));
    assertEquals("After", registry.get("before").orElseThrow().displayName());
    assertEquals("After", registry.list().get(1).displayName());
  }

  @Test
  void contributedAgentsListAfterStoredOnesAndShowOnceTheStoredOneOfTheirIdIsGone() {
    registry.create(named("Shared", null));
    ServiceReference<Agent> ref = reference(1000L);
    registry.bindAgent(ref, () -> new AgentProfile("shared", "From a bundle", null, null, null, null, null, null,
        null, null, false, 0, null, null));
    registry.bindAgent(reference(1001L), () -> new AgentProfile("helper", "Helper", null, null, null, null, null,
        null, null, null, false, 0, null, null));
    assertEquals(List.of(AgentProfile.COO_ID, "shared", "helper"), ids());
    assertEquals("Shared", registry.get("shared").orElseThrow().displayName());

    registry.create(named("Kid", "helper"));
    assertEquals(1, children("helper"), "a contributed agent's child count follows stored children");

    registry.delete("shared");
    assertEquals(List.of(AgentProfile.COO_ID, "kid", "shared", "helper"), ids());
    assertEquals("From a bundle", registry.get("shared").orElseThrow().displayName());
    assertEquals(1, children("helper"));
    assertEquals(3, registry.count() - 1);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private AgentStore store() {
    return new AgentStore() {
      @Override
      public List<AgentProfile> loadAll() {
        return List.copyOf(rows.values());
      }

      @Override
      public void save(AgentProfile profile) {
        if (profile.id().equals(refused)) {
          throw new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot save agent '" + refused + "'");
        }
        rows.put(profile.id(), profile);
      }

      @Override
      public void saveAll(List<AgentProfile> profiles) {
        batches.add(profiles.stream().map(AgentProfile::id).toList());
        CountDownLatch wait = gate;
        if (wait != null) {
          gate = null;
          entered.countDown();
          try {
            assertTrue(wait.await(10, TimeUnit.SECONDS), "the test opens the gate");
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
        }
        if (profiles.stream().anyMatch(p -> p.id().equals(refused))) {
          throw new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot save " + profiles.size() + " agents");
        }
        profiles.forEach(p -> rows.put(p.id(), p));
      }

      @Override
      public boolean delete(String id) {
        return rows.remove(id) != null;
      }
    };
  }

  private static SettingsService settings() {
    ModelRef model = new ModelRef("openai", "gpt-4o-mini");
    return new SettingsService() {
      @Override
      public boolean onboardingComplete() {
        return true;
      }

      @Override
      public void completeOnboarding() {}

      @Override
      public GlobalSettings global() {
        return new GlobalSettings("obsidian", model, model, Map.of());
      }

      @Override
      public GlobalSettings updateGlobal(GlobalSettings incoming) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Map<String, String> providerSecrets() {
        return Map.of();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static ServiceReference<Agent> reference(long serviceId) {
    return (ServiceReference<Agent>) Proxy.newProxyInstance(AgentRegistryImplTest.class.getClassLoader(),
        new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getProperty" -> Constants.SERVICE_ID.equals(args[0]) ? serviceId : null;
          case "hashCode" -> Long.hashCode(serviceId);
          case "equals" -> proxy == args[0];
          default -> null;
        });
  }

  /** A framework that records registrations; no listeners, no other services. */
  private BundleContext context() {
    return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "registerService" -> {
            Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
            registered.add(props);
            yield Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                (p, m, a) -> {
                  if (m.getName().equals("unregister")) {
                    unregistered.add(props);
                  }
                  return m.getName().equals("hashCode") ? System.identityHashCode(p) : null;
                });
          }
          case "getServiceReferences" -> List.of();
          case "hashCode" -> System.identityHashCode(proxy);
          default -> null;
        });
  }
}
