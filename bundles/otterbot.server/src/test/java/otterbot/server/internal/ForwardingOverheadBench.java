package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Informal: the same sequential keep-alive GETs straight to the backend and through the front, in alternating rounds
 * so machine load hits both alike. Not a pass/fail test (the benchmark module will own that); run with
 * {@code mvn test -pl bundles/otterbot.server -Dtest=ForwardingOverheadBench -Dotterbot.bench=true}.
 */
@EnabledIfSystemProperty(named = "otterbot.bench", matches = "true")
class ForwardingOverheadBench {
  private static final int ROUNDS = 10;
  private static final int PER_ROUND = 2000;

  @Test
  void measure() throws Exception {
    try (var backend = TestBackend.start()) {
      Front front = Front.start(FrontSettings.of("127.0.0.1", 0), backend::uri);
      try (var direct = new RawHttp(new InetSocketAddress("127.0.0.1", backend.port()));
          var proxied = new RawHttp(front.address())) {
        run(direct, 5000, null);
        run(proxied, 5000, null);
        long[] directTimes = new long[ROUNDS * PER_ROUND];
        long[] proxiedTimes = new long[ROUNDS * PER_ROUND];
        for (int round = 0; round < ROUNDS; round++) {
          System.arraycopy(times(direct), 0, directTimes, round * PER_ROUND, PER_ROUND);
          System.arraycopy(times(proxied), 0, proxiedTimes, round * PER_ROUND, PER_ROUND);
        }
        Arrays.sort(directTimes);
        Arrays.sort(proxiedTimes);
        System.out.printf("direct : p50 %6.1f us  p90 %6.1f us  p99 %6.1f us%n",
            micros(directTimes, 50), micros(directTimes, 90), micros(directTimes, 99));
        System.out.printf("front  : p50 %6.1f us  p90 %6.1f us  p99 %6.1f us%n",
            micros(proxiedTimes, 50), micros(proxiedTimes, 90), micros(proxiedTimes, 99));
        System.out.printf("overhead p50 %6.1f us%n", micros(proxiedTimes, 50) - micros(directTimes, 50));
      } finally {
        front.close();
      }
    }
  }

  private static long[] times(RawHttp http) throws Exception {
    long[] times = new long[PER_ROUND];
    run(http, PER_ROUND, times);
    return times;
  }

  private static void run(RawHttp http, int count, long[] times) throws Exception {
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      var response = http.get("/api/json").read();
      long elapsed = System.nanoTime() - start;
      assertEquals(200, response.status());
      if (times != null && i < times.length) {
        times[i] = elapsed;
      }
    }
  }

  private static double micros(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1000.0;
  }
}
