package otterbot.bench;

import static otterbot.bench.Report.progress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Agent writes ({@code -Dbench=agents}): {@code POST /api/agents} through the public port with 8 keep-alive
 * connections, like the side-by-side harness's {@code post} step (a unique {@code displayName} per request, rounds of
 * 3,000 creates, the created agents DELETEd after each round), once with 20 agents stored and once with 5,000 seeded
 * before the measurement, so that a cost growing with the number of agents shows. Then {@code GET /api/agents} with
 * the 5,000 stored. Prints req/s, p50/p99 and the server's CPU per create (the figure to compare on a busy machine).
 *
 * <p>Each section also measures the REST path alone: as many {@code POST /api/agents} whose {@code displayName} is a
 * number, which the server refuses with {@code 400} before the registry or the store is asked. That is what a create
 * costs before any of its own work (the front, Jetty, the Jakarta REST whiteboard, reading the JSON body and writing
 * an answer), so a create's figure can be read against it.
 */
final class AgentsBench {
  static final String PART = "agents";
  private static final String AGENTS = "/api/agents";

  private final Path runJar;
  private final Path logsDir;
  private final String stamp;
  private final ObjectMapper json = new ObjectMapper();
  private final Report report = new Report();
  private final int connections = Bench.Config.intProp("bench.agents.connections", 8, 1, 256);
  private final int rounds = Bench.Config.intProp("bench.agents.rounds", 3, 1, 100);
  private final int perRound = Bench.Config.intProp("bench.agents.perRound", 3_000, 1, 1_000_000);
  private final int large = Bench.Config.intProp("bench.agents.large", 5_000, 0, 1_000_000);
  private final Duration getWindow = Duration.ofSeconds(Bench.Config.intProp("bench.agents.getSeconds", 5, 1, 600));

  private AgentsBench(Path runJar, Path moduleDir) {
    this.runJar = runJar;
    this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    this.logsDir = moduleDir.resolve("target").resolve("bench-logs");
  }

  static void run(Path jar, Path moduleDir) throws Exception {
    ServerProcess.withJarSnapshot(jar, runJar -> new AgentsBench(runJar, moduleDir).measure(jar));
  }

  /** One round of POSTs (creates, or refused ones): what it cost and how long each took. */
  record Round(int ok, Map<String, Integer> errors, long wallNanos, long serverCpuNanos, LatencyHistogram latency,
      List<String> ids) {
    double perSecond() {
      return ok * 1e9 / wallNanos;
    }

    double cpuMicrosEach() {
      return ok == 0 || serverCpuNanos < 0 ? -1 : serverCpuNanos / 1e3 / ok;
    }
  }

  private void measure(Path jar) throws Exception {
    String date = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String loadBefore = Bench.loadAverage();
    progress("agent writes: jar %s, %d connections, %d rounds x %d creates, then %d agents stored, load average %s",
        jar, connections, rounds, perRound, large, loadBefore);
    var lines = new ArrayList<String>();
    ServerProcess server = ServerProcess.launch(runJar, logsDir.resolve(stamp + "-agents.log"));
    try {
      server.awaitHealthy(Duration.ofSeconds(60), Duration.ofMillis(10));
      int port = server.port();
      // 20 agents besides the COO, as the harness's setup step.
      create(server, port, "Bench Seed", 20, 1);
      progress("warm-up round");
      Round warm = round(server, port, "Bench Warm");
      delete(port, warm.ids());
      lines.add(section(server, port, "with " + count(port) + " agents stored"));
      if (large > 0) {
        int have = count(port);
        progress("seeding %d agents", large - have);
        create(server, port, "Bench Stored", Math.max(0, large - have), connections);
        lines.add(section(server, port, "with " + count(port) + " agents stored"));
        progress("GET /api/agents with %d agents", count(port));
        LoadTest.Result get = LoadTest.run("get-agents", "127.0.0.1", port, AGENTS, connections,
            Duration.ofSeconds(2), getWindow, server, json);
        lines.add(String.format(Locale.ROOT,
            "GET /api/agents, %d agents, %d connections: %.0f req/s, p50 %.2f ms, p99 %.2f ms, errors %d, "
                + "server %.0f us CPU/req", count(port), connections, get.requestsPerSecond(),
            get.latency().percentileNanos(50) / 1e6, get.latency().percentileNanos(99) / 1e6, get.errorCount(),
            get.serverCores() < 0 ? -1 : get.serverCores() * 1e6 / get.requestsPerSecond()));
      }
    } finally {
      server.stop();
    }
    line("");
    line("============================== OtterBot agent writes ==============================");
    line("date %s, %d cores, Java %s, load average before %s, after %s", date,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore, Bench.loadAverage());
    lines.forEach(this::line);
    Files.createDirectories(logsDir.getParent());
    Files.writeString(logsDir.getParent().resolve("bench-agents-report.txt"), report.toString(),
        StandardCharsets.UTF_8);
  }

