package otterbot.rest.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.runtime.JakartarsServiceRuntime;
import org.osgi.service.jakartars.runtime.dto.FailedResourceDTO;
import org.osgi.service.jakartars.runtime.dto.ResourceDTO;
import org.osgi.service.jakartars.runtime.dto.RuntimeDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/**
 * The {@code api} subsystem: up once the REST whiteboard serves our resources, down ("starting") before that and
 * whenever the whiteboard rebuilds the application without them. The public port answers {@code /api} requests with
 * {@code 503 starting} while this is down, so a client never sees a 404 for a route that exists.
 *
 * <p>Readiness comes from the whiteboard's runtime DTO, with no probe request of our own: the osgitech whiteboard
 * (1.2.x) registers or reloads the Jersey servlet before it publishes a new DTO and bumps {@code service.changecount},
 * and a reload holds the servlet's write lock, so requests wait for the new application instead of missing it.
 * Measured over ten starts: a request sent to the internal Jetty the moment the DTO first listed our resources was
 * answered 200 every time. The 404s clients used to see came earlier, from Jetty before the whiteboard had registered
 * its servlet and from the whiteboard's first, empty application; no DTO of those moments lists our resources.
 *
 * <p>The check is registered by hand rather than as this component's service: its service properties change with
 * every change of state ({@link #READY}), which is how the public port learns the state without calling
 * {@link HealthCheck#check()} per request. A DS component cannot change the properties of its own service.
 */
@Component(immediate = true, service = {})
public final class ApiReadiness {
  /** The subsystem name, the value of {@link HealthCheck#SUBSYSTEM}. */
  static final String SUBSYSTEM = "api";
  /**
   * Service property of the {@code api} check: {@code true} while {@code /api} requests should be let through. That is
   * while the check is up, and also once the framework has finished starting and {@code /api/health} itself is
   * served although other resources are missing (a failed storage, say): a gate closed for ever would hide the health
   * report that explains the failure behind {@code 503 starting}. The public port's {@code ApiGate} reads it.
   */
  static final String READY = "otterbot.rest.ready";
  static final String STARTING = "starting";
  /**
   * Our resources ({@code osgi.jakartars.name}); the API is ready when the default application holds them all. The
   * providers, credentials, bus, subagent-task, schedule, memory, skill and asset resources bind their services optionally
   * (503 until they come), so listing them cannot hold the API back.
   */
  static final Set<String> RESOURCES = Set.of("otterbot.health", "otterbot.agents", "otterbot.setup",
      "otterbot.settings", "otterbot.providers", "otterbot.credentials", "otterbot.bus", "otterbot.subagent-tasks",
      "otterbot.agent-schedule", "otterbot.scheduled-tasks", "otterbot.agent-memories", "otterbot.memories",
      "otterbot.user-profile", "otterbot.agent-skills", "otterbot.skills", "otterbot.skill-catalog",
      "otterbot.model-packs", "otterbot.environment-packs", "otterbot.scenes", "otterbot.auth-openai");

  private static final Logger LOG = LoggerFactory.getLogger(ApiReadiness.class);

  private final ServiceRegistration<HealthCheck> registration;
  /** Read by {@link HealthCheck#check()} from any thread; written only under {@code this}. */
  private volatile Health health = Health.down(STARTING, Map.of("whiteboard", "not running"));
  /** {@code service.id} of the bound runtime, guarded by {@code this}. */
  private Object boundRuntime;
  private JakartarsServiceRuntime runtime; // guarded by this
  private boolean closed; // guarded by this
  /** Every bundle has started; from now on a missing resource is a failure, not a start-up state. */
  private boolean frameworkStarted; // guarded by this
  private boolean gateOpen; // guarded by this
  private final BundleContext context;
  private final FrameworkListener startListener = this::frameworkEvent;

  @Activate
  public ApiReadiness(BundleContext context) {
    this.context = context;
    // Registered down before the whiteboard exists, so the public port (started after this bundle) holds /api back
    // from its first request instead of forwarding into a Jetty that has no REST servlet yet.
    this.registration = context.registerService(HealthCheck.class, () -> health, properties(false));
    context.addFrameworkListener(startListener);
    synchronized (this) {
      frameworkStarted = startupOver(context); // installed or restarted after start-up: no event will come
    }
  }

  private static boolean startupOver(BundleContext context) {
    Bundle system = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
    if (system == null) {
      return false;
    }
    FrameworkStartLevel level = system.adapt(FrameworkStartLevel.class);
    String beginning = context.getProperty(Constants.FRAMEWORK_BEGINNING_STARTLEVEL);
    int target = beginning == null ? 1 : Integer.parseInt(beginning.trim());
    return system.getState() == Bundle.ACTIVE && level != null && level.getStartLevel() >= target;
  }

