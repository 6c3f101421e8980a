package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.runtime.ServerEnvironment;

/** Configuration changes through ConfigAdmin (what FileInstall does for etc/) apply while the server runs. */
@Timeout(120)
class ConfigurationIT {
  @InjectBundleContext
  BundleContext context;

  @Test
  void pointingTheStoreAtAnotherDatabaseSwitchesTheRegistryAndSwitchingBackRestoresIt(
      @InjectService(timeout = 20_000) ConfigurationAdmin cm,
      @InjectService(timeout = 20_000) ServerEnvironment env) throws Exception {
    AgentRegistry before = registry();
    before.create(AgentInput.named("Config Probe"));
    assertTrue(ids(registry()).contains("config-probe"));

    Path other = Files.createTempDirectory(env.home(), "other-db");
    Configuration config = cm.getConfiguration("otterbot.persistence.jpa", "?");
    var props = new Hashtable<String, Object>();
    props.put("url", "jdbc:h2:file:" + other.resolve("otterbot"));
    config.update(props);
    try {
      Await.until("a registry on the new, empty database", Duration.ofSeconds(30),
          () -> ids(registry()).equals(List.of("coo")));
    } finally {
      config.delete();
    }
    Await.until("the registry back on the default database", Duration.ofSeconds(30),
        () -> ids(registry()).contains("config-probe"));
    registry().delete("config-probe");
    assertEquals("coo", ids(registry()).get(0));
  }

  private AgentRegistry registry() {
    var ref = context.getServiceReference(AgentRegistry.class);
    if (ref == null) {
      throw new IllegalStateException("no AgentRegistry right now");
    }
    AgentRegistry registry = context.getService(ref);
    context.ungetService(ref);
    if (registry == null) {
      throw new IllegalStateException("the AgentRegistry went away");
    }
    return registry;
  }

  private static List<String> ids(AgentRegistry agents) {
    return agents.list().stream().map(AgentSummary::id).toList();
  }
}
