package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetLibrary;
import otterbot.api.asset.AssetPack;

/**
 * Asset bundles in a real framework: the default pack is there from the start; the example pack, installed and
 * uninstalled twice, comes and goes with its bundle (also when only stopped), its files read from the jar, and neither
 * its pack object nor its class loader stays behind.
 */
@Timeout(120)
class AssetBundlesIT {
  static final String EXAMPLE = "otterbot.assetpack.example";
  static final String ORC = "workers/orc-brute/characters/Orc_Brute.glb";

  @InjectBundleContext
  BundleContext context;

  @Test
  void theDefaultPackIsInstalled(@InjectService(timeout = 30_000) AssetLibrary library) {
    Await.until("prototype-pete listed", Duration.ofSeconds(20), () -> library.hasModelPack("prototype-pete"));
    assertTrue(library.scenes().stream().anyMatch(s -> s.id().equals("default-office")));
    assertTrue(library.environmentPacks().stream().anyMatch(p -> p.id().equals("prototype-bits")));
  }

  @Test
  void theExamplePackComesAndGoesWithItsBundleAndLeavesNothingBehind(
      @InjectService(timeout = 30_000) AssetLibrary library) throws Exception {
    String jar = System.getProperty("otterbot.itest.assetpack");
    assertTrue(jar != null && new File(jar).isFile(), "the example asset pack is available: " + jar);
    WeakReference<ClassLoader> loader = null;
    WeakReference<Object> packObject = null;
    for (int round = 1; round <= 2; round++) {
      Bundle bundle = context.installBundle(new File(jar).toURI().toString());
      bundle.start();
      Await.until("orc-brute listed", Duration.ofSeconds(20), () -> library.hasModelPack("orc-brute"));
      AssetFile file = library.file(ORC).orElseThrow();
      try (InputStream in = file.open()) {
        byte[] bytes = in.readAllBytes();
        assertEquals(file.size(), bytes.length, "the size is the entry's");
        assertEquals("glTF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
      }
      assertEquals(bundle.getLastModified(), file.lastModified());

      bundle.stop();
      assertFalse(library.hasModelPack("orc-brute"), "a stopped bundle contributes nothing");
      assertTrue(packs().isEmpty(), "its pack is unregistered");
      bundle.start();
      assertTrue(library.hasModelPack("orc-brute"), "started again: back");

      ServiceReference<AssetPack> reference = packs().iterator().next();
      packObject = new WeakReference<>(context.getService(reference));
      context.ungetService(reference);
      loader = new WeakReference<>(bundle.adapt(BundleWiring.class).getClassLoader());
      file = null;
      bundle.uninstall();
      refresh();
      assertFalse(library.hasModelPack("orc-brute"), "gone with the bundle");
      assertFalse(library.file(ORC).isPresent());
      assertTrue(packs().isEmpty());
    }
    final WeakReference<ClassLoader> lastLoader = loader;
    final WeakReference<Object> lastPack = packObject;
    Await.until("the uninstalled asset bundle's pack and class loader to be collected", Duration.ofSeconds(30), () -> {
      System.gc();
      return lastLoader.get() == null && lastPack.get() == null;
    });
  }

  private Collection<ServiceReference<AssetPack>> packs() throws Exception {
    return context.getServiceReferences(AssetPack.class, "(" + AssetPack.NAME + "=" + EXAMPLE + ")");
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