  /** The bnd launcher reports the end of start-up as STARTLEVEL_CHANGED, other launchers as STARTED. */
  private synchronized void frameworkEvent(FrameworkEvent event) {
    if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
      frameworkStarted = true;
      evaluate();
    }
  }

  // Optional and dynamic: the check must exist (down) while there is no whiteboard, and must follow the whiteboard's
  // restarts (a Jetty reconfiguration replaces it) without going away itself.
  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindRuntime(JakartarsServiceRuntime runtime, Map<String, Object> properties) {
    this.boundRuntime = properties.get(Constants.SERVICE_ID);
    this.runtime = runtime;
    evaluate();
  }

  /** The whiteboard bumps {@code service.changecount} after each rebuild, once the new DTO is in place. */
  synchronized void updatedRuntime(JakartarsServiceRuntime runtime, Map<String, Object> properties) {
    if (Objects.equals(boundRuntime, properties.get(Constants.SERVICE_ID))) {
      evaluate();
    }
  }

  /** With a greedy reference a better runtime is bound before the old one is unbound: only forget our own. */
  synchronized void unbindRuntime(JakartarsServiceRuntime runtime, Map<String, Object> properties) {
    if (Objects.equals(boundRuntime, properties.get(Constants.SERVICE_ID))) {
      this.boundRuntime = null;
      this.runtime = null;
      evaluate();
    }
  }

  @Deactivate
  synchronized void deactivate() {
    closed = true;
    context.removeFrameworkListener(startListener);
    try {
      registration.unregister();
    } catch (IllegalStateException e) {
      // already gone with the bundle
    }
  }

  /** Recomputes the state and, when it changed, publishes it. Called under {@code this}. */
  private void evaluate() {
    if (closed) {
      return;
    }
    Health next;
    if (runtime == null) {
      next = Health.down(STARTING, Map.of("whiteboard", "not running"));
    } else {
      try {
        next = readiness(runtime.getRuntimeDTO());
      } catch (RuntimeException e) {
        // The runtime was unregistered under us; its unbind follows.
        next = Health.down(STARTING, Map.of("whiteboard", "not answering: " + e.getClass().getSimpleName()));
      }
    }
    Health previous = health;
    health = next;
    boolean open = next.isUp() || (frameworkStarted && healthServed(next));
    if (open != gateOpen) {
      gateOpen = open;
      try {
        registration.setProperties(properties(open));
      } catch (IllegalStateException e) {
        // unregistered while the bundle stops
      }
    }
    if (next.isUp() != previous.isUp()) {
      if (next.isUp()) {
        LOG.info("The REST API is served: {} resources in the default application", next.details().get("resources"));
      } else if (frameworkStopping()) {
        // The whiteboard stops first at shutdown; "not served (yet)" read like a failure in every stop's log.
        LOG.info("The REST API is no longer served: the server is stopping");
      } else {
        LOG.info(previous.isUp() ? "The REST API is no longer served: {}" : "The REST API is not served yet: {}",
            next.details());
      }
    } else if (!next.equals(previous)) {
      LOG.debug("REST API readiness: {}", next);
    }
  }

  private boolean frameworkStopping() {
    try {
      Bundle framework = context.getBundle(0);
      return framework != null && framework.getState() == Bundle.STOPPING;
    } catch (IllegalStateException e) {
      return true; // our own bundle is stopping
    }
  }

  /** The {@code api} state a runtime DTO stands for: up when every one of {@link #RESOURCES} is served, none failed. */
  static Health readiness(RuntimeDTO dto) {
    ResourceDTO[] served = dto.defaultApplication == null || dto.defaultApplication.resourceDTOs == null
        ? new ResourceDTO[0] : dto.defaultApplication.resourceDTOs;
    Set<String> missing = new TreeSet<>(RESOURCES);
    Arrays.stream(served).forEach(r -> missing.remove(r.name));
    List<String> failed = new ArrayList<>();
    for (FailedResourceDTO f : dto.failedResourceDTOs == null ? new FailedResourceDTO[0] : dto.failedResourceDTOs) {
      if (RESOURCES.contains(f.name)) {
        failed.add(f.name + " (failure reason " + f.failureReason + ")");
      }
    }
    if (missing.isEmpty() && failed.isEmpty()) {
      return Health.up(Map.of("resources", served.length));
    }
    var details = new LinkedHashMap<String, Object>();
    details.put("resources", served.length);
    if (!missing.isEmpty()) {
      details.put("missing", List.copyOf(missing));
    }
    if (!failed.isEmpty()) {
      details.put("failed", List.copyOf(failed));
    }
    return Health.down(STARTING, details);
  }

  /** Whether {@code /api/health} is served in the state {@code h} describes (it is unless listed as missing). */
  private static boolean healthServed(Health h) {
    Object missing = h.details().get("missing");
    return h.details().containsKey("resources")
        && !(missing instanceof List<?> list && list.contains("otterbot.health"));
  }

  private static Hashtable<String, Object> properties(boolean ready) {
    var properties = new Hashtable<String, Object>();
    properties.put(HealthCheck.SUBSYSTEM, SUBSYSTEM);
    properties.put(READY, ready);
    return properties;
  }
}
