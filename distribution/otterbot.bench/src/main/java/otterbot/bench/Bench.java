package otterbot.bench;

import static otterbot.bench.Report.progress;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The OtterBot server benchmark: start-up and shutdown times, resident memory, {@code GET /api/agents} under
 * concurrent keep-alive load through the public (netty-socketio) port and directly against the internal Jetty, and
 * the per-request cost of the forwarding between them. It prints figures, PASS/MISS against the aims, and a
 * one-line machine-readable summary. It asserts nothing: it exits normally unless the server could not start.
 *
 * <p>Run it with {@code mvn -q -pl distribution/otterbot.bench exec:java}; see the module's README.md for the
 * system properties that tune it.
 */
public final class Bench {
  // Aims (informational only).
  static final double AIM_STARTUP_MS = 1500;
  static final double AIM_STOP_MS = 3000;
  static final double AIM_RPS = 12_000;
  static final double AIM_P99_MS = 10;
  static final double AIM_OVERHEAD_P50_MS = 0.5;

  static final String AGENTS = "/api/agents";
  /** The boot bundle's first log line ({@code otterbot.boot}'s activator, the first of the server's bundles). */
  private static final String BOOT_LINE = "BootActivator - Home ";

  private final Config cfg;
  private final ObjectMapper json = new ObjectMapper();
  private final Report report = new Report();
  private final List<String> problems = new ArrayList<>();
  private final Path logsDir;
  private final String stamp;

  private Bench(Config cfg) {
    this.cfg = cfg;
    this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    this.logsDir = cfg.moduleDir.resolve("target").resolve("bench-logs");
  }

  /**
   * Runs the benchmarks named by {@code -Dbench=...} and/or the program arguments (comma or space separated):
   * {@code http} (start-up, RSS, GET /api/agents load, forwarding overhead: this class), {@code chat} (all of
   * {@link ChatBench}) or one of {@code chat.relay}, {@code chat.throughput}, {@code chat.idle}; {@code bus} (all of
   * {@link BusBench}) or one of {@code bus.throughput}, {@code bus.delegate}; {@code all} (the default) is
   * {@code http,chat,bus}.
   */
  public static void main(String[] args) throws Exception {
    java.util.Set<String> selected = selection(System.getProperty("bench", ""), args);
    Config cfg = Config.fromSystemProperties();
    if (selected.contains("http")) {
      new Bench(cfg).run();
    }
    var chat = new java.util.TreeSet<String>(selected);
    chat.retainAll(ChatBench.PARTS);
    if (!chat.isEmpty()) {
      ChatBench.run(chat, cfg.jar, cfg.moduleDir);
    }
    var bus = new java.util.TreeSet<String>(selected);
    bus.retainAll(BusBench.PARTS);
    if (!bus.isEmpty()) {
      BusBench.run(bus, cfg.jar, cfg.moduleDir);
    }
    if (selected.contains(AgentsBench.PART)) {
      AgentsBench.run(cfg.jar, cfg.moduleDir);
    }
    if (selected.contains(LimitsBench.PART)) {
      LimitsBench.run(cfg.jar, cfg.moduleDir);
    }
    if (selected.contains(BusDirectBench.PART)) {
      var counts = new java.util.ArrayList<Integer>();
      for (String n : System.getProperty("bench.bus.directPublishers", "1,4,16,64").split(",")) {
        counts.add(Integer.parseInt(n.trim()));
      }
      BusDirectBench.run(counts, Config.intProp("bench.bus.directWarmupSeconds", 2, 0, 60),
          Config.intProp("bench.bus.directSeconds", 5, 1, 600));
    }
    if (selected.contains(MemoryBench.PART)) {
      var sizes = new java.util.ArrayList<Integer>();
      for (String size : System.getProperty("bench.memorySizes", "1000,10000,100000").split(",")) {
        sizes.add(Integer.parseInt(size.trim()));
      }
      MemoryBench.run(sizes, Config.intProp("bench.memoryQueries", 500, 10, 100_000));
    }
    if (selected.contains(EmbeddingBench.PART)) {
      EmbeddingBench.run(Config.intProp("bench.embedWarmup", 60, 0, 10_000), Config.intProp("bench.embedRuns", 300, 1, 100_000));
    }
  }

