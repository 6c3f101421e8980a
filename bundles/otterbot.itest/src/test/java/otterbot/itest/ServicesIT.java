package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.health.HealthCheck;
import otterbot.api.persistence.AgentStore;
import otterbot.api.runtime.ServerEnvironment;
import otterbot.api.settings.SettingsService;

@Timeout(60)
class ServicesIT {
  @InjectBundleContext
  BundleContext context;

  @Test
  void everyBundleStartsAndTheCoreServicesRegister(
      @InjectService(timeout = 20_000) AgentRegistry agents,
      @InjectService(timeout = 20_000) SettingsService settings,
      @InjectService(timeout = 20_000) AgentStore store,
      @InjectService(timeout = 20_000) ServerEnvironment env) {
    String notStarted = Arrays.stream(context.getBundles())
        .filter(b -> b.getState() != Bundle.ACTIVE)
        .filter(b -> (b.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) == 0)
        .map(b -> b.getSymbolicName() + " state " + b.getState())
        .collect(Collectors.joining(", "));
    assertEquals("", notStarted, "bundles that did not start");

    assertEquals(AgentProfile.COO_ID, agents.list().get(0).id(), "the COO is seeded and listed first");
    assertTrue(store.loadAll().stream().anyMatch(p -> p.id().equals(AgentProfile.COO_ID)), "the COO is stored");
    assertEquals("obsidian", settings.global().theme());
    assertTrue(env.home().endsWith("itest-home"), "home comes from the otterbot.home property: " + env.home());
  }

  @Test
  void eachSubsystemReportsItsHealth() throws Exception {
    Set<String> subsystems = Await.until("database, http and socket health checks", Duration.ofSeconds(20), () -> {
      try {
        var refs = context.getServiceReferences(HealthCheck.class, null);
        var names = refs.stream().map(r -> String.valueOf(r.getProperty(HealthCheck.SUBSYSTEM))).collect(Collectors.toSet());
        return names.containsAll(Set.of("database", "http", "socket")) ? names : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (String name : subsystems) {
      var ref = context.getServiceReferences(HealthCheck.class, null).stream()
          .filter(r -> name.equals(r.getProperty(HealthCheck.SUBSYSTEM))).findFirst().orElseThrow();
      HealthCheck check = context.getService(ref);
      try {
        Await.until(name + " up", Duration.ofSeconds(20), () -> check.check().isUp());
      } finally {
        context.ungetService(ref);
      }
    }
  }
}
