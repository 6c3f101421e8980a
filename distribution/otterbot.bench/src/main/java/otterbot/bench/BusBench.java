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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.provider.ToolCall;
import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * Bus benchmarks (issue 4): how many bus messages per second the server stores and broadcasts to 10 Socket.IO clients,
 * and what one delegation costs on top of the model calls it makes. Both start the exported jar on a fresh home and
 * point it at a zero-latency {@link FakeModelServer} in this JVM. Prints figures; asserts nothing.
 *
 * <ul>
 *   <li>{@code bus.throughput}: 10 clients listen; {@code bench.bus.senders} of them chat with the COO in a loop, and the
 *       fake answers every turn's first step with {@code bench.bus.perTurn} {@code broadcast} tool calls (then a
 *       one-word reply), so each turn publishes that many bus messages. After a warm-up, for a fixed window: messages
 *       stored per second (the seq range the listeners saw) and {@code bus:message} deliveries per second to each
 *       client; every client's seq sequence is checked for gaps, duplicates and order.
 *   <li>{@code bus.delegate}: one client, sequential turns of four kinds, interleaved round by round: a plain COO
 *       turn (one model call), a COO turn calling {@code get_current_time} (two model calls and a tool), a plain turn of
 *       the helper agent, and a COO turn that delegates once to the helper (three model calls and a bus round trip).
 *       Overhead of a delegation = delegate turn − tool turn − helper turn (p50s), and bus request → response as the
 *       client saw them minus the helper's plain turn.
 * </ul>
 */
