package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.jakartars.runtime.JakartarsServiceRuntime;
import org.osgi.service.jakartars.runtime.dto.ApplicationDTO;
import org.osgi.service.jakartars.runtime.dto.DTOConstants;
import org.osgi.service.jakartars.runtime.dto.FailedResourceDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceDTO;
import org.osgi.service.jakartars.runtime.dto.RuntimeDTO;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/** When the API counts as served, judged from runtime DTOs like the ones the whiteboard publishes. */
class ApiReadinessTest {
  private static final String[] OURS = {"otterbot.health", "otterbot.agents", "otterbot.setup", "otterbot.settings",
      "otterbot.providers", "otterbot.credentials", "otterbot.bus", "otterbot.subagent-tasks", "otterbot.agent-schedule",
      "otterbot.scheduled-tasks", "otterbot.agent-memories", "otterbot.memories", "otterbot.user-profile",
      "otterbot.agent-skills", "otterbot.skills", "otterbot.skill-catalog", "otterbot.model-packs",
      "otterbot.environment-packs", "otterbot.scenes", "otterbot.auth-openai"};

  static RuntimeDTO runtime(String... served) {
    var dto = new RuntimeDTO();
    dto.defaultApplication = new ApplicationDTO();
    dto.defaultApplication.name = ".default";
    dto.defaultApplication.resourceDTOs = Arrays.stream(served).map(name -> {
      var r = new ResourceDTO();
      r.name = name;
      return r;
    }).toArray(ResourceDTO[]::new);
    dto.failedResourceDTOs = new FailedResourceDTO[0];
    return dto;
  }

