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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

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
        rows.put(profile.id(), profile);
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
