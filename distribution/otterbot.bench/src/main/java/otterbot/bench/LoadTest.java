package otterbot.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Closed-loop load: {@code connections} threads, each with one keep-alive {@link HttpConnection}, send the same GET
 * back to back for a warm-up and then a measured window. A request counts (and its latency is recorded) when it
 * completes inside the window. Every answer must be 200 with a body that looks like a JSON array; one in
 * {@value #PARSE_EVERY} bodies is fully parsed with Jackson and its element count recorded.
 */
final class LoadTest {
  static final int PARSE_EVERY = 256;

  record Result(String label, int connections, long windowNanos, long ok, LatencyHistogram latency,
      Map<String, Long> errors, long warmupErrors, long warmupRequests, long connects, long staleRetries,
      Map<Integer, Long> arraySizes, long parsed, double serverCores, double benchCores, int stuckThreads) {

    double requestsPerSecond() {
      return windowNanos == 0 ? 0 : ok * 1e9 / windowNanos;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private LoadTest() {}

  static Result run(String label, String host, int port, String path, int connections, Duration warmup,
      Duration measure, ServerProcess server, ObjectMapper json) throws InterruptedException {
    var schedule = new Schedule();
    var ready = new CountDownLatch(connections);
    var go = new CountDownLatch(1);
    var workers = new ArrayList<Worker>();
    var threads = new ArrayList<Thread>();
    for (int i = 0; i < connections; i++) {
      HttpConnection conn;
      try {
        conn = new HttpConnection(host, port);
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      var w = new Worker(conn, conn.request("GET", path, null, null, false), schedule, ready, go, json);
      workers.add(w);
      Thread t = new Thread(w, "bench-" + label + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    ready.await(HttpConnection.TIMEOUT_MS + 5_000L, TimeUnit.MILLISECONDS);
    long t0 = System.nanoTime();
    schedule.measureStart = t0 + warmup.toNanos();
    schedule.measureEnd = schedule.measureStart + measure.toNanos();
    go.countDown();

    sleepUntil(schedule.measureStart);
    long serverCpu0 = server.cpuNanos();
    long benchCpu0 = selfCpuNanos();
    long wall0 = System.nanoTime();
    sleepUntil(schedule.measureEnd);
    long serverCpu1 = server.cpuNanos();
    long benchCpu1 = selfCpuNanos();
    long wall = System.nanoTime() - wall0;

    // Bounded join: each request is bounded by the socket timeout; after that, close sockets to unblock readers.
    long joinDeadline = System.nanoTime() + Duration.ofMillis(HttpConnection.TIMEOUT_MS + 5_000L).toNanos();
    for (Thread t : threads) {
      long left = joinDeadline - System.nanoTime();
      if (left > 0) {
        t.join(Math.max(1, left / 1_000_000));
      }
    }
    int stuck = 0;
    for (int i = 0; i < threads.size(); i++) {
      if (threads.get(i).isAlive()) {
        stuck++;
        workers.get(i).conn.close();
        threads.get(i).join(2_000);
      }
    }

    var latency = new LatencyHistogram();
    var errors = new TreeMap<String, Long>();
    var sizes = new TreeMap<Integer, Long>();
    long ok = 0;
    long warmupErrors = 0;
    long warmupRequests = 0;
    long connects = 0;
    long stale = 0;
    long parsed = 0;
    for (Worker w : workers) {
      synchronized (w) {
        latency.add(w.latency);
        w.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
        w.sizes.forEach((k, v) -> sizes.merge(k, v, Long::sum));
        ok += w.ok;
        warmupErrors += w.warmupErrors;
        warmupRequests += w.warmupRequests;
        connects += w.conn.connects();
        stale += w.conn.staleRetries();
        parsed += w.parsed;
      }
      w.conn.close();
    }
    double serverCores = serverCpu0 < 0 || serverCpu1 < 0 ? -1 : (serverCpu1 - serverCpu0) / (double) wall;
    double benchCores = benchCpu0 < 0 || benchCpu1 < 0 ? -1 : (benchCpu1 - benchCpu0) / (double) wall;
    return new Result(label, connections, schedule.measureEnd - schedule.measureStart, ok, latency, errors, warmupErrors,
        warmupRequests, connects, stale, sizes, parsed, serverCores, benchCores, stuck);
  }

  static long selfCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    while (true) {
      long left = nanoTime - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
    }
  }

  /** Checks one 200 answer; returns an error label or null. */
  static String checkBody(HttpConnection conn, boolean parse, ObjectMapper json, Map<Integer, Long> sizes) {
    if (!conn.bodyLooksLikeJsonArray()) {
      return "200 but body not a JSON array";
    }
    if (parse) {
      try {
        JsonNode node = json.readTree(conn.body(), 0, conn.bodyLength());
        if (node == null || !node.isArray()) {
          return "200 but body not a JSON array";
        }
        sizes.merge(node.size(), 1L, Long::sum);
      } catch (IOException e) {
        return "200 but body not valid JSON";
      }
    }
    return null;
  }

  static String label(Throwable e) {
    String m = e.getMessage();
    if (e instanceof java.net.SocketTimeoutException) {
      return "timeout (" + HttpConnection.TIMEOUT_MS / 1000 + " s)";
    }
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 60 ? m.substring(0, 60) + "..." : m));
  }

  private static final class Schedule {
    volatile long measureStart;
    volatile long measureEnd;
  }

  private static final class Worker implements Runnable {
    final HttpConnection conn;
    final byte[] request;
    final Schedule schedule;
    final CountDownLatch ready;
    final CountDownLatch go;
    final ObjectMapper json;
    final LatencyHistogram latency = new LatencyHistogram();
    final Map<String, Long> errors = new HashMap<>();
    final Map<Integer, Long> sizes = new HashMap<>();
    long ok;
    long warmupErrors;
    long warmupRequests;
    long parsed;

    Worker(HttpConnection conn, byte[] request, Schedule schedule, CountDownLatch ready, CountDownLatch go,
        ObjectMapper json) {
      this.conn = conn;
      this.request = request;
      this.schedule = schedule;
      this.ready = ready;
      this.go = go;
      this.json = json;
    }

    @Override
    public void run() {
      try {
        try {
          conn.connect();
        } catch (IOException e) {
          // retried by exchange(); the failure is counted there
        }
        ready.countDown();
        if (!go.await(HttpConnection.TIMEOUT_MS + 10_000L, TimeUnit.MILLISECONDS)) {
          return;
        }
        final long start = schedule.measureStart;
        final long end = schedule.measureEnd;
        long n = 0;
        while (true) {
          long t0 = System.nanoTime();
          if (t0 - end >= 0) {
            break;
          }
          String error = null;
          int status = -1;
          try {
            status = conn.exchange(request);
          } catch (IOException | RuntimeException e) {
            error = label(e);
          }
          long t1 = System.nanoTime();
          if (error == null) {
            if (status != 200) {
              error = "HTTP " + status;
            } else {
              boolean parse = (n++ % PARSE_EVERY) == 0;
              error = checkBody(conn, parse, json, sizes);
              if (parse) {
                parsed++;
              }
            }
          }
          boolean inWindow = t1 - start >= 0 && t1 - end <= 0;
          synchronized (this) {
            if (!inWindow) {
              warmupRequests++;
              if (error != null) {
                warmupErrors++;
              }
            } else if (error == null) {
              ok++;
              latency.record(t1 - t0);
            } else {
              errors.merge(error, 1L, Long::sum);
            }
          }
          if (error != null && !conn.isOpen()) {
            Thread.sleep(5); // do not spin on a refused port
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        conn.close();
      }
    }
  }

  /** Sequential requests on one connection; see {@link Bench} for how rounds alternate. */
  static final class Sequential {
    final String label;
    final HttpConnection conn;
    final byte[] request;
    final LatencyHistogram latency = new LatencyHistogram();
    final List<Long> roundP50 = new ArrayList<>();
    final Map<String, Long> errors = new TreeMap<>();
    final Map<Integer, Long> sizes = new TreeMap<>();
    long requests;

    Sequential(String label, HttpConnection conn, String path) {
      this.label = label;
      this.conn = conn;
      this.request = conn.request("GET", path, null, null, false);
    }

    /**
     * Sends {@code count} requests back to back (stopping early at {@code deadlineNanos}); records them when
     * {@code record}. Returns the round's own histogram.
     */
    LatencyHistogram run(int count, boolean record, long deadlineNanos, ObjectMapper json) throws InterruptedException {
      var round = new LatencyHistogram();
      for (int i = 0; i < count; i++) {
        if (System.nanoTime() - deadlineNanos > 0) {
          errors.merge("round stopped at its time limit", 1L, Long::sum);
          break;
        }
        long t0 = System.nanoTime();
        String error = null;
        int status = -1;
        try {
          status = conn.exchange(request);
        } catch (IOException | RuntimeException e) {
          error = label(e);
        }
        long t1 = System.nanoTime();
        if (error == null) {
          error = status != 200 ? "HTTP " + status : checkBody(conn, i % PARSE_EVERY == 0, json, sizes);
        }
        if (!record) {
          if (error != null && !conn.isOpen()) {
            Thread.sleep(5);
          }
          continue;
        }
        requests++;
        if (error == null) {
          latency.record(t1 - t0);
          round.record(t1 - t0);
        } else {
          errors.merge(error, 1L, Long::sum);
          if (!conn.isOpen()) {
            Thread.sleep(5);
          }
        }
      }
      if (record) {
        roundP50.add(round.percentileNanos(50));
      }
      return round;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
