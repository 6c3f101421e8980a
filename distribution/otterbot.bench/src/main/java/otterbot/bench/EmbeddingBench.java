package otterbot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.provider.minilm.internal.MiniLmProvider;

/**
 * The built-in embedding model (otterbot.provider.minilm) in this JVM, outside any framework: the provider is the
 * same class the server runs, on the same ONNX Runtime. In-process on purpose: the figures are the model's, without
 * HTTP or the server around it. Prints the load time, the warm time per embedding of a short sentence and of a
 * paragraph (p50/p99), and the JVM's resident memory before and after.
 */
final class EmbeddingBench {
  static final String PART = "embedding";
  /** 10 WordPiece tokens (plus [CLS] and [SEP]). */
  static final String SENTENCE = "The otter floats on its back in the river.";
  /** 88 WordPiece tokens (plus [CLS] and [SEP]). */
  static final String PARAGRAPH = "Sea otters spend most of their lives in the water, where they eat, sleep and raise "
      + "their young. They have the densest fur of any animal, with up to a million hairs per square inch, which keeps "
      + "them warm in cold coastal waters because, unlike most marine mammals, they have no blubber. Otters use rocks "
      + "as tools to crack open shellfish, and they often float together in groups called rafts while resting.";

  private EmbeddingBench() {}

  static void run(int warmup, int runs) throws Exception {
    line("Embedding model: all-MiniLM-L6-v2 (int8) on ONNX Runtime, in this JVM (%d cores, load %s)",
        Runtime.getRuntime().availableProcessors(), Bench.loadAverage());
    long rssBefore = rssKib();
    long start = System.nanoTime();
    MiniLmProvider provider = new MiniLmProvider();
    // The provider loads on a thread of its own; the first embedding waits for it.
    embed(provider, "warm up");
    long loadMillis = (System.nanoTime() - start) / 1_000_000;
    long rssLoaded = rssKib();
    for (int i = 0; i < warmup; i++) {
      embed(provider, i % 2 == 0 ? SENTENCE : PARAGRAPH);
    }
    long[] sentence = time(provider, SENTENCE, runs);
    long[] paragraph = time(provider, PARAGRAPH, runs);
    long rssAfter = rssKib();
    line("  load (create the session from the bundled model, first embedding): %d ms", loadMillis);
    line("  warm, one embedding (%d runs after %d warm-up):", runs, warmup);
    line("    %-30s p50 %7.2f ms   p99 %7.2f ms", "~10-token sentence", ms(sentence, 0.50), ms(sentence, 0.99));
    line("    %-30s p50 %7.2f ms   p99 %7.2f ms", "~88-token paragraph", ms(paragraph, 0.50), ms(paragraph, 0.99));
    line("  JVM VmRSS: before %d MiB, after load %d MiB (+%d), after the runs %d MiB (+%d)", rssBefore / 1024,
        rssLoaded / 1024, (rssLoaded - rssBefore) / 1024, rssAfter / 1024, (rssAfter - rssBefore) / 1024);
    invokeDeactivate(provider);
  }

  private static List<float[]> embed(ModelProvider provider, String text) throws Exception {
    return provider.embed(new EmbeddingRequest(null, List.of(text), Map.of()));
  }

  private static long[] time(ModelProvider provider, String text, int runs) throws Exception {
    long[] nanos = new long[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      embed(provider, text);
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static double ms(long[] sorted, double quantile) {
    int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  /** The deactivation is package-private (DS calls it); the benchmark frees the session the same way. */
  private static void invokeDeactivate(MiniLmProvider provider) throws Exception {
    var method = MiniLmProvider.class.getDeclaredMethod("deactivate");
    method.setAccessible(true);
    method.invoke(provider);
  }

  /** This JVM's {@code VmRSS} in KiB, or -1 when unknown (not Linux). */
  static long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static void line(String format, Object... args) {
    System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
  }
}
