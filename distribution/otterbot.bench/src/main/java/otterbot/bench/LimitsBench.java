package otterbot.bench;

import static otterbot.bench.Report.fmt;
import static otterbot.bench.Report.progress;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.provider.ToolCall;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * Where the server stops scaling ({@code -Dbench=limits}, issue 12): on one server, the p50/p99/max of three calls as
 * what they read grows, and the largest size at which each still answers within {@value #LIMIT_MS} ms at p99.
 *
 * <ol>
 *   <li>{@code chat:join {agentId, conversationId}} of one conversation → {@code chat:joined} (resumed), on one
 *       Socket.IO client, as the conversation grows through real turns against a zero-latency fake model;
 *   <li>{@code GET /api/bus/messages} (the default 200, the most, {@code limit=1000}, and {@code limit=1}) as the bus
 *       history grows through the COO's {@code broadcast} tool calls;
 *   <li>{@code GET /api/agents} as agents are created.
 * </ol>
 *
 * <p>Agents come last because every broadcast is delivered to every agent: the bus grows with the 2 agents of the
 * earlier parts, not with thousands. Each call is measured sequentially on one connection, after a warm-up, between
 * growth phases (nothing else runs on the server while it is measured). A figure stops growing after
 * {@code bench.limits.stopAfter} consecutive steps above the bar, or when its growth took its time budget. Prints
 * figures; asserts nothing.
 */
final class LimitsBench {
  static final String PART = "limits";
  /** The bar: a call still answers in time while its p99 is at most this. */
  static final double LIMIT_MS = 10;

  private static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);
  /** Turns one socket may run at once: the server's default {@code maxTurnsPerSocket}. */
  private static final int IN_FLIGHT = 4;
  /** Broadcasts per model step: the server's default {@code maxToolCallsPerStep}. */
  private static final int CALLS_PER_STEP = 16;
  /** Steps of a bus turn that call tools: a turn takes at most 8 steps, and the last must answer with text. */
  private static final int TOOL_STEPS = 7;
  private static final String BUS_TEXT = "bus ";
  /**
   * Characters of requests one fake receives before a fresh one replaces it: FakeModelServer keeps every request it
   * received (parsed), and a turn in a 10,000-message conversation sends the model all of them.
   */
  private static final long CHARS_PER_FAKE = 16L << 20;
  private static final String AGENTS = "/api/agents";
  private static final String BUS = "/api/bus/messages";

  private final Path runJar;
  private final Path moduleDir;
  private final Path logsDir;
  private final String stamp;
  private final ObjectMapper json = SocketIoClient.JSON;
  private final Report report = new Report();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final boolean quick = Boolean.getBoolean("bench.limits.quick");
  private final int warmup = intProp("bench.limits.warmup", quick ? 100 : 300, 0, 100_000);
  private final int measured = intProp("bench.limits.requests", quick ? 300 : 1_000, 10, 1_000_000);
  private final int stopAfter = intProp("bench.limits.stopAfter", 2, 1, 100);
  private final Duration growBudget = Duration.ofSeconds(intProp("bench.limits.growSeconds", 150, 5, 3_600));
  private final Duration stepLimit = Duration.ofSeconds(intProp("bench.limits.stepSeconds", 60, 5, 3_600));
  private final List<Long> messageSizes = sizes("bench.limits.messages",
      quick ? "10,100,400" : "10,100,1000,5000,10000");
  private final List<Long> busSizes = sizes("bench.limits.bus", quick ? "1000,3000" : "1000,10000,50000,100000");
  private final List<Long> agentSizes = sizes("bench.limits.agents",
      quick ? "21,200,500" : "21,500,1000,2000,5000,10000");

  private LimitsBench(Path runJar, Path moduleDir) {
    this.runJar = runJar;
    this.moduleDir = moduleDir;
    this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    this.logsDir = moduleDir.resolve("target").resolve("bench-logs");
  }

  static void run(Path jar, Path moduleDir) throws Exception {
    ServerProcess.withJarSnapshot(jar, runJar -> new LimitsBench(runJar, moduleDir).measure(jar));
  }

  // ---- figures ----------------------------------------------------------------------------------------------------

  /** One call measured at one size. */
  record Step(long size, LatencyHistogram latency, double serverCpuMsPerCall, String serverGc, long rssKib,
      String note) {
    boolean over() {
      return latency.percentileNanos(99) / 1e6 > LIMIT_MS;
    }
  }

  /** One call measured at growing sizes. */
  static final class Figure {
    final String call;
    final String unit;
    final List<Step> steps = new ArrayList<>();
    /** Why it stopped growing before its last size, or null. */
    String stopped;

    Figure(String call, String unit) {
      this.call = call;
      this.unit = unit;
    }

    /** Whether the last {@code n} steps were all above the bar. */
    boolean overFor(int n) {
      if (steps.size() < n) {
        return false;
      }
      return steps.subList(steps.size() - n, steps.size()).stream().allMatch(Step::over);
    }

    /** "largest size with p99 ≤ 10 ms: X (next step Y had p99 Z ms)". */
    String verdict() {
      Step lastOk = null;
      Step firstOver = null;
      Step laterOk = null;
      for (Step s : steps) {
        if (!s.over() && firstOver == null) {
          lastOk = s;
        } else if (s.over() && firstOver == null) {
          firstOver = s;
        } else if (!s.over()) {
          laterOk = s;
        }
      }
      String answer;
      if (steps.isEmpty()) {
        answer = "not measured";
      } else if (firstOver == null) {
        answer = fmt("%,d %s (the largest measured; no step had p99 above %.0f ms)", lastOk.size(), unit, LIMIT_MS);
      } else if (lastOk == null) {
        answer = fmt("none measured (the first step, %,d %s, had p99 %s ms)", firstOver.size(), unit,
            ChatBench.ms(firstOver.latency().percentileNanos(99)));
      } else {
        answer = fmt("%,d %s (next step %,d had p99 %s ms)", lastOk.size(), unit, firstOver.size(),
            ChatBench.ms(firstOver.latency().percentileNanos(99)));
      }
      if (laterOk != null) {
        answer += fmt("; but a later step, %,d, was below again: a noisy machine?", laterOk.size());
      }
      return answer;
    }

    /** The size of the verdict, for the summary line: -1 when none. */
    long largestOk() {
      long ok = -1;
      for (Step s : steps) {
        if (s.over()) {
          break;
        }
        ok = s.size();
      }
      return ok;
    }
  }

  private void measure(Path jar) throws Exception {
    String date = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String loadBefore = Bench.loadAverage();
    String jarInfo = String.format(Locale.ROOT, "%s (%d KiB, modified %s)", jar, Files.size(jar) / 1024,
        Files.getLastModifiedTime(jar).toInstant().truncatedTo(ChronoUnit.SECONDS));
    progress("limits%s: jar %s, %d warm-up + %d measured calls per step, messages %s, bus %s, agents %s, "
        + "load average %s", quick ? " (quick)" : "", jarInfo, warmup, measured, messageSizes, busSizes, agentSizes,
        loadBefore);
    var join = new Figure("chat:join {agentId, conversationId} -> chat:joined", "messages");
    var busDefault = new Figure("GET " + BUS + " (default limit 200)", "bus messages");
    var busMost = new Figure("GET " + BUS + "?limit=1000 (the most)", "bus messages");
    var busOne = new Figure("GET " + BUS + "?limit=1", "bus messages");
    var agents = new Figure("GET " + AGENTS, "agents");
    var growth = new ArrayList<String>();
    long startNanos = System.nanoTime();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(2, exec);
    ServerProcess server = startServer();
    try (Model model = new Model(server)) {
      server.useModel(model.baseUrl());
      // The agents that chat here do not learn: a learning run (when a socket goes, or 5 minutes after a
      // conversation's last message) would read a whole conversation and call the model while something is measured.
      noLearning(server.port(), "coo");
      var grower = new Grower();
      SocketIoClient growing = SocketIoClient.connect(http, server.port(), grower).get(20, TimeUnit.SECONDS);
      growth.add(conversation(server, http, model, grower, growing, join));
      growth.add(bus(server, model, grower, growing, List.of(busDefault, busMost, busOne)));
      growing.close();
      if (grower.refused.get() > 0) {
        problems.add(grower.refused.get() + " chat:message sent right after a chat:done (never more than " + IN_FLIGHT
            + " turns in flight) were refused as \"too many turns running\": the server sends chat:done before it"
            + " counts the turn as ended");
      }
      growth.add(agents(server, agents));
    } finally {
      stopServer(server);
      SocketIoClient.shutdown(exec[0]);
    }
    String loadAfter = Bench.loadAverage();
    long minutes = (System.nanoTime() - startNanos) / 60_000_000_000L;
    long seconds = (System.nanoTime() - startNanos) / 1_000_000_000L % 60;

    line("");
    line("============================== OtterBot limits (issue 12) ==============================");
    line("date %s   nproc %d   java %s   run %d min %02d s%s", date, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), minutes, seconds, quick ? "   QUICK MODE (small sizes)" : "");
    line("jar  %s", jarInfo);
    line("load average before %s   after %s", loadBefore, loadAfter);
    line("every step: %d warm-up + %d measured calls, one after the other on one connection; the bar is p99 <= %.0f ms",
        warmup, measured, LIMIT_MS);
    line("");
    table("1. " + join.call + ", one Socket.IO client", join);
    line("");
    line("2. GET %s as the bus history grows (size = the newest seq)", BUS);
    for (Figure f : List.of(busDefault, busMost, busOne)) {
      table("   " + f.call, f);
    }
    line("");
    table("3. GET " + AGENTS + " (public port, one keep-alive connection)", agents);
    line("");
    line("Growth (not measured calls):");
    growth.forEach(g -> line("   %s", g));
    line("");
    line("Largest size with p99 <= %.0f ms:", LIMIT_MS);
    for (Figure f : List.of(join, busDefault, busMost, busOne, agents)) {
      line("   %-52s %s", f.call + ":", f.verdict());
      if (f.stopped != null) {
        line("   %-52s (stopped growing: %s)", "", f.stopped);
      }
    }
    line("");
    line("Server behaviour worth a look:");
    if (problems.isEmpty()) {
      line("   nothing: every call answered as expected, every turn ended without an error, no WARN/ERROR in the log");
    }
    for (String p : problems) {
      line("   - %s", p);
    }
    line("");
    line("LIMITS-SUMMARY date=%s nproc=%d quick=%s load_before=%s load_after=%s join_messages_ok=%d "
        + "bus_default_ok=%d bus_limit1000_ok=%d bus_limit1_ok=%d agents_ok=%d problems=%d", date,
        Runtime.getRuntime().availableProcessors(), quick, loadBefore.replace(' ', '/'), loadAfter.replace(' ', '/'),
        join.largestOk(), busDefault.largestOk(), busMost.largestOk(), busOne.largestOk(), agents.largestOk(),
        problems.size());
    Path reportFile = moduleDir.resolve("target").resolve("bench-limits-report.txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, report.toString(), StandardCharsets.UTF_8);
    System.out.println("(report also written to " + reportFile + ")");
  }

  private void table(String title, Figure f) {
    line("%s", title);
    line("   %14s %9s %9s %9s %13s %15s %8s  %s", f.unit, "p50 ms", "p99 ms", "max ms", "srv CPU/call",
        "srv GC pauses", "RSS MiB", "");
    for (Step s : f.steps) {
      line("   %,14d %9s %9s %9s %13s %15s %8s  %s", s.size(), ChatBench.ms(s.latency().percentileNanos(50)),
          ChatBench.ms(s.latency().percentileNanos(99)), ChatBench.ms(s.latency().maxNanos()),
          s.serverCpuMsPerCall() < 0 ? "?" : fmt("%.3f ms", s.serverCpuMsPerCall()), s.serverGc(),
          s.rssKib() < 0 ? "?" : fmt("%.0f", s.rssKib() / 1024.0), (s.over() ? "> bar" : "") + s.note());
    }
  }

  // ---- 1. chat:join of a growing conversation ----------------------------------------------------------------------

  /**
   * Grows one conversation of an agent created with {@code autoLearn} off (so no learning run reads the long
   * conversation in the background) through turns of a short question and a one-word answer, each adding 2 messages,
   * and measures joining it again on a second client between the growth steps.
   */
  private String conversation(ServerProcess server, HttpClient http, Model model, Grower grower, SocketIoClient growing,
      Figure figure) throws Exception {
    String talker = createTalker(server.port());
    String conversationId = grower.join(growing, talker, null);
    var joiner = new Joiner();
    SocketIoClient joining = SocketIoClient.connect(http, server.port(), joiner).get(20, TimeUnit.SECONDS);
    long messages = 0;
    long growNanos = 0;
    for (long target : messageSizes) {
      long t0 = System.nanoTime();
      long deadline = t0 + growBudget.toNanos() - growNanos;
      progress("chat:join: growing the conversation from %,d to %,d messages (%,d turns)", messages, target,
          (target - messages + 1) / 2);
      boolean cut = false;
      while (messages < target && !cut) {
        long turns = (target - messages + 1) / 2;
        long stored = grower.turns(growing, model, talker, turns, 50, deadline, n -> "question " + n);
        messages += 2 * stored;
        cut = messages < target && System.nanoTime() - deadline > 0;
      }
      growNanos += System.nanoTime() - t0;
      if (cut) {
        figure.stopped = fmt("growth took its time budget (bench.limits.growSeconds=%d) at %,d messages",
            growBudget.toSeconds(), messages);
      }
      if (messages > 0) {
        figure.steps.add(measureJoins(server, joining, joiner, talker, conversationId, messages));
        progress("  %,d messages: chat:join p99 %s ms", messages,
            ChatBench.ms(figure.steps.get(figure.steps.size() - 1).latency().percentileNanos(99)));
      }
      if (cut || figure.overFor(stopAfter)) {
        if (!cut) {
          figure.stopped = stopAfter + " steps in a row above the bar";
        }
        break;
      }
    }
    joining.close();
    return fmt("conversation: %,d messages in %,d turns in %.1f s (%.0f turns/s, at most %d in flight on one socket; "
        + "each turn's model request carries the whole history)", messages, messages / 2, growNanos / 1e9,
        messages / 2 / Math.max(1e-9, growNanos / 1e9), IN_FLIGHT);
  }

  /** {@code chat:joined} as one client hears it. */
  private static final class Joiner implements SocketIoClient.Events {
    record Joined(JsonNode data, long receivedNanos) {}

    private volatile CompletableFuture<Joined> next;

    @Override
    public void event(SocketIoClient client, String name, JsonNode data, long receivedNanos) {
      CompletableFuture<Joined> f = next;
      if (name.equals("chat:joined") && f != null) {
        f.complete(new Joined(data, receivedNanos));
      }
    }
  }

  private Step measureJoins(ServerProcess server, SocketIoClient client, Joiner joiner, String agentId,
      String conversationId, long size) throws Exception {
    long deadline = System.nanoTime() + stepLimit.toNanos();
    joins(client, joiner, agentId, conversationId, warmup, deadline, null);
    var latency = new LatencyHistogram();
    long[] gc0 = ChatBench.serverGc(server.pid());
    long cpu0 = server.cpuNanos();
    int wrong = joins(client, joiner, agentId, conversationId, measured, deadline, latency);
    long cpu1 = server.cpuNanos();
    long[] gc1 = ChatBench.serverGc(server.pid());
    if (wrong > 0) {
      problems.add(fmt("chat:join at %,d messages: %d of %d chat:joined did not resume conversation %s", size, wrong,
          latency.count(), conversationId));
    }
    return step(server, size, latency, cpu0, cpu1, gc0, gc1);
  }

  /** {@code count} joins one after the other, each waiting for its {@code chat:joined}; returns how many were wrong. */
  private int joins(SocketIoClient client, Joiner joiner, String agentId, String conversationId, int count,
      long deadline, LatencyHistogram latency) throws Exception {
    int wrong = 0;
    Map<String, String> payload = Map.of("agentId", agentId, "conversationId", conversationId);
    for (int i = 0; i < count && System.nanoTime() - deadline < 0; i++) {
      var f = new CompletableFuture<Joiner.Joined>();
      joiner.next = f;
      long sent = System.nanoTime();
      client.emit("chat:join", payload);
      Joiner.Joined joined = f.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (latency != null) {
        latency.record(joined.receivedNanos() - sent);
      }
      if (!joined.data().path("resumed").asBoolean(false)
          || !conversationId.equals(joined.data().path("conversationId").asText())) {
        wrong++;
      }
    }
    return wrong;
  }

  private String createTalker(int port) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      byte[] body = json.writeValueAsBytes(Map.of("displayName", "Bench Talker", "autoLearn", false));
      int st = c.exchange(c.request("POST", AGENTS, "application/json", body, false));
      if (st != 200) {
        throw new IllegalStateException("POST /api/agents answered " + st + ": " + c.bodyText());
      }
      return json.readTree(c.body(), 0, c.bodyLength()).path("id").asText();
    }
  }

  private void noLearning(int port, String agentId) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      byte[] body = json.writeValueAsBytes(Map.of("autoLearn", false));
      int st = c.exchange(c.request("PATCH", AGENTS + "/" + agentId, "application/json", body, false));
      if (st != 200) {
        throw new IllegalStateException("PATCH /api/agents/" + agentId + " answered " + st + ": " + c.bodyText());
      }
    }
  }

  // ---- 2. GET /api/bus/messages of a growing history ---------------------------------------------------------------

  /**
   * Grows the bus history through COO turns in which the fake calls {@code broadcast} as often as a turn allows
   * ({@value #TOOL_STEPS} steps of {@value #CALLS_PER_STEP} calls: 112 bus messages per turn), a new conversation every
   * 10 turns, and measures the three reads between the growth steps.
   */
  private String bus(ServerProcess server, Model model, Grower grower, SocketIoClient growing, List<Figure> figures)
      throws Exception {
    String[] paths = {BUS, BUS + "?limit=1000", BUS + "?limit=1"};
    long[] expected = {200, 1000, 1};
    long size = lastSeq(server.port());
    long turnsDone = 0;
    long growNanos = 0;
    int perTurn = CALLS_PER_STEP * TOOL_STEPS;
    for (long target : busSizes) {
      long t0 = System.nanoTime();
      long deadline = t0 + growBudget.toNanos() - growNanos;
      progress("bus: growing the history from %,d to %,d messages (%d per turn)", size, target, perTurn);
      boolean cut = false;
      while (size < target && !cut) {
        long turns = Math.min(10, (target - size + perTurn - 1) / perTurn);
        grower.join(growing, "coo", null); // a new conversation: the COO's history stays short
        turnsDone += grower.turns(growing, model, "coo", turns, turns, deadline, n -> BUS_TEXT + n);
        size = lastSeq(server.port());
        cut = size < target && System.nanoTime() - deadline > 0;
      }
      growNanos += System.nanoTime() - t0;
      if (cut) {
        String why = fmt("growth took its time budget (bench.limits.growSeconds=%d) at %,d messages",
            growBudget.toSeconds(), size);
        figures.forEach(f -> f.stopped = why);
      }
      try (HttpConnection c = new HttpConnection("127.0.0.1", server.port())) {
        for (int i = 0; i < paths.length; i++) {
          figures.get(i).steps.add(measureGet(server, c, paths[i], size, Math.min(expected[i], size)));
        }
      }
      progress("  %,d messages: p99 %s ms (default), %s ms (limit=1000), %s ms (limit=1)", size,
          p99(figures.get(0)), p99(figures.get(1)), p99(figures.get(2)));
      if (cut || figures.get(0).overFor(stopAfter)) {
        if (!cut) {
          figures.forEach(f -> f.stopped = stopAfter + " steps in a row above the bar (default query)");
        }
        break;
      }
    }
    return fmt("bus: %,d messages stored through %,d COO turns in %.1f s (%.0f messages/s)", size, turnsDone,
        growNanos / 1e9, size / Math.max(1e-9, growNanos / 1e9));
  }

  /** The newest bus seq: the number of messages stored (seqs start at 1 and nothing else publishes here). */
  private long lastSeq(int port) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      int st = c.exchange(c.request("GET", BUS + "?limit=1", null, null, false));
      JsonNode list = json.readTree(c.body(), 0, c.bodyLength());
      if (st != 200 || !list.isArray()) {
        throw new IOException("GET " + BUS + "?limit=1 answered " + st);
      }
      return list.isEmpty() ? 0 : list.get(0).path("seq").asLong();
    }
  }

  // ---- 3. GET /api/agents with a growing number of agents ----------------------------------------------------------

  private String agents(ServerProcess server, Figure figure) throws Exception {
    int port = server.port();
    long count = countAgents(port);
    long created = 0;
    long growNanos = 0;
    for (long target : agentSizes) {
      if (target < count) {
        continue;
      }
      long t0 = System.nanoTime();
      long deadline = t0 + growBudget.toNanos() - growNanos;
      progress("agents: creating %,d agents (%,d -> %,d)", target - count, count, target);
      boolean cut = false;
      while (count < target && !cut) {
        int n = (int) Math.min(1_000, target - count);
        AgentsBench.Round round = AgentsBench.createConcurrently(server, port, "Bench Limit", n, 8);
        if (!round.errors().isEmpty()) {
          problems.add("POST /api/agents failed while growing: " + round.errors());
        }
        created += round.ok();
        count = countAgents(port);
        cut = round.ok() < n || System.nanoTime() - deadline > 0;
      }
      growNanos += System.nanoTime() - t0;
      if (cut && count < target) {
        figure.stopped = fmt("growth stopped (time budget bench.limits.growSeconds=%d, or failed creates) at %,d"
            + " agents", growBudget.toSeconds(), count);
      }
      try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
        figure.steps.add(measureGet(server, c, AGENTS, count, count));
      }
      progress("  %,d agents: GET /api/agents p99 %s ms", count, p99(figure));
      if (count < target || figure.overFor(stopAfter)) {
        if (count >= target) {
          figure.stopped = stopAfter + " steps in a row above the bar";
        }
        break;
      }
    }
    return fmt("agents: %,d created with POST /api/agents on 8 connections in %.1f s (%.0f/s)", created,
        growNanos / 1e9, created / Math.max(1e-9, growNanos / 1e9));
  }

  private long countAgents(int port) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      int st = c.exchange(c.request("GET", AGENTS, null, null, false));
      JsonNode list = json.readTree(c.body(), 0, c.bodyLength());
      if (st != 200 || !list.isArray()) {
        throw new IOException("GET /api/agents answered " + st);
      }
      return list.size();
    }
  }

  // ---- measuring a GET -------------------------------------------------------------------------------------------

  /**
   * Sequential GETs of {@code path} on one keep-alive connection: warm-up, then the measured ones. Every answer must
   * be a 200 JSON array; 1 in {@link LoadTest#PARSE_EVERY} is parsed and must hold {@code expectedSize} elements.
   */
  private Step measureGet(ServerProcess server, HttpConnection c, String path, long size, long expectedSize)
      throws Exception {
    long deadline = System.nanoTime() + stepLimit.toNanos();
    var get = new LoadTest.Sequential(path, c, path);
    get.run(warmup, false, deadline, json);
    long[] gc0 = ChatBench.serverGc(server.pid());
    long cpu0 = server.cpuNanos();
    LatencyHistogram latency = get.run(measured, true, deadline, json);
    long cpu1 = server.cpuNanos();
    long[] gc1 = ChatBench.serverGc(server.pid());
    if (get.errorCount() > 0) {
      problems.add(fmt("GET %s at %,d: errors %s", path, size, get.errors));
    }
    get.sizes.keySet().stream().filter(n -> n != expectedSize).findFirst().ifPresent(n -> problems.add(
        fmt("GET %s at %,d answered %d elements, expected %d", path, size, n, expectedSize)));
    return step(server, size, latency, cpu0, cpu1, gc0, gc1);
  }

  /**
   * The step's figures: the server's CPU per call (a figure that other load on the machine barely changes), the
   * server's GC pauses during the measured calls (from {@code jstat}, read just outside them) and its RSS after them.
   */
  private Step step(ServerProcess server, long size, LatencyHistogram latency, long cpu0, long cpu1, long[] gc0,
      long[] gc1) {
    long calls = latency.count();
    double cpu = cpu0 < 0 || cpu1 < 0 || calls == 0 ? -1 : (cpu1 - cpu0) / 1e6 / calls;
    String gc = gc0 == null || gc1 == null ? "?" : fmt("%d, %d ms", gc1[0] - gc0[0], gc1[1] - gc0[1]);
    return new Step(size, latency, cpu, gc, server.rssKib()[0],
        calls < measured ? fmt(" (only %d calls within %d s)", calls, stepLimit.toSeconds()) : "");
  }

  // ---- turns -------------------------------------------------------------------------------------------------------

  /** One socket running turns, at most {@value #IN_FLIGHT} at once, and what came back. */
  private final class Grower implements SocketIoClient.Events {
    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private final AtomicLong errors = new AtomicLong();
    /** Messages the server refused as "too many turns running": they started no turn and stored nothing. */
    private final AtomicLong refused = new AtomicLong();
    private volatile CompletableFuture<String> joined;

    @Override
    public void event(SocketIoClient client, String name, JsonNode data, long receivedNanos) {
      switch (name) {
        case "chat:done" -> slots.release();
        case "chat:joined" -> {
          CompletableFuture<String> f = joined;
          if (f != null) {
            f.complete(data.path("conversationId").asText());
          }
        }
        case "chat:stream" -> {
          JsonNode chunk = data.path("chunk");
          if (!chunk.path("kind").asText().equals("error")) {
            return;
          }
          String message = chunk.path("message").asText();
          if (message.startsWith("too many turns running")) {
            refused.incrementAndGet();
          } else if (errors.incrementAndGet() <= 5) {
            problems.add("an error chunk while growing: " + message);
          }
        }
        default -> { }
      }
    }

    @Override
    public void closed(SocketIoClient client, String why) {
      if (!why.equals("aborted by the benchmark") && !why.startsWith("closed by the server (1000")) {
        problems.add("the growing socket closed: " + why);
      }
    }

    /** Joins {@code conversationId} of the agent (null: a new conversation); returns the id the server confirmed. */
    String join(SocketIoClient client, String agentId, String conversationId) throws Exception {
      var f = new CompletableFuture<String>();
      joined = f;
      client.emit("chat:join", conversationId == null ? Map.of("agentId", agentId)
          : Map.of("agentId", agentId, "conversationId", conversationId));
      return f.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Sends {@code count} messages, in batches of {@code batch} between which nothing is in flight and the fake may be
     * replaced; stops after the batch in which {@code deadline} passed. Returns the turns that ran (each stored 2
     * messages): those sent, less those the server refused.
     */
    long turns(SocketIoClient client, Model model, String agentId, long count, long batch, long deadline,
        LongFunction<String> text) throws Exception {
      long refusedBefore = refused.get();
      long done = 0;
      while (done < count) {
        long n = Math.min(batch, count - done);
        for (long i = 0; i < n; i++) {
          acquire(1);
          client.emit("chat:message", Map.of("agentId", agentId, "text", text.apply(model.nextTurn())));
        }
        acquire(IN_FLIGHT); // every turn of the batch ended
        slots.release(IN_FLIGHT);
        done += n;
        model.renewIfUsed();
        if (System.nanoTime() - deadline > 0) {
          break;
        }
      }
      return done - (refused.get() - refusedBefore);
    }

    private void acquire(int permits) throws InterruptedException {
      if (!slots.tryAcquire(permits, TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("a turn did not end within " + TURN_TIMEOUT.toSeconds() + " s");
      }
    }
  }

  /**
   * The zero-latency fake model the server is pointed at. A COO turn that says {@code bus <n>} is answered with
   * {@value #CALLS_PER_STEP} broadcasts per step until {@value #TOOL_STEPS} steps have called tools, then "ok"; every
   * other chat request with "ok", embeddings with the fake's vectors. Each broadcast's text is new, so the server's
   * guard against a model repeating a call never refuses one.
   */
  private final class Model implements AutoCloseable {
    private final ServerProcess server;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong turns = new AtomicLong();
    private final AtomicLong chars = new AtomicLong();
    private FakeModelServer fake;
    private int renewals;

    Model(ServerProcess server) throws IOException {
      this.server = server;
      this.fake = start();
    }

    private FakeModelServer start() throws IOException {
      return FakeModelServer.start().respond(this::answer);
    }

    String baseUrl() {
      return fake.baseUrl();
    }

    long nextTurn() {
      return turns.incrementAndGet();
    }

    private Reply answer(RecordedRequest r) {
      chars.addAndGet(r.rawBody() == null ? 0 : r.rawBody().length());
      if (r.isEmbeddings()) {
        return Reply.embeddings();
      }
      if (!r.isChat()) {
        return Reply.models(FakeModelServer.DEFAULT_MODEL);
      }
      if (r.lastUserText().startsWith(BUS_TEXT) && r.toolNames().contains("broadcast")
          && r.toolResults().size() < CALLS_PER_STEP * TOOL_STEPS) {
        var step = new ToolCall[CALLS_PER_STEP];
        for (int i = 0; i < step.length; i++) {
          long n = calls.incrementAndGet();
          step[i] = new ToolCall("call_" + n, "broadcast", "{\"message\":\"bench " + n + "\"}");
        }
        return Reply.toolCalls(step);
      }
      return Reply.text("ok");
    }

    /**
     * Between turns only: a fresh fake once this one has received {@link #CHARS_PER_FAKE}, so the requests it keeps
     * do not fill this JVM's heap. The server is pointed at the new one as a user changes the provider's URL.
     */
    void renewIfUsed() throws IOException {
      if (chars.get() < CHARS_PER_FAKE) {
        return;
      }
      FakeModelServer next = start();
      server.useModel(next.baseUrl());
      fake.close();
      fake = next;
      chars.set(0);
      renewals++;
    }

    @Override
    public void close() {
      fake.close();
      if (renewals > 0) {
        progress("(the fake model was replaced %d times to bound the requests it keeps)", renewals);
      }
    }
  }

  // ---- server and helpers ------------------------------------------------------------------------------------------

  private ServerProcess startServer() throws IOException {
    ServerProcess s = ServerProcess.launch(runJar, logsDir.resolve(stamp + "-limits.log"));
    try {
      ServerProcess.Startup su = s.awaitHealthy(Duration.ofSeconds(60), Duration.ofMillis(20));
      progress("limits server pid %d healthy after %s ms on port %d", s.pid(), Bench.ms1(su.nanosToFirst200()),
          s.port());
      return s;
    } catch (RuntimeException e) {
      s.stop();
      throw new IllegalStateException("the server could not start (limits): " + e.getMessage(), e);
    }
  }

  private void stopServer(ServerProcess server) {
    ServerProcess.Stop stop = server.stop();
    if (stop.forced()) {
      problems.add("the server ignored SIGTERM and was killed");
    }
    Map<String, Integer> warnings = server.countLogLines("WARN", "ERROR", "Exception");
    if (!warnings.isEmpty()) {
      problems.add("log lines containing " + warnings + " in " + server.log());
    }
  }

  private static String p99(Figure f) {
    return ChatBench.ms(f.steps.get(f.steps.size() - 1).latency().percentileNanos(99));
  }

  private static List<Long> sizes(String property, String defaults) {
    var out = new ArrayList<Long>();
    for (String s : System.getProperty(property, defaults).split(",")) {
      if (!s.isBlank()) {
        try {
          out.add(Math.max(1, Long.parseLong(s.trim().replace("_", ""))));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("-D" + property + " must be comma-separated whole numbers: " + s);
        }
      }
    }
    Collections.sort(out);
    return out;
  }

  private static int intProp(String name, int def, int min, int max) {
    return Bench.Config.intProp(name, def, min, max);
  }

  private void line(String format, Object... args) {
    report.line(format, args);
  }
}
