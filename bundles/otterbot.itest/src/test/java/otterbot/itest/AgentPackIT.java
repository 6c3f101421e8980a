package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;

/** Agents contributed by a bundle come and go with it, and leave nothing behind. */
@Timeout(120)
class AgentPackIT {
  @InjectBundleContext
  BundleContext context;

  @Test
  void packAgentsAppearAndDisappearWithTheBundleWithoutLeakingItsClassLoader(
      @InjectService(timeout = 20_000) AgentRegistry agents) throws Exception {
    String jar = System.getProperty("otterbot.itest.agentpack");
    assertTrue(jar != null && new File(jar).isFile(), "the agent pack jar is available: " + jar);
    int threadsBefore = Thread.activeCount();

    WeakReference<ClassLoader> loader = null;
    for (int round = 1; round <= 2; round++) {
      Bundle pack = context.installBundle(new File(jar).toURI().toString());
      pack.start();
      Await.until("pack agents listed", Duration.ofSeconds(20), () -> ids(agents).containsAll(List.of("pack-researcher", "pack-writer")));
      var researcher = agents.get("pack-researcher").orElseThrow();
      assertEquals("prototype-pete", researcher.artwork().modelPack(), "defaults are filled in");
      assertEquals("builtin", researcher.model().chat().provider(), "the global default model of a fresh home");

      var conflict = assertThrows(OtterbotException.class, () -> agents.delete("pack-researcher"));
      assertEquals(OtterbotException.Kind.CONFLICT, conflict.kind());
      assertTrue(conflict.getMessage().contains("otterbot.agentpack.example"), conflict.getMessage());
      assertThrows(OtterbotException.class, () -> agents.update("pack-writer", AgentInput.named("renamed")));

      loader = new WeakReference<>(pack.loadClass("otterbot.agentpack.example.internal.PackAgents").getClassLoader());
      pack.uninstall();
      refresh();
      Await.until("pack agents gone", Duration.ofSeconds(20), () -> !ids(agents).contains("pack-researcher"));
      assertFalse(agents.get("pack-writer").isPresent());
    }

    final WeakReference<ClassLoader> last = loader;
    Await.until("the uninstalled bundle's class loader to be collected", Duration.ofSeconds(30), () -> {
      System.gc();
      return last.get() == null;
    });
    assertNull(last.get());
    assertTrue(Thread.activeCount() <= threadsBefore + 2,
        "no threads leaked: " + threadsBefore + " before, " + Thread.activeCount() + " after");
  }

  @Test
  void aStoredAgentKeepsItsIdWhenAPackOffersTheSameOne(@InjectService(timeout = 20_000) AgentRegistry agents)
      throws Exception {
    var mine = agents.create(AgentInput.named("Pack Writer"));
    try {
      assertEquals("pack-writer", mine.id());
      Bundle pack = context.installBundle(new File(System.getProperty("otterbot.itest.agentpack")).toURI().toString());
      try {
        pack.start();
        Await.until("pack researcher listed", Duration.ofSeconds(20), () -> ids(agents).contains("pack-researcher"));
        assertEquals(1, ids(agents).stream().filter("pack-writer"::equals).count(), "one pack-writer only");
        assertEquals("Pack Writer", agents.get("pack-writer").orElseThrow().displayName());
        assertEquals(mine.createdAt(), agents.get("pack-writer").orElseThrow().createdAt(), "the stored one wins");
      } finally {
        pack.uninstall();
        refresh();
      }
      assertTrue(agents.get("pack-writer").isPresent(), "the stored agent stays when the pack goes");
    } finally {
      agents.delete("pack-writer");
    }
  }

  private static List<String> ids(AgentRegistry agents) {
    return agents.list().stream().map(AgentSummary::id).toList();
  }

  private void refresh() throws InterruptedException {
    var done = new CountDownLatch(1);
    context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, e -> {
      if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
        done.countDown();
      }
    });
    done.await();
  }
}