  static java.util.Set<String> selection(String property, String[] args) {
    var names = new ArrayList<String>();
    for (String s : (property + " " + String.join(" ", args)).split("[,\\s]+")) {
      if (!s.isBlank()) {
        names.add(s.trim().toLowerCase(Locale.ROOT));
      }
    }
    if (names.isEmpty()) {
      names.add("all");
    }
    var out = new java.util.LinkedHashSet<String>();
    for (String n : names) {
      switch (n) {
        case "all" -> {
          out.add("http");
          out.addAll(new java.util.TreeSet<>(ChatBench.PARTS));
          out.addAll(new java.util.TreeSet<>(BusBench.PARTS));
        }
        case "bus" -> out.addAll(new java.util.TreeSet<>(BusBench.PARTS));
        case "delegate" -> out.add("bus.delegate");
        case "http" -> out.add("http");
        case EmbeddingBench.PART -> out.add(EmbeddingBench.PART);
        case AgentsBench.PART -> out.add(AgentsBench.PART);
        case MemoryBench.PART -> out.add(MemoryBench.PART);
        case BusDirectBench.PART -> out.add(BusDirectBench.PART);
        case LimitsBench.PART -> out.add(LimitsBench.PART);
        case "chat" -> out.addAll(new java.util.TreeSet<>(ChatBench.PARTS));
        case "relay", "throughput", "idle", "soak" -> out.add("chat." + n);
        default -> {
          if (!ChatBench.PARTS.contains(n) && !BusBench.PARTS.contains(n)) {
            throw new IllegalArgumentException("unknown benchmark '" + n + "': use all, http, chat, chat.relay, "
                + "chat.throughput, chat.idle, chat.soak, bus, bus.throughput, bus.delegate, bus.direct, agents, limits, embedding or memory (-Dbench=... or program arguments)");
          }
          out.add(n);
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** {@code bootMillis}: process start to the boot bundle's first line (-1 when not found). */
  record StartRun(int run, ServerProcess.Startup startup, long bootMillis, long[] rss, ServerProcess.Stop stop,
      long pid) {}

  private void run() throws Exception {
    Path jar = cfg.jar;
    ServerProcess.withJarSnapshot(jar, runJar -> measure(jar, runJar));
  }

  private void measure(Path jar, Path runJar) throws Exception {
    String date = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String loadBefore = loadAverage();
    int nproc = Runtime.getRuntime().availableProcessors();
    String javaVersion = System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    String jarInfo = String.format(Locale.ROOT, "%s (%d KiB, modified %s)", jar, Files.size(jar) / 1024,
        Files.getLastModifiedTime(jar).toInstant().truncatedTo(ChronoUnit.SECONDS));
    progress("jar %s, %d start-up runs, %d connections, %d s warm-up + %d s per load phase, logs in %s",
        jarInfo, cfg.startRuns, cfg.connections, cfg.warmup.toSeconds(), cfg.duration.toSeconds(),
        logsDir);

    // 1. Start-up and shutdown, each run on a fresh home.
    var runs = new ArrayList<StartRun>();
    for (int i = 1; i <= cfg.startRuns; i++) {
      runs.add(startStopRun(runJar, i));
    }

    // 2..4. One more server for the load measurements.
    ServerProcess server = ServerProcess.launch(runJar, logsDir.resolve(stamp + "-load.log"));
    ServerProcess.Startup loadStartup;
    long[] rssStart;
    long[] rssAfterLoad;
    LoadTest.Result pub;
    LoadTest.Result direct = null;
    LoadTest.Sequential seqPub;
    LoadTest.Sequential seqDirect = null;
    String backend;
    int agentsCreated;
    Map<String, Integer> createStatuses;
    LatencyHistogram createLatency;
    int agentsPublic;
    int agentsDirect;
    String serverVersion;
    ServerProcess.Stop loadStop;
    Map<String, Integer> logWarnings;
    try {
      loadStartup = awaitHealthy(server, "load server");
      progress("load server pid %d healthy after %s ms on port %d", server.pid(), ms(loadStartup.nanosToFirst200()),
          server.port());
      if (!loadStartup.otherAnswers().isEmpty()) {
        problem("load server: before the first 200, /api/health gave " + loadStartup.otherAnswers());
      }
      ServerProcess.sleep(Math.max(0, (loadStartup.firstOkNanos() + 2_000_000_000L - System.nanoTime()) / 1_000_000));
      rssStart = server.rssKib();

      JsonNode health = json.readTree(loadStartup.healthBody());
      serverVersion = health.path("version").asText("?");
      backend = backendUrl(health, server.port());
      URI backendUri = backend == null ? null : URI.create(backend);
      if (backend == null) {
        problem("GET /api/health does not name the internal Jetty URL (subsystems.http.backend): direct measurements skipped");
      }

      // 21 agents: the COO plus the ones created here.
      createStatuses = new TreeMap<>();
      createLatency = new LatencyHistogram();
      agentsCreated = createAgents(server.port(), cfg.agents, createStatuses, createLatency);
      agentsPublic = countAgents("127.0.0.1", server.port());
      agentsDirect = backendUri == null ? -1 : countAgents(backendUri.getHost(), backendUri.getPort());
      progress("created %d agents (statuses %s); GET /api/agents lists %d (public) / %d (direct)", agentsCreated,
          createStatuses, agentsPublic, agentsDirect);
      if (agentsCreated != cfg.agents) {
        problem("only " + agentsCreated + " of " + cfg.agents + " POST /api/agents answered 200: " + createStatuses);
      }
      if (agentsPublic != cfg.agents + 1) {
        problem("GET /api/agents lists " + agentsPublic + " agents, expected " + (cfg.agents + 1)
            + " (the COO + " + cfg.agents + ")");
      }

      progress("load: %d connections to the public port %d (%d s warm-up + %d s)", cfg.connections, server.port(),
          cfg.warmup.toSeconds(), cfg.duration.toSeconds());
      pub = LoadTest.run("public", "127.0.0.1", server.port(), AGENTS, cfg.connections, cfg.warmup, cfg.duration, server,
          json);
      progress("  %.0f req/s, p99 %s ms, %d errors", pub.requestsPerSecond(), ms(pub.latency().percentileNanos(99)),
          pub.errorCount());
      if (backendUri != null) {
        progress("load: %d connections directly to Jetty %s", cfg.connections, backend);
        direct = LoadTest.run("direct", backendUri.getHost(), backendUri.getPort(), AGENTS, cfg.connections, cfg.warmup,
            cfg.duration, server, json);
        progress("  %.0f req/s, p99 %s ms, %d errors", direct.requestsPerSecond(),
            ms(direct.latency().percentileNanos(99)), direct.errorCount());
      }
      rssAfterLoad = server.rssKib();

      // Forwarding overhead: one connection each, alternating rounds (ABBA order) so drift hits both alike.
      progress("sequential: %d warm-up + %d x %d requests per target on one keep-alive connection each",
          cfg.seqWarmup, cfg.seqRounds, cfg.seqPerRound);
      try (HttpConnection pc = new HttpConnection("127.0.0.1", server.port());
          HttpConnection dc = backendUri == null ? null : new HttpConnection(backendUri.getHost(), backendUri.getPort())) {
        seqPub = new LoadTest.Sequential("public", pc, AGENTS);
        if (dc != null) {
          seqDirect = new LoadTest.Sequential("direct", dc, AGENTS);
        }
        long roundLimit = cfg.roundLimit.toNanos();
        seqPub.run(cfg.seqWarmup, false, System.nanoTime() + roundLimit, json);
        if (seqDirect != null) {
          seqDirect.run(cfg.seqWarmup, false, System.nanoTime() + roundLimit, json);
        }
        for (int r = 0; r < cfg.seqRounds; r++) {
          LoadTest.Sequential first = (r % 2 == 0 || seqDirect == null) ? seqPub : seqDirect;
          LoadTest.Sequential second = first == seqPub ? seqDirect : seqPub;
          first.run(cfg.seqPerRound, true, System.nanoTime() + roundLimit, json);
          if (second != null) {
            second.run(cfg.seqPerRound, true, System.nanoTime() + roundLimit, json);
          }
        }
      }
    } finally {
      loadStop = server.stop();
      logWarnings = server.countLogLines("WARN", "ERROR", "Exception");
    }
    progress("load server stopped in %s ms", ms(loadStop.nanos()));
    String loadAfter = loadAverage();

    // ---- report -----------------------------------------------------------------------------------------------
    line("");
    line("================================ OtterBot benchmark ================================");
    line("date %s   nproc %d   java %s   server %s", date, nproc, javaVersion, serverVersion);
    line("jar  %s", jarInfo);
    line("load average before %s   after %s", loadBefore, loadAfter);
    line("");

    line("1. Start-up (process start -> first 200 on GET /api/health, polled every 10 ms) and stop (SIGTERM -> exit)");
    line("   %-4s %7s %10s %8s %8s %9s %12s %12s %10s %6s", "run", "pid", "start ms", "boot ms", "polls", "refused",
        "other", "RSS@2s MiB", "stop ms", "exit");
    var startMs = new ArrayList<Double>();
    var stopMs = new ArrayList<Double>();
    var rssMiB = new ArrayList<Double>();
    var bootMs = new ArrayList<Double>();
    for (StartRun r : runs) {
      startMs.add(r.startup().nanosToFirst200() / 1e6);
      stopMs.add(r.stop().nanos() / 1e6);
      rssMiB.add(r.rss()[0] / 1024.0);
      if (r.bootMillis() >= 0) {
        bootMs.add((double) r.bootMillis());
      }
      line("   %-4d %7d %10s %8s %8d %9d %12s %12s %10s %6s", r.run(), r.pid(), ms1(r.startup().nanosToFirst200()),
          r.bootMillis() < 0 ? "?" : Long.toString(r.bootMillis()), r.startup().polls(), r.startup().refused(),
          compact(r.startup().otherAnswers()), mib(r.rss()[0]), ms1(r.stop().nanos()) + (r.stop().forced() ? "!" : ""),
          r.stop().exit());
    }
    line("   %-4s %7d %10s %8s %8d %9d %12s %12s %10s %6s", "load", server.pid(), ms1(loadStartup.nanosToFirst200()),
        "", loadStartup.polls(), loadStartup.refused(), compact(loadStartup.otherAnswers()), mib(rssStart[0]),
        ms1(loadStop.nanos()) + (loadStop.forced() ? "!" : ""), loadStop.exit());
    stopMs.add(loadStop.nanos() / 1e6);
    double startMedian = median(startMs);
    double stopMax = stopMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    line("   median start %.1f ms (min %.1f, max %.1f); stop median %.1f ms, max %.1f ms; RSS@2s median %.1f MiB",
        startMedian, min(startMs), max(startMs), median(stopMs), stopMax, median(rssMiB));
    if (!bootMs.isEmpty()) {
      line("   median boot %.0f ms (the JVM, the launcher and the framework, before the first of the server's own"
          + " bundles)", median(bootMs));
    }
    line("   ('other' = non-200 answers or I/O errors seen while polling before the first 200; '!' = had to SIGKILL;");
    line("   'boot' = process start -> the first log line of otterbot.boot, start level 10)");
    line("");

    line("2. Resident memory of the load server (VmRSS / VmHWM peak from /proc/<pid>/status)");
    line("   2 s after first 200: %s MiB (peak so far %s MiB)", mib(rssStart[0]), mib(rssStart[1]));
    line("   after the load test: %s MiB (peak %s MiB)", mib(rssAfterLoad[0]), mib(rssAfterLoad[1]));
    line("");

    line("3. GET %s, %d agents (%d created, POST p50 %s ms, max %s ms), %d keep-alive connections, %d s after %d s warm-up",
        AGENTS, agentsPublic, agentsCreated, ms(createLatency.percentileNanos(50)), ms(createLatency.maxNanos()),
        cfg.connections, cfg.duration.toSeconds(), cfg.warmup.toSeconds());
    line("   %-22s %10s %8s %8s %8s %8s %8s %7s %9s %9s %11s", "target", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
        "errors", "conns", "srv cores", "gen cores", "srv us/req");
    loadRow("public :" + server.port(), pub);
    if (direct != null) {
      loadRow("direct " + hostPort(backend), direct);
    } else {
      line("   %-22s %10s", "direct", "n/a (no backend URL)");
    }
    for (LoadTest.Result r : direct == null ? List.of(pub) : List.of(pub, direct)) {
      line("   %s: %d ok in window, %d requests during warm-up (%d failed), %d stale keep-alive retries, "
          + "%d of them fully parsed, array sizes %s%s", r.label(), r.ok(), r.warmupRequests(), r.warmupErrors(),
          r.staleRetries(), r.parsed(), r.arraySizes(), r.errors().isEmpty() ? "" : ", errors " + r.errors());
      if (r.stuckThreads() > 0) {
        problem(r.stuckThreads() + " load threads (" + r.label() + ") were still blocked after the window");
      }
      if (r.errorCount() > 0 || r.warmupErrors() > 0) {
        problem(r.label() + " load: " + r.errorCount() + " errors in the window, " + r.warmupErrors()
            + " during warm-up: " + r.errors());
      }
      if (!r.arraySizes().isEmpty() && !r.arraySizes().keySet().equals(java.util.Set.of(cfg.agents + 1))) {
        problem(r.label() + " load: GET /api/agents array sizes " + r.arraySizes() + ", expected " + (cfg.agents + 1));
      }
    }
    line("   ('srv cores'/'gen cores' = CPU used by the server / by this load generator during the window, in cores;");
    line("    'srv us/req' = server CPU time per request, which other load on the machine disturbs far less than req/s)");
    line("");

    line("4. Forwarding overhead: sequential GET %s on ONE keep-alive connection, %d rounds x %d, alternating order",
        AGENTS, cfg.seqRounds, cfg.seqPerRound);
    line("   %-22s %9s %8s %8s %8s %8s %8s %7s  %s", "target", "requests", "mean ms", "p50 ms", "p90 ms", "p99 ms",
        "max ms", "errors", "p50 per round (ms)");
    seqRow("public :" + server.port(), seqPub);
    Double overheadP50 = null;
    Double overheadP99 = null;
    if (seqDirect != null) {
      seqRow("direct " + hostPort(backend), seqDirect);
      long p50p = seqPub.latency.percentileNanos(50);
      long p50d = seqDirect.latency.percentileNanos(50);
      long p99p = seqPub.latency.percentileNanos(99);
      long p99d = seqDirect.latency.percentileNanos(99);
      overheadP50 = (p50p - p50d) / 1e6;
      overheadP99 = (p99p - p99d) / 1e6;
      line("   overhead (public - direct): p50 %+.3f ms, p99 %+.3f ms;  ratio public/direct: p50 %.2fx, p99 %.2fx",
          overheadP50, overheadP99, ratio(p50p, p50d), ratio(p99p, p99d));
      if (seqDirect.errorCount() > 0) {
        problem("sequential direct: " + seqDirect.errors);
      }
    } else {
      line("   %-22s n/a (no backend URL)", "direct");
    }
    if (seqPub.errorCount() > 0) {
      problem("sequential public: " + seqPub.errors);
    }
    line("");

    line("5. Aims (informational; nothing fails on a MISS)");
    int pass = 0;
    int total = 0;
    var aims = new ArrayList<String[]>();
    aims.add(aim("start-up median < " + (int) AIM_STARTUP_MS + " ms", startMedian < AIM_STARTUP_MS,
        String.format(Locale.ROOT, "%.1f ms", startMedian)));
    aims.add(aim("stop (SIGTERM -> exit) < " + (int) AIM_STOP_MS + " ms, every run", stopMax < AIM_STOP_MS,
        String.format(Locale.ROOT, "max %.1f ms", stopMax)));
    double pubP99 = pub.latency().percentileNanos(99) / 1e6;
    aims.add(aim("public " + cfg.connections + "-conn GET /api/agents > " + (int) AIM_RPS + " req/s",
        pub.requestsPerSecond() > AIM_RPS && pub.errorCount() == 0,
        String.format(Locale.ROOT, "%.0f req/s, %d errors", pub.requestsPerSecond(), pub.errorCount())));
    aims.add(aim("public " + cfg.connections + "-conn GET /api/agents p99 < " + (int) AIM_P99_MS + " ms",
        pubP99 < AIM_P99_MS && pub.ok() > 0, String.format(Locale.ROOT, "%.3f ms", pubP99)));
    aims.add(aim("forwarding overhead p50 < " + AIM_OVERHEAD_P50_MS + " ms",
        overheadP50 != null && overheadP50 < AIM_OVERHEAD_P50_MS,
        overheadP50 == null ? "n/a" : String.format(Locale.ROOT, "%+.3f ms", overheadP50)));
    for (String[] a : aims) {
      total++;
      if (a[1].equals("PASS")) {
        pass++;
      }
      line("   %-4s  %-52s %s", a[1], a[0], a[2]);
    }
    if (direct != null) {
      line("   (for reference, direct to Jetty: %.0f req/s, p99 %s ms)", direct.requestsPerSecond(),
          ms(direct.latency().percentileNanos(99)));
    }
    line("");

    line("Server behaviour worth a look:");
    if (!logWarnings.isEmpty()) {
      line("   - load server: log lines containing %s in %s", logWarnings, server.log());
    }
    if (problems.isEmpty() && logWarnings.isEmpty()) {
      line("   nothing: every answer was 200 with a JSON array, every stop was orderly");
    }
    for (String p : problems) {
      line("   - %s", p);
    }
    line("");

    long totalErrors = pub.errorCount() + (direct == null ? 0 : direct.errorCount()) + seqPub.errorCount()
        + (seqDirect == null ? 0 : seqDirect.errorCount());
    line("SUMMARY date=%s nproc=%d java=%s load_before=%s load_after=%s startup_median_ms=%.1f stop_max_ms=%.1f "
        + "rss_mib=%s rss_after_load_mib=%s public_rps=%.0f public_p50_ms=%s public_p99_ms=%s direct_rps=%s "
        + "direct_p99_ms=%s fwd_p50_public_ms=%s fwd_p50_direct_ms=%s fwd_overhead_p50_ms=%s fwd_overhead_p99_ms=%s "
        + "errors=%d aims_passed=%d/%d",
        date, nproc, System.getProperty("java.version"), loadBefore.replace(' ', '/'), loadAfter.replace(' ', '/'),
        startMedian, stopMax, mib(rssStart[0]), mib(rssAfterLoad[0]), pub.requestsPerSecond(),
        ms(pub.latency().percentileNanos(50)), ms(pub.latency().percentileNanos(99)),
        direct == null ? "na" : String.format(Locale.ROOT, "%.0f", direct.requestsPerSecond()),
        direct == null ? "na" : ms(direct.latency().percentileNanos(99)), ms(seqPub.latency.percentileNanos(50)),
        seqDirect == null ? "na" : ms(seqDirect.latency.percentileNanos(50)),
        overheadP50 == null ? "na" : String.format(Locale.ROOT, "%.3f", overheadP50),
        overheadP99 == null ? "na" : String.format(Locale.ROOT, "%.3f", overheadP99), totalErrors, pass, total);

    Path reportFile = cfg.moduleDir.resolve("target").resolve("bench-report.txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, report.toString(), StandardCharsets.UTF_8);
    System.out.println("(report also written to " + reportFile + ")");
  }

  private StartRun startStopRun(Path jar, int i) throws IOException {
    ServerProcess s = ServerProcess.launch(jar, logsDir.resolve(stamp + "-startup-" + i + ".log"));
    ServerProcess.Startup su;
    long[] rss;
    ServerProcess.Stop stop;
    try {
      su = awaitHealthy(s, "start-up run " + i);
      ServerProcess.sleep(Math.max(0, (su.firstOkNanos() + 2_000_000_000L - System.nanoTime()) / 1_000_000));
      rss = s.rssKib();
    } finally {
      stop = s.stop();
    }
    if (stop.forced()) {
      problem("run " + i + ": the server ignored SIGTERM for " + ServerProcess.STOP_TIMEOUT.toSeconds()
          + " s and was killed");
    }
    if (!su.otherAnswers().isEmpty()) {
      problem("run " + i + ": before the first 200, /api/health gave " + su.otherAnswers());
    }
    Map<String, Integer> warnings = s.countLogLines("WARN", "ERROR", "Exception");
    if (!warnings.isEmpty()) {
      problem("run " + i + ": log lines containing " + warnings + " in " + s.log());
    }
    progress("start-up run %d: pid %d healthy after %s ms, RSS %s MiB, stopped in %s ms (exit %s)", i, s.pid(),
        ms1(su.nanosToFirst200()), mib(rss[0]), ms1(stop.nanos()), stop.exit());
    return new StartRun(i, su, s.millisToLogLine(BOOT_LINE), rss, stop, s.pid());
  }

  private ServerProcess.Startup awaitHealthy(ServerProcess s, String what) {
    try {
      return s.awaitHealthy(cfg.readyTimeout, Duration.ofMillis(10));
    } catch (IllegalStateException e) {
      System.out.println("[bench] " + what + " failed: " + e.getMessage());
      throw new IllegalStateException("the server could not start (" + what + "); log: " + s.log(), e);
    }
  }

  /** POSTs {@code n} agents through the public port; returns how many answered 200. */
  private int createAgents(int port, int n, Map<String, Integer> statuses, LatencyHistogram latency) throws IOException {
    int ok = 0;
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      for (int i = 1; i <= n; i++) {
        byte[] body = json.writeValueAsBytes(Map.of("displayName", "Bench Agent " + i));
        long t0 = System.nanoTime();
        String key;
        try {
          int st = c.exchange(c.request("POST", AGENTS, "application/json", body, false));
          latency.record(System.nanoTime() - t0);
          key = Integer.toString(st);
          if (st == 200) {
            ok++;
          } else if (statuses.getOrDefault(key, 0) == 0) {
            problem("POST /api/agents answered " + st + ": " + abbreviate(c.bodyText()));
          }
        } catch (IOException e) {
          key = LoadTest.label(e);
        }
        statuses.merge(key, 1, Integer::sum);
      }
    }
    return ok;
  }

  /** The size of the JSON array GET /api/agents returns, or -1. */
  private int countAgents(String host, int port) {
    try (HttpConnection c = new HttpConnection(host, port)) {
      int st = c.exchange(c.request("GET", AGENTS, null, null, false));
      if (st != 200) {
        problem("GET " + AGENTS + " on " + host + ":" + port + " answered " + st + ": " + abbreviate(c.bodyText()));
        return -1;
      }
      JsonNode node = json.readTree(c.body(), 0, c.bodyLength());
      if (!node.isArray()) {
        problem("GET " + AGENTS + " on " + host + ":" + port + " is not a JSON array: " + abbreviate(c.bodyText()));
        return -1;
      }
      String how = c.chunked() ? "chunked" : "Content-Length";
      progress("GET %s on %s:%d: %d bytes (%s), Content-Type %s", AGENTS, host, port, c.bodyLength(), how,
          c.contentType());
      return node.size();
    } catch (IOException e) {
      problem("GET " + AGENTS + " on " + host + ":" + port + " failed: " + e);
      return -1;
    }
  }

  private static final Pattern LOOPBACK_URL =
      Pattern.compile("^https?://(127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|localhost|\\[::1\\]):(\\d+)/?$");

  /**
   * The internal Jetty base URL: {@code subsystems.http.backend}, or else any loopback http URL in the health
   * document whose port is not the public one. Null if none, or if it is not a loopback address.
   */
  private String backendUrl(JsonNode health, int publicPort) {
    String declared = health.path("subsystems").path("http").path("backend").asText(null);
    if (declared != null) {
      Matcher m = LOOPBACK_URL.matcher(declared.trim());
      if (m.matches() && Integer.parseInt(m.group(2)) != publicPort) {
        return declared.trim().replaceAll("/$", "");
      }
      problem("subsystems.http.backend is '" + declared + "', not a loopback http URL on another port");
      return null;
    }
    var found = new ArrayList<String>();
    collectUrls(health, "", found);
    for (String f : found) {
      String[] kv = f.split("=", 2);
      Matcher m = LOOPBACK_URL.matcher(kv[1]);
      if (m.matches() && Integer.parseInt(m.group(2)) != publicPort) {
        problem("no subsystems.http.backend in /api/health; using " + kv[0] + " = " + kv[1] + " as the Jetty URL");
        return kv[1].replaceAll("/$", "");
      }
    }
    return null;
  }

  private static void collectUrls(JsonNode node, String path, List<String> out) {
    if (node.isTextual()) {
      out.add(path + "=" + node.asText().trim());
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
        var e = it.next();
        collectUrls(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectUrls(node.get(i), path + "[" + i + "]", out);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void loadRow(String target, LoadTest.Result r) {
    LatencyHistogram h = r.latency();
    line("   %-22s %10.0f %8s %8s %8s %8s %8d %7d %9s %9s %11s", target, r.requestsPerSecond(), ms(h.percentileNanos(50)),
        ms(h.percentileNanos(90)), ms(h.percentileNanos(99)), ms(h.maxNanos()), r.errorCount(), r.connects(),
        r.serverCores() < 0 ? "?" : String.format(Locale.ROOT, "%.2f", r.serverCores()),
        r.benchCores() < 0 ? "?" : String.format(Locale.ROOT, "%.2f", r.benchCores()),
        r.serverCores() < 0 || r.ok() == 0 ? "?"
            : String.format(Locale.ROOT, "%.0f", r.serverCores() * 1e6 / r.requestsPerSecond()));
  }

  private void seqRow(String target, LoadTest.Sequential s) {
    LatencyHistogram h = s.latency;
    var rounds = new StringBuilder();
    for (long p : s.roundP50) {
      rounds.append(rounds.length() == 0 ? "" : " ").append(ms(p));
    }
    line("   %-22s %9d %8s %8s %8s %8s %8s %7d  %s", target, s.requests, ms((long) h.meanNanos()),
        ms(h.percentileNanos(50)), ms(h.percentileNanos(90)), ms(h.percentileNanos(99)), ms(h.maxNanos()),
        s.errorCount(), rounds);
  }

  private static String[] aim(String what, boolean pass, String value) {
    return new String[] {what, pass ? "PASS" : "MISS", value};
  }

  private void problem(String p) {
    problems.add(p);
  }

  private void line(String format, Object... args) {
    report.line(format, args);
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  static String ms1(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  static String mib(long kib) {
    return kib < 0 ? "?" : String.format(Locale.ROOT, "%.1f", kib / 1024.0);
  }

  static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static String compact(Map<String, Integer> m) {
    if (m.isEmpty()) {
      return "-";
    }
    var sb = new StringBuilder();
    m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('x').append(v));
    return sb.toString();
  }

  static String hostPort(String url) {
    URI u = URI.create(url);
    return ":" + u.getPort();
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join(" ", Arrays.copyOf(f, 3));
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() <= 200 ? one : one.substring(0, 200) + "...";
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Tunables, from system properties, each clamped to a sane range so every phase stays bounded. */
  record Config(Path jar, Path moduleDir, int startRuns, int agents, int connections, Duration warmup, Duration duration,
      int seqWarmup, int seqRounds, int seqPerRound, Duration readyTimeout, Duration roundLimit) {

    static Config fromSystemProperties() {
      Path moduleDir = Path.of(System.getProperty("otterbot.bench.dir", ".")).toAbsolutePath().normalize();
      String jarProp = System.getProperty("otterbot.jar", "../otterbot.app/target/otterbot.jar");
      Path jar = Path.of(jarProp).normalize();
      if (!jar.isAbsolute()) {
        Path fromCwd = jar.toAbsolutePath().normalize();
        jar = Files.isRegularFile(fromCwd) ? fromCwd : moduleDir.resolve(jar).normalize();
      }
      return new Config(jar, moduleDir,
          intProp("bench.startRuns", 5, 1, 50),
          intProp("bench.agents", 20, 0, 1000),
          intProp("bench.connections", 64, 1, 1024),
          Duration.ofSeconds(intProp("bench.warmupSeconds", 5, 0, 300)),
          Duration.ofSeconds(intProp("bench.durationSeconds", 10, 1, 600)),
          intProp("bench.seqWarmup", 5_000, 0, 1_000_000),
          intProp("bench.seqRounds", 4, 1, 100),
          intProp("bench.seqPerRound", 5_000, 1, 1_000_000),
          Duration.ofSeconds(intProp("bench.readyTimeoutSeconds", 60, 5, 600)),
          Duration.ofSeconds(intProp("bench.roundLimitSeconds", 120, 5, 3600)));
    }

    static int intProp(String name, int def, int min, int max) {
      String v = System.getProperty(name);
      if (v == null || v.isBlank()) {
        return def;
      }
      try {
        return Math.max(min, Math.min(max, Integer.parseInt(v.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("-D" + name + "=" + v + " is not a number");
      }
    }
  }
}