  private static String[] oursAnd(String... more) {
    var all = new ArrayList<>(List.of(OURS));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void upWhenTheDefaultApplicationServesAllOurResources() {
    Health health = ApiReadiness.readiness(runtime(oursAnd("someone.elses")));
    assertTrue(health.isUp());
    assertEquals(Map.of("resources", 21), health.details());
  }

  @Test
  void startingWhileTheApplicationIsEmptyOrIncomplete() {
    Health empty = ApiReadiness.readiness(runtime());
    assertFalse(empty.isUp());
    assertEquals("starting", empty.details().get("reason"));
    assertEquals(List.of("otterbot.agent-memories", "otterbot.agent-schedule", "otterbot.agent-skills",
        "otterbot.agents", "otterbot.auth-openai", "otterbot.bus", "otterbot.credentials", "otterbot.environment-packs",
        "otterbot.health", "otterbot.memories", "otterbot.model-packs", "otterbot.providers", "otterbot.scenes",
        "otterbot.scheduled-tasks", "otterbot.settings", "otterbot.setup", "otterbot.skill-catalog", "otterbot.skills",
        "otterbot.subagent-tasks", "otterbot.user-profile"),
        empty.details().get("missing"));

    Health partial = ApiReadiness.readiness(runtime("otterbot.health", "otterbot.setup", "otterbot.settings",
        "otterbot.providers", "otterbot.credentials", "otterbot.bus", "otterbot.subagent-tasks",
        "otterbot.agent-schedule", "otterbot.scheduled-tasks", "otterbot.agent-memories", "otterbot.memories",
        "otterbot.user-profile", "otterbot.agent-skills", "otterbot.skills", "otterbot.skill-catalog",
        "otterbot.model-packs", "otterbot.environment-packs", "otterbot.scenes", "otterbot.auth-openai"));
    assertFalse(partial.isUp());
    assertEquals(List.of("otterbot.agents"), partial.details().get("missing"));
    assertEquals(19, partial.details().get("resources"));
  }

  @Test
  void startingForTheFirstDtoOfAWhiteboardThatHasNotDispatchedYet() {
    assertFalse(ApiReadiness.readiness(new RuntimeDTO()).isUp());
  }

  @Test
  void aFailedResourceOfOursKeepsTheApiDown() {
    RuntimeDTO dto = runtime(OURS);
    var failed = new FailedResourceDTO();
    failed.name = "otterbot.agents";
    failed.failureReason = DTOConstants.FAILURE_REASON_DUPLICATE_NAME;
    dto.failedResourceDTOs = new FailedResourceDTO[] {failed};

    Health health = ApiReadiness.readiness(dto);
    assertFalse(health.isUp());
    assertEquals(List.of("otterbot.agents (failure reason " + DTOConstants.FAILURE_REASON_DUPLICATE_NAME + ")"),
        health.details().get("failed"));
  }

  @Test
  void aFailedResourceOfSomebodyElseDoesNot() {
    RuntimeDTO dto = runtime(OURS);
    var failed = new FailedResourceDTO();
    failed.name = "plugin.broken";
    failed.failureReason = DTOConstants.FAILURE_REASON_REQUIRED_EXTENSIONS_UNAVAILABLE;
    dto.failedResourceDTOs = new FailedResourceDTO[] {failed};
    assertTrue(ApiReadiness.readiness(dto).isUp());
  }

  // --- the component: what it registers and when it changes it ---------------------------------------------------

  /** What the component did with the framework: the registered check and every property set. */
  static final class Registry {
    HealthCheck check;
    final List<Map<String, Object>> properties = new ArrayList<>();
    boolean unregistered;
    org.osgi.framework.FrameworkListener listener;

    BundleContext context() {
      ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
            switch (method.getName()) {
              case "setProperties" -> properties.add(map((Dictionary<?, ?>) args[0]));
              case "unregister" -> unregistered = true;
              default -> throw new UnsupportedOperationException(method.getName());
            }
            return null;
          });
      return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
          (proxy, method, args) -> {
            switch (method.getName()) {
              case "addFrameworkListener" -> {
                listener = (org.osgi.framework.FrameworkListener) args[0];
                return null;
              }
              case "removeFrameworkListener" -> {
                listener = null;
                return null;
              }
              case "getBundle" -> {
                return null; // no framework: start-up is not over until the listener hears so
              }
              default -> { }
            }
            if (!method.getName().equals("registerService") || args[0] != HealthCheck.class) {
              throw new UnsupportedOperationException(method.getName());
            }
            check = (HealthCheck) args[1];
            properties.add(map((Dictionary<?, ?>) args[2]));
            return registration;
          });
    }

    Map<String, Object> last() {
      return properties.get(properties.size() - 1);
    }

    private static Map<String, Object> map(Dictionary<?, ?> d) {
      var m = new java.util.HashMap<String, Object>();
      for (var keys = d.keys(); keys.hasMoreElements();) {
        Object key = keys.nextElement();
        m.put(key.toString(), d.get(key));
      }
      return m;
    }
  }

  @Test
  void registersTheApiCheckDownAtOnceAndChangesItsPropertiesWithItsState() {
    var registry = new Registry();
    var readiness = new ApiReadiness(registry.context());
    assertNotNull(registry.check, "registered before any whiteboard exists");
    assertEquals(Map.of(HealthCheck.SUBSYSTEM, "api", ApiReadiness.READY, false), registry.last());
    assertFalse(registry.check.check().isUp());

    var dto = new RuntimeDTO[] {runtime()};
    JakartarsServiceRuntime runtime = () -> dto[0];
    Map<String, Object> service = Map.of("service.id", 42L);
    readiness.bindRuntime(runtime, service);
    assertFalse(registry.check.check().isUp());
    assertEquals(1, registry.properties.size(), "no change of state, no service event");

    dto[0] = runtime(OURS);
    readiness.updatedRuntime(runtime, service);
    assertTrue(registry.check.check().isUp());
    assertEquals(true, registry.last().get(ApiReadiness.READY));

    readiness.updatedRuntime(runtime, service);
    assertEquals(2, registry.properties.size(), "still up: nothing to tell");

    dto[0] = runtime("otterbot.health");
    readiness.updatedRuntime(runtime, Map.of("service.id", 43L));
    assertTrue(registry.check.check().isUp(), "events of a runtime that is not the bound one are ignored");

    readiness.updatedRuntime(runtime, service);
    assertFalse(registry.check.check().isUp(), "rebuilt without our resources");
    assertEquals(false, registry.last().get(ApiReadiness.READY));

    dto[0] = runtime(OURS);
    readiness.updatedRuntime(runtime, service);
    readiness.unbindRuntime(runtime, service);
    Health gone = registry.check.check();
    assertFalse(gone.isUp());
    assertEquals("starting", gone.details().get("reason"));
    assertEquals("not running", gone.details().get("whiteboard"));

    readiness.deactivate();
    assertTrue(registry.unregistered);
    readiness.bindRuntime(runtime, service);
    assertFalse(registry.check.check().isUp(), "nothing changes after deactivation");
  }

  @Test
  void onceStartUpIsOverTheGateOpensForTheHealthReportEvenWithResourcesMissing() {
    var registry = new Registry();
    var readiness = new ApiReadiness(registry.context());
    var dto = new RuntimeDTO[] {runtime("otterbot.health")};
    JakartarsServiceRuntime runtime = () -> dto[0];
    Map<String, Object> service = Map.of("service.id", 7L);
    readiness.bindRuntime(runtime, service);
    assertEquals(false, registry.last().get(ApiReadiness.READY), "during start-up a missing resource keeps it closed");

    registry.listener.frameworkEvent(new org.osgi.framework.FrameworkEvent(
        org.osgi.framework.FrameworkEvent.STARTLEVEL_CHANGED,
        (org.osgi.framework.Bundle) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {org.osgi.framework.Bundle.class}, (proxy, method, args) -> null),
        null));
    assertEquals(true, registry.last().get(ApiReadiness.READY), "the health report must be reachable");
    assertFalse(registry.check.check().isUp(), "while the api check itself stays down, naming what is missing");
    assertEquals(java.util.List.of("otterbot.agent-memories", "otterbot.agent-schedule", "otterbot.agent-skills",
        "otterbot.agents", "otterbot.auth-openai", "otterbot.bus", "otterbot.credentials", "otterbot.environment-packs",
        "otterbot.memories", "otterbot.model-packs", "otterbot.providers", "otterbot.scenes", "otterbot.scheduled-tasks",
        "otterbot.settings", "otterbot.setup", "otterbot.skill-catalog", "otterbot.skills", "otterbot.subagent-tasks",
        "otterbot.user-profile"),
        registry.check.check().details().get("missing"));

    dto[0] = runtime();
    readiness.updatedRuntime(runtime, service);
    assertEquals(false, registry.last().get(ApiReadiness.READY), "without the health resource there is nothing to show");
    readiness.deactivate();
    assertNull(registry.listener, "the framework listener is removed");
  }
}
