package otterbot.rest.internal;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/**
 * Collects the {@link HealthCheck} services of every subsystem plus what the framework knows: bundles that did not
 * start and components that failed to activate. A subsystem we expect but whose check is not registered is reported
 * down ("not running"), so a database that failed to start is visible instead of simply missing.
 */
@Component(service = SystemHealth.class)
public final class SystemHealth {
  /** The subsystems every OtterBot server has. */
  static final List<String> EXPECTED = List.of("database", "http", "socket");

  private final BundleContext context;
  private final ServiceComponentRuntime scr;
  private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();

  @Activate
  public SystemHealth(BundleContext context, @Reference ServiceComponentRuntime scr) {
    this.context = context;
    this.scr = scr;
  }

  // Dynamic and multiple: subsystems come and go with their bundles, and the report must follow without a restart.
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
  void bindCheck(HealthCheck check, Map<String, Object> props) {
    Object name = props.get(HealthCheck.SUBSYSTEM);
    if (name != null) {
      checks.put(name.toString(), check);
    }
  }

  void unbindCheck(HealthCheck check, Map<String, Object> props) {
    Object name = props.get(HealthCheck.SUBSYSTEM);
    if (name != null) {
      checks.remove(name.toString(), check);
    }
  }

  record Report(boolean healthy, Map<String, Object> body) {}

  Report report() {
    boolean healthy = true;
    var subsystems = new LinkedHashMap<String, Object>();
    var names = new ArrayList<>(EXPECTED);
    checks.keySet().stream().filter(n -> !names.contains(n)).sorted().forEach(names::add);
    for (String name : names) {
      HealthCheck check = checks.get(name);
      Health health;
      if (check == null) {
        health = Health.down("not running", Map.of());
      } else {
        try {
          health = check.check();
        } catch (RuntimeException e) {
          health = Health.down("health check failed: " + e.getClass().getSimpleName(), Map.of());
        }
      }
      healthy &= health.isUp();
      var entry = new LinkedHashMap<String, Object>();
      entry.put("status", health.status());
      entry.putAll(health.details());
      subsystems.put(name, entry);
    }

    var failedBundles = new ArrayList<Map<String, Object>>();
    int active = 0;
    Bundle[] bundles = context.getBundles();
    for (Bundle b : bundles) {
      BundleRevision rev = b.adapt(BundleRevision.class);
      boolean fragment = rev != null && (rev.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
      if (b.getState() == Bundle.ACTIVE || fragment) {
        active++;
      } else if (b.getState() == Bundle.INSTALLED || b.getState() == Bundle.RESOLVED) {
        failedBundles.add(Map.of("symbolicName", String.valueOf(b.getSymbolicName()), "version",
            b.getVersion().toString(), "state", b.getState() == Bundle.INSTALLED ? "installed (not resolved)" : "resolved (not started)"));
      }
    }
    var failedComponents = new ArrayList<Map<String, Object>>();
    for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
      for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
        String state = switch (c.state) {
          case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed activation";
          case ComponentConfigurationDTO.UNSATISFIED_REFERENCE ->
              d.bundle.symbolicName.startsWith("otterbot.") ? "unsatisfied reference" : null;
          default -> null;
        };
        if (state != null) {
          var entry = new LinkedHashMap<String, Object>();
          entry.put("name", d.name);
          entry.put("bundle", d.bundle.symbolicName);
          entry.put("state", state);
          if (c.failure != null) {
            entry.put("failure", firstLine(c.failure));
          }
          failedComponents.add(entry);
        }
      }
    }
    healthy &= failedBundles.isEmpty() && failedComponents.isEmpty();

    var body = new LinkedHashMap<String, Object>();
    body.put("status", healthy ? "ok" : "degraded");
    body.put("version", context.getBundle().getVersion().toString());
    body.put("uptimeMillis", ManagementFactory.getRuntimeMXBean().getUptime());
    body.put("subsystems", subsystems);
    var bundleReport = new LinkedHashMap<String, Object>();
    bundleReport.put("total", bundles.length);
    bundleReport.put("active", active);
    bundleReport.put("failed", failedBundles);
    body.put("bundles", bundleReport);
    body.put("components", Map.of("failed", failedComponents));
    return new Report(healthy, body);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