  /** {@code rounds} measured rounds; the line reports the median round by req/s and every round's CPU per create. */
  private String section(ServerProcess server, int port, String label) throws Exception {
    var results = new ArrayList<Round>();
    for (int r = 1; r <= rounds; r++) {
      Round round = round(server, port, "Bench Post " + r);
      results.add(round);
      progress("%s, round %d: %d ok, %.0f req/s, p50 %.2f ms, p99 %.2f ms, %.0f us server CPU/create, errors %s",
          label, r, round.ok(), round.perSecond(), round.latency().percentileNanos(50) / 1e6,
          round.latency().percentileNanos(99) / 1e6, round.cpuMicrosEach(), round.errors());
      delete(port, round.ids());
    }
    progress("%s, the REST path alone: %d creates refused with 400", label, perRound);
    Round refused = postConcurrently(server, port, perRound, connections,
        i -> json.writeValueAsBytes(Map.of("displayName", i)), 400);
    var byRate = new ArrayList<>(results);
    byRate.sort((a, b) -> Double.compare(a.perSecond(), b.perSecond()));
    Round median = byRate.get(byRate.size() / 2);
    var cpu = new StringBuilder();
    var errors = new TreeMap<String, Integer>();
    for (Round r : results) {
      cpu.append(cpu.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.0f", r.cpuMicrosEach()));
      r.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
    }
    return String.format(Locale.ROOT,
        "POST /api/agents %s, %d connections, %d rounds x %d: median round %.0f req/s (range %.0f-%.0f), "
            + "p50 %.2f ms, p99 %.2f ms; server CPU per create %s us (by round); errors %s%n"
            + "  the REST path alone (%d creates refused with 400 before the registry): %.0f req/s, p50 %.2f ms, "
            + "p99 %.2f ms, server CPU %.0f us per request; other answers %s",
        label, connections, rounds, perRound, median.perSecond(), byRate.get(0).perSecond(),
        byRate.get(byRate.size() - 1).perSecond(), median.latency().percentileNanos(50) / 1e6,
        median.latency().percentileNanos(99) / 1e6, cpu, errors, perRound, refused.perSecond(),
        refused.latency().percentileNanos(50) / 1e6, refused.latency().percentileNanos(99) / 1e6,
        refused.cpuMicrosEach(), refused.errors());
  }

  private Round round(ServerProcess server, int port, String prefix) throws Exception {
    return createConcurrently(server, port, prefix, perRound, connections);
  }

  private void create(ServerProcess server, int port, String prefix, int n, int conns) throws Exception {
    Round r = createConcurrently(server, port, prefix, n, conns);
    if (!r.errors().isEmpty()) {
      throw new IllegalStateException("seeding " + prefix + " agents failed: " + r.errors());
    }
  }

  /**
   * {@code n} creates over {@code conns} connections, each with a unique display name. Also used by
   * {@link LimitsBench} to grow the number of agents.
   */
  static Round createConcurrently(ServerProcess server, int port, String prefix, int n, int conns) throws Exception {
    ObjectMapper json = SocketIoClient.JSON;
    String run = Long.toString(System.nanoTime(), 36);
    return postConcurrently(server, port, n, conns,
        i -> json.writeValueAsBytes(Map.of("displayName", prefix + " " + run + " " + i)), 201);
  }

  /** The body of the {@code i}th POST. */
  @FunctionalInterface
  interface Body {
    byte[] of(int i) throws IOException;
  }

  /**
   * {@code n} {@code POST /api/agents} over {@code conns} connections; the answers with the {@code expected} status
   * (or 200 when 201 is expected) are the round's {@code ok}, any other is counted in its errors.
   */
  private static Round postConcurrently(ServerProcess server, int port, int n, int conns, Body bodies, int expected)
      throws Exception {
    ObjectMapper json = SocketIoClient.JSON;
    var ok = new AtomicInteger();
    var next = new AtomicInteger();
    var ids = new ConcurrentLinkedQueue<String>();
    var errors = new ConcurrentHashMap<String, Integer>();
    var histograms = new ArrayList<LatencyHistogram>();
    var threads = new ArrayList<Thread>();
    for (int t = 0; t < conns; t++) {
      var latency = new LatencyHistogram();
      histograms.add(latency);
      threads.add(new Thread(() -> {
        try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            byte[] request = c.request("POST", AGENTS, "application/json", bodies.of(i), false);
            long t0 = System.nanoTime();
            try {
              int status = c.exchange(request);
              latency.record(System.nanoTime() - t0);
              if (status == expected || (expected == 201 && status == 200)) {
                ok.incrementAndGet();
                if (status / 100 == 2) {
                  ids.add(json.readTree(c.bodyText()).path("id").asText());
                }
              } else {
                errors.merge(Integer.toString(status), 1, Integer::sum);
              }
            } catch (IOException e) {
              errors.merge(LoadTest.label(e), 1, Integer::sum);
            }
          }
        } catch (IOException e) {
          errors.merge(LoadTest.label(e), 1, Integer::sum);
        }
      }, "bench-agents-" + t));
    }
    long cpu0 = server.cpuNanos();
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    long wall = System.nanoTime() - t0;
    long cpu1 = server.cpuNanos();
    var all = new LatencyHistogram();
    histograms.forEach(all::add);
    return new Round(ok.get(), new TreeMap<>(errors), wall, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, all,
        List.copyOf(ids));
  }

  /** DELETEs the agents, over the same number of connections; not measured. */
  private void delete(int port, List<String> ids) throws Exception {
    var next = new AtomicInteger();
    var failed = new AtomicInteger();
    var threads = new ArrayList<Thread>();
    for (int t = 0; t < connections; t++) {
      threads.add(new Thread(() -> {
        try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
          for (int i = next.getAndIncrement(); i < ids.size(); i = next.getAndIncrement()) {
            if (c.exchange(c.request("DELETE", AGENTS + "/" + ids.get(i), null, null, false)) / 100 != 2) {
              failed.incrementAndGet();
            }
          }
        } catch (IOException e) {
          failed.incrementAndGet();
        }
      }, "bench-agents-delete-" + t));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " DELETEs failed");
    }
  }

  private int count(int port) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      int status = c.exchange(c.request("GET", AGENTS, null, null, false));
      JsonNode list = json.readTree(c.bodyText());
      if (status != 200 || !list.isArray()) {
        throw new IOException("GET /api/agents answered " + status);
      }
      return list.size();
    }
  }

  private void line(String format, Object... args) {
    report.line(format, args);
  }
}
