package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.test.common.annotation.InjectBundleContext;

import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;

/**
 * The built-in embedding model runs inside Felix, and survives what happens to bundles at run time: stop and start,
 * update, refresh. ONNX Runtime is on the launcher's class path, so its native library is loaded once per JVM; were it
 * inside the bundle, the second load would fail with "Native Library ... already loaded in another classloader".
 */
@Timeout(300)
class EmbeddingModelIT {
  static final List<String> TEXTS = List.of("cat", "kitten", "quarterly revenue report");

  @InjectBundleContext
  BundleContext context;

  @Test
  void embedsInsideTheFrameworkAndAgainAfterStopStartUpdateAndRefresh() throws Exception {
    Bundle minilm = Arrays.stream(context.getBundles())
        .filter(b -> "otterbot.provider.minilm".equals(b.getSymbolicName())).findFirst().orElseThrow();
    List<FrameworkEvent> errors = new CopyOnWriteArrayList<>();
    FrameworkListener listener = e -> {
      if (e.getType() == FrameworkEvent.ERROR || e.getType() == FrameworkEvent.WARNING) {
        errors.add(e);
      }
    };
    // The first embedding loads the model; the vectors it gives are the reference.
    ServiceReference<ModelProvider> reference = awaitMinilm();
    assertEquals(Boolean.TRUE, reference.getProperty(ModelProvider.DEFAULT_EMBEDDER), "the default embedder");
    List<float[]> first = embed();
    assertEquals(384, first.get(0).length);
    assertTrue(cos(first.get(0), first.get(1)) > 0.5, "cat ~ kitten: " + cos(first.get(0), first.get(1)));
    assertTrue(cos(first.get(0), first.get(2)) < 0.2, "cat !~ revenue: " + cos(first.get(0), first.get(2)));
    Class<?> ort = ortClass(minilm);
    assertSame(context.getBundle(0).loadClass("ai.onnxruntime.OrtEnvironment"), ort,
        "ONNX Runtime comes from the launcher's class path, through the system bundle");
    assertTrue(importsOrtFromTheSystemBundle(minilm));

    context.addFrameworkListener(listener);
    PrintStream originalOut = System.out;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    // slf4j-simple writes to whatever System.out is at the time, so the provider's log lines land here too.
    System.setOut(new PrintStream(new Tee(originalOut, log), true, StandardCharsets.UTF_8));
    Instant steps = Instant.now();
    try {
      ClassLoader firstLoader = minilm.loadClass("otterbot.provider.minilm.internal.MiniLmProvider").getClassLoader();

      minilm.stop();
      assertTrue(minilmReference() == null, "the provider is gone while its bundle is stopped");
      minilm.start();
      assertSameVectors(first, "after stop and start");

      minilm.update();
      assertSameVectors(first, "after update");
      ClassLoader updatedLoader = minilm.loadClass("otterbot.provider.minilm.internal.MiniLmProvider").getClassLoader();
      assertNotSame(firstLoader, updatedLoader, "the update gave the bundle a new class loader");

      refresh(minilm);
      assertSameVectors(first, "after refresh");
      assertNotSame(updatedLoader,
          minilm.loadClass("otterbot.provider.minilm.internal.MiniLmProvider").getClassLoader(),
          "the refresh gave the bundle a new class loader");
      assertSame(ort, ortClass(minilm), "still the one ONNX Runtime of the JVM");
    } finally {
      System.setOut(originalOut);
      context.removeFrameworkListener(listener);
    }
    String output = log.toString(StandardCharsets.UTF_8);
    assertFalse(output.contains("UnsatisfiedLinkError"), output);
    assertFalse(output.contains("already loaded in another classloader"), output);
    assertFalse(output.contains("Could not load the embedding model"), output);
    long loads = output.lines().filter(l -> l.contains("Loaded the embedding model all-MiniLM-L6-v2"))
        .filter(l -> !loggedAt(l).isBefore(steps)).count();
    assertEquals(3, loads, "one load after each of start, update and refresh:\n" + output);
    // Only what concerns the model: other bundles' trackers (hk2's resource locator) may trip over the refresh.
    List<String> problems = new ArrayList<>();
    errors.stream().filter(e -> e.getBundle() == minilm || mentionsNativeCode(e.getThrowable()))
        .forEach(e -> problems.add(e.getBundle().getSymbolicName() + ": " + e.getThrowable()));
    assertEquals(List.of(), problems, "framework errors and warnings about the model or native code");
  }

  private void assertSameVectors(List<float[]> expected, String when) throws Exception {
    List<float[]> again = embed();
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), again.get(i), TEXTS.get(i) + " " + when);
    }
  }

  private List<float[]> embed() throws ProviderException {
    ServiceReference<ModelProvider> reference = awaitMinilm();
    ModelProvider provider = context.getService(reference);
    try {
      return provider.embed(new EmbeddingRequest(null, TEXTS, Map.of()));
    } finally {
      context.ungetService(reference);
    }
  }

  private ServiceReference<ModelProvider> awaitMinilm() {
    return Await.until("the minilm provider", Duration.ofSeconds(30), this::minilmReference);
  }

  private ServiceReference<ModelProvider> minilmReference() {
    try {
      var references = context.getServiceReferences(ModelProvider.class,
          "(" + ModelProvider.PROVIDER_ID + "=minilm)");
      return references.isEmpty() ? null : references.iterator().next();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> ortClass(Bundle minilm) throws ClassNotFoundException {
    return minilm.loadClass("ai.onnxruntime.OrtEnvironment");
  }

  private static boolean importsOrtFromTheSystemBundle(Bundle minilm) {
    for (BundleWire wire : minilm.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")) {
      if ("ai.onnxruntime".equals(wire.getCapability().getAttributes().get("osgi.wiring.package"))) {
        return wire.getProvider().getBundle().getBundleId() == 0;
      }
    }
    return false;
  }

  private void refresh(Bundle bundle) throws InterruptedException {
    var done = new CountDownLatch(1);
    context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(bundle), e -> {
      if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
        done.countDown();
      }
    });
    assertTrue(done.await(60, TimeUnit.SECONDS), "the refresh finished");
  }

  private static boolean mentionsNativeCode(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnsatisfiedLinkError || String.valueOf(t.getMessage()).contains("onnxruntime")) {
        return true;
      }
    }
    return false;
  }

  /** The time stamp slf4j-simple starts each line with (see cnf/run-base.bndrun). */
  private static Instant loggedAt(String line) {
    return FORMAT.parse(line.substring(0, line.indexOf(' ')), Instant::from);
  }

  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private static double cos(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