final class BusBench {
  static final Set<String> PARTS = Set.of("bus.throughput", "bus.delegate");
  private static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);

  private final Path runJar;
  private final Path logsDir;
  private final Path moduleDir;
  private final String stamp;
  private final ObjectMapper json = new ObjectMapper();
  private final Report report = new Report();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> summary = new LinkedHashMap<>();
  private final Duration readyTimeout = Duration.ofSeconds(intProp("bench.readyTimeoutSeconds", 60, 5, 600));
  private final int listeners = intProp("bench.bus.clients", 10, 1, 500);
  private final int senders = intProp("bench.bus.senders", 4, 1, 100);
  private final int perTurn = intProp("bench.bus.perTurn", 10, 1, 100);
  private final Duration warmup = Duration.ofSeconds(intProp("bench.bus.warmupSeconds", 5, 0, 300));
  private final Duration window = Duration.ofSeconds(intProp("bench.bus.durationSeconds", 10, 1, 600));
  private final int delegateWarmup = intProp("bench.bus.delegateWarmup", 20, 0, 10_000);
  private final int delegateRounds = intProp("bench.bus.delegateRounds", 100, 1, 10_000);

  private BusBench(Path runJar, Path moduleDir) {
    this.runJar = runJar;
    this.moduleDir = moduleDir;
    this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    this.logsDir = moduleDir.resolve("target").resolve("bench-logs");
  }

  static void run(Set<String> parts, Path jar, Path moduleDir) throws Exception {
    ServerProcess.withJarSnapshot(jar, runJar -> new BusBench(runJar, moduleDir).measure(parts, jar));
  }

  private void measure(Set<String> parts, Path jar) throws Exception {
    String date = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String loadBefore = Bench.loadAverage();
    String jarInfo = String.format(Locale.ROOT, "%s (%d KiB, modified %s)", jar, Files.size(jar) / 1024,
        Files.getLastModifiedTime(jar).toInstant().truncatedTo(ChronoUnit.SECONDS));
    progress("bus benchmarks %s, jar %s, load average %s", parts, jarInfo, loadBefore);
    var sections = new ArrayList<List<String>>();
    if (parts.contains("bus.throughput")) {
      sections.add(throughput());
    }
    if (parts.contains("bus.delegate")) {
      sections.add(delegate());
    }
    String loadAfter = Bench.loadAverage();

    line("");
    line("============================== OtterBot bus benchmarks ==============================");
    line("date %s   nproc %d   java %s", date, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    line("jar  %s", jarInfo);
    line("load average before %s   after %s", loadBefore, loadAfter);
    line("");
    for (List<String> section : sections) {
      section.forEach(this::line);
      line("");
    }
    line("Server behaviour worth a look:");
    if (problems.isEmpty()) {
      line("   nothing: every client saw every bus message once, in seq order, without gaps; every turn ended without"
          + " an error; no WARN/ERROR in the server logs");
    }
    for (String p : problems) {
      line("   - %s", p);
    }
    line("");
    var sb = new StringBuilder("BUS-SUMMARY date=").append(date).append(" nproc=")
        .append(Runtime.getRuntime().availableProcessors()).append(" load_before=").append(loadBefore.replace(' ', '/'))
        .append(" load_after=").append(loadAfter.replace(' ', '/'));
    summary.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    sb.append(" problems=").append(problems.size());
    line("%s", sb);
    Path reportFile = moduleDir.resolve("target").resolve("bench-bus-report.txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, report.toString(), StandardCharsets.UTF_8);
    System.out.println("(report also written to " + reportFile + ")");
  }

  // ---- 1. throughput ---------------------------------------------------------------------------------------------

  /** One listening client's view of the bus. */
  static final class Listener {
    long firstSeq = -1;
    long lastSeq = -1;
    long received;
    long outOfOrder;
    long gaps;
    long inWindow;
    /** createdAt (ms) to arrival (ms, wall clock): the same machine's clock, millisecond resolution. */
    final LatencyHistogram delivery = new LatencyHistogram();
  }

  private List<String> throughput() throws Exception {
    var out = new ArrayList<String>();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(2, exec);
    try (FakeModelServer fake = FakeModelServer.start(); ServerProcess server = startServer("bus-throughput")) {
      configure(server, fake);
      ToolCall[] calls = new ToolCall[perTurn];
      for (int i = 0; i < perTurn; i++) {
        calls[i] = new ToolCall("call_" + (i + 1), "broadcast", "{\"message\":\"bench " + i + "\"}");
      }
      fake.respond(r -> !r.isChat() ? Reply.models(FakeModelServer.DEFAULT_MODEL)
          : r.hasToolResult() ? Reply.text("ok") : Reply.toolCalls(calls));

      var windowOpen = new java.util.concurrent.atomic.AtomicBoolean();
      var states = new ArrayList<Listener>();
      var clients = new ArrayList<SocketIoClient>();
      var turnDone = new ArrayList<CompletableFuture<?>[]>();
      AtomicLong turns = new AtomicLong();
      AtomicLong turnErrors = new AtomicLong();
      for (int i = 0; i < listeners; i++) {
        Listener state = new Listener();
        states.add(state);
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] done = new CompletableFuture[] {new CompletableFuture<Void>()};
        turnDone.add(done);
        SocketIoClient client = SocketIoClient.connect(http, server.port(), new SocketIoClient.Events() {
          @Override
          public void event(SocketIoClient c, String name, JsonNode data, long receivedNanos) {
            switch (name) {
              case "bus:message" -> {
                long arrivedMs = System.currentTimeMillis();
                long seq = data.path("seq").asLong();
                synchronized (state) {
                  state.received++;
                  if (state.firstSeq < 0) {
                    state.firstSeq = seq;
                  } else if (seq <= state.lastSeq) {
                    state.outOfOrder++;
                  } else if (seq != state.lastSeq + 1) {
                    state.gaps++;
                  }
                  state.lastSeq = Math.max(state.lastSeq, seq);
                  if (windowOpen.get()) {
                    state.inWindow++;
                    try {
                      long created = Instant.parse(data.path("createdAt").asText()).toEpochMilli();
                      state.delivery.record(Math.max(0, arrivedMs - created) * 1_000_000L);
                    } catch (RuntimeException e) {
                      // counted elsewhere: a createdAt that is not ISO shows as no delivery figures
                    }
                  }
                }
              }
              case "chat:stream" -> {
                if (data.path("chunk").path("kind").asText().equals("error")) {
                  turnErrors.incrementAndGet();
                }
              }
              case "chat:done" -> {
                turns.incrementAndGet();
                done[0].complete(null);
              }
              default -> { }
            }
          }
        }).get(20, TimeUnit.SECONDS);
        clients.add(client);
      }
      progress("bus throughput: %d clients listening, %d of them chatting with the COO, %d broadcasts per turn; "
          + "%d s warm-up, %d s measured", listeners, senders, perTurn, warmup.toSeconds(), window.toSeconds());

      // The senders: each sends its next chat:message when its previous turn is done, until told to stop.
      var stop = new java.util.concurrent.atomic.AtomicBoolean();
      var loops = new ArrayList<Thread>();
      for (int i = 0; i < senders; i++) {
        SocketIoClient client = clients.get(i);
        CompletableFuture<?>[] done = turnDone.get(i);
        Thread t = new Thread(() -> {
          int n = 0;
          while (!stop.get()) {
            if (n++ % 10 == 0) {
              client.emit("chat:join", Map.of("agentId", "coo")); // a new conversation: the history stays small
            }
            done[0] = new CompletableFuture<Void>();
            client.emit("chat:message", Map.of("agentId", "coo", "text", "broadcast please"));
            try {
              done[0].get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
              problems.add("a sender's turn did not end within " + TURN_TIMEOUT.toSeconds() + " s: " + e);
              return;
            }
          }
        }, "bench-bus-sender-" + i);
        t.setDaemon(true);
        loops.add(t);
      }
      loops.forEach(Thread::start);
      ServerProcess.sleep(warmup.toMillis());
      long[] seq0 = new long[listeners];
      for (int i = 0; i < listeners; i++) {
        synchronized (states.get(i)) {
          seq0[i] = states.get(i).lastSeq;
        }
      }
      long turns0 = turns.get();
      long cpu0 = ChatBench.procCpuTicks(server.pid());
      long t0 = System.nanoTime();
      windowOpen.set(true);
      ServerProcess.sleep(window.toMillis());
      windowOpen.set(false);
      long t1 = System.nanoTime();
      long cpu1 = ChatBench.procCpuTicks(server.pid());
      long turns1 = turns.get();
      long[] seq1 = new long[listeners];
      for (int i = 0; i < listeners; i++) {
        synchronized (states.get(i)) {
          seq1[i] = states.get(i).lastSeq;
        }
      }
      stop.set(true);
      for (Thread t : loops) {
        t.join(TURN_TIMEOUT.toMillis());
      }
      ServerProcess.sleep(500); // the last messages reach every client

      double seconds = (t1 - t0) / 1e9;
      long stored = seq1[0] - seq0[0];
      double storedPerS = stored / seconds;
      long deliveries = 0;
      long minDeliveries = Long.MAX_VALUE;
      long maxDeliveries = 0;
      LatencyHistogram delivery = new LatencyHistogram();
      long lastSeqAll;
      synchronized (states.get(0)) {
        lastSeqAll = states.get(0).lastSeq;
      }
      for (int i = 0; i < listeners; i++) {
        Listener s = states.get(i);
        synchronized (s) {
          deliveries += s.inWindow;
          minDeliveries = Math.min(minDeliveries, s.inWindow);
          maxDeliveries = Math.max(maxDeliveries, s.inWindow);
          delivery.add(s.delivery);
          if (s.gaps > 0 || s.outOfOrder > 0) {
            problems.add(fmt("client %d: %d gaps and %d out-of-order/duplicate seqs in %d bus messages", i, s.gaps,
                s.outOfOrder, s.received));
          }
          if (s.lastSeq != lastSeqAll) {
            problems.add(fmt("client %d ended at seq %d, client 0 at %d", i, s.lastSeq, lastSeqAll));
          }
        }
      }
      if (turnErrors.get() > 0) {
        problems.add(turnErrors.get() + " error chunks during the throughput run");
      }
      double cores = cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / (double) ChatBench.clockTicks() / seconds;
      out.add("1. Bus throughput: broadcasts stored and sent as bus:message to every client");
      out.add(fmt("   %d clients over websocket; %d chat with the COO in a loop; the fake answers each turn with %d "
          + "broadcast tool calls", listeners, senders, perTurn));
      out.add(fmt("   %-44s %12s", "window", fmt("%.1f s", seconds)));
      out.add(fmt("   %-44s %12d", "turns completed", turns1 - turns0));
      out.add(fmt("   %-44s %12s", "messages stored (seq range) per s", fmt("%.0f", storedPerS)));
      out.add(fmt("   %-44s %12s", "bus:message deliveries per s, all clients", fmt("%.0f", deliveries / seconds)));
      out.add(fmt("   %-44s %12s", "  per client, min / max", fmt("%.0f / %.0f", minDeliveries / seconds,
          maxDeliveries / seconds)));
      out.add(fmt("   %-44s %12s", "server CPU (cores)", cores < 0 ? "?" : fmt("%.2f", cores)));
      out.add(fmt("   %-44s %12s", "server CPU per 1,000 messages stored", cores < 0 || stored == 0 ? "?"
          : fmt("%.0f ms", cores * seconds * 1000 / stored * 1000)));
      out.add(fmt("   createdAt -> client arrival (wall clock, ms resolution): p50 %s ms, p99 %s ms, max %s ms",
          ChatBench.ms(delivery.percentileNanos(50)), ChatBench.ms(delivery.percentileNanos(99)),
          ChatBench.ms(delivery.maxNanos())));
      summary.put("bus_msgs_per_s", fmt("%.0f", storedPerS));
      summary.put("bus_deliveries_per_s", fmt("%.0f", deliveries / seconds));
      summary.put("bus_clients", Integer.toString(listeners));
      for (SocketIoClient c : clients) {
        c.close();
      }
      stopServer(server, "bus-throughput");
    } finally {
      SocketIoClient.shutdown(exec[0]);
    }
    return out;
  }

  // ---- 2. delegate round trip ------------------------------------------------------------------------------------

  /** One client running turns one after the other, recording when each event arrived. */
  final class SequentialClient implements SocketIoClient.Events {
    private volatile CompletableFuture<Long> done;
    private volatile long requestArrived = -1;
    private volatile long responseArrived = -1;
    private final AtomicLong errors = new AtomicLong();

    @Override
    public void event(SocketIoClient client, String name, JsonNode data, long receivedNanos) {
      switch (name) {
        case "bus:message" -> {
          String kind = data.path("kind").asText();
          if (kind.equals("request") && data.path("from").asText().equals("coo")) {
            requestArrived = receivedNanos;
          } else if (kind.equals("response") && data.path("to").asText().equals("coo")) {
            responseArrived = receivedNanos;
          }
        }
        case "chat:stream" -> {
          if (data.path("chunk").path("kind").asText().equals("error")) {
            errors.incrementAndGet();
            problems.add("an error chunk: " + data.path("chunk").path("message").asText());
          }
        }
        case "chat:done" -> {
          CompletableFuture<Long> f = done;
          if (f != null) {
            f.complete(receivedNanos);
          }
        }
        default -> { }
      }
    }

    /** One turn: send, wait for chat:done; returns its time in ns. */
    long turn(SocketIoClient client, String agentId, String text) throws Exception {
      requestArrived = -1;
      responseArrived = -1;
      CompletableFuture<Long> f = new CompletableFuture<>();
      done = f;
      long sent = System.nanoTime();
      client.emit("chat:message", Map.of("agentId", agentId, "text", text));
      return f.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS) - sent;
    }
  }

  private List<String> delegate() throws Exception {
    var out = new ArrayList<String>();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(2, exec);
    try (FakeModelServer fake = FakeModelServer.start(); ServerProcess server = startServer("bus-delegate")) {
      configure(server, fake);
      String helper = createAgent(server.port(), "Bench Helper");
      String delegateArgs = json.writeValueAsString(Map.of("agentId", helper, "task", "answer briefly"));
      fake.respond(r -> respondDelegate(r, delegateArgs));
      var chat = new SequentialClient();
      SocketIoClient client = SocketIoClient.connect(http, server.port(), chat).get(20, TimeUnit.SECONDS);
      var kinds = List.of("plain", "tool", "helper", "delegate");
      var hist = new LinkedHashMap<String, LatencyHistogram>();
      kinds.forEach(k -> hist.put(k, new LatencyHistogram()));
      LatencyHistogram busRoundTrip = new LatencyHistogram();
      progress("delegate round trip: %d warm-up + %d measured rounds of 4 sequential turns (plain, tool, helper, "
          + "delegate), zero-latency fake", delegateWarmup, delegateRounds);
      for (int round = 0; round < delegateWarmup + delegateRounds; round++) {
        boolean measured = round >= delegateWarmup;
        if (round % 10 == 0) {
          client.emit("chat:join", Map.of("agentId", "coo"));
          client.emit("chat:join", Map.of("agentId", helper));
        }
        for (String kind : kinds) {
          String agent = kind.equals("helper") ? helper : "coo";
          long nanos = chat.turn(client, agent, kind + " #" + round);
          if (measured) {
            hist.get(kind).record(nanos);
            if (kind.equals("delegate")) {
              if (chat.requestArrived > 0 && chat.responseArrived > chat.requestArrived) {
                busRoundTrip.record(chat.responseArrived - chat.requestArrived);
              } else {
                problems.add("round " + round + ": the client did not see the bus request and its response");
              }
            }
          }
        }
      }
      long p50Plain = hist.get("plain").percentileNanos(50);
      long p50Tool = hist.get("tool").percentileNanos(50);
      long p50Helper = hist.get("helper").percentileNanos(50);
      long p50Delegate = hist.get("delegate").percentileNanos(50);
      long overhead = p50Delegate - p50Tool - p50Helper;
      long busOverhead = busRoundTrip.percentileNanos(50) - p50Helper;
      out.add("2. Delegate round trip with a zero-latency fake model (sequential turns, one client)");
      out.add(fmt("   %-40s %7s %8s %8s %8s %8s", "turn (chat:message -> chat:done)", "turns", "p50 ms", "p90 ms",
          "p99 ms", "max ms"));
      String[] labels = {"plain COO turn (1 model call)", "COO turn + get_current_time (2)", "plain helper turn (1)",
          "COO turn delegating once (3 + bus)"};
      int i = 0;
      for (String kind : kinds) {
        out.add(row(labels[i++], hist.get(kind)));
      }
      out.add(row("bus request -> response (client)", busRoundTrip));
      out.add(fmt("   delegation overhead = delegate - tool turn - helper turn (p50s): %s ms", ChatBench.ms(overhead)));
      out.add(fmt("   bus round trip - helper turn (p50s): %s ms   (a tool step costs %s ms over a plain turn)",
          ChatBench.ms(busOverhead), ChatBench.ms(p50Tool - p50Plain)));
      summary.put("delegate_p50_ms", ChatBench.ms(p50Delegate));
      summary.put("delegate_overhead_p50_ms", ChatBench.ms(overhead));
      summary.put("bus_rtt_minus_helper_p50_ms", ChatBench.ms(busOverhead));
      client.close();
      stopServer(server, "bus-delegate");
    } finally {
      SocketIoClient.shutdown(exec[0]);
    }
    return out;
  }

  private static Reply respondDelegate(RecordedRequest r, String delegateArgs) {
    if (!r.isChat()) {
      return Reply.models(FakeModelServer.DEFAULT_MODEL);
    }
    String text = r.lastUserText();
    if (r.hasToolResult()) {
      return Reply.text("done");
    }
    if (text.startsWith("tool ")) {
      return Reply.toolCall("get_current_time", "{}");
    }
    if (text.startsWith("delegate ")) {
      return Reply.toolCall("delegate", delegateArgs);
    }
    return Reply.text("answer");
  }

  private static String row(String what, LatencyHistogram h) {
    return fmt("   %-40s %7d %8s %8s %8s %8s", what, h.count(), ChatBench.ms(h.percentileNanos(50)),
        ChatBench.ms(h.percentileNanos(90)), ChatBench.ms(h.percentileNanos(99)), ChatBench.ms(h.maxNanos()));
  }

  // ---- server set-up ----------------------------------------------------------------------------------------------

  private ServerProcess startServer(String name) throws IOException {
    ServerProcess s = ServerProcess.launch(runJar, logsDir.resolve(stamp + "-" + name + ".log"));
    try {
      ServerProcess.Startup su = s.awaitHealthy(readyTimeout, Duration.ofMillis(20));
      progress("%s server pid %d healthy after %s ms on port %d", name, s.pid(), Bench.ms1(su.nanosToFirst200()),
          s.port());
      return s;
    } catch (RuntimeException e) {
      s.stop();
      throw new IllegalStateException("the server could not start (" + name + "): " + e.getMessage(), e);
    }
  }

  private void stopServer(ServerProcess server, String what) {
    ServerProcess.Stop stop = server.stop();
    if (stop.forced()) {
      problems.add(what + " server ignored SIGTERM and was killed");
    }
    Map<String, Integer> warnings = server.countLogLines("WARN", "ERROR", "Exception");
    if (!warnings.isEmpty()) {
      problems.add(what + " server: log lines containing " + warnings + " in " + server.log());
    }
  }

  private void configure(ServerProcess server, FakeModelServer fake) throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("theme", "obsidian");
    body.putObject("defaultChatModel").put("provider", "openai-compatible").put("modelId", "fake-model");
    body.putObject("defaultEmbeddingModel").put("provider", "openai-compatible").put("modelId", "fake-model");
    body.putObject("providers").putObject("openai-compatible").put("baseUrl", fake.baseUrl());
    try (HttpConnection c = new HttpConnection("127.0.0.1", server.port())) {
      int st = c.exchange(c.request("PUT", "/api/settings/global", "application/json", json.writeValueAsBytes(body),
          false));
      if (st != 200) {
        throw new IllegalStateException("PUT /api/settings/global answered " + st + ": " + c.bodyText());
      }
    }
  }

  private String createAgent(int port, String displayName) throws IOException {
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      byte[] body = json.writeValueAsBytes(Map.of("displayName", displayName));
      int st = c.exchange(c.request("POST", "/api/agents", "application/json", body, false));
      if (st != 200) {
        throw new IllegalStateException("POST /api/agents answered " + st + ": " + c.bodyText());
      }
      return json.readTree(c.body(), 0, c.bodyLength()).path("id").asText();
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  private void line(String format, Object... args) {
    report.line(format, args);
  }

  private static int intProp(String name, int def, int min, int max) {
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
