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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chat benchmarks: relay overhead of a streamed token (fake model -> server -> Socket.IO client), time-to-first-
 * token overhead, "never buffer a token", tokens/s to 50 concurrently chatting clients with the server's CPU per
 * 1,000 tokens, and resident memory per idle Socket.IO connection at 5,000 connections. Each benchmark starts the
 * exported jar on a fresh home and configures it, through {@code PUT /api/settings/global}, to use an
 * OpenAI-compatible fake model server living in this JVM ({@link StampingFake}). Clients are {@link SocketIoClient}s
 * over websocket sharing one HttpClient. Prints figures; asserts nothing.
 */
final class ChatBench {
  static final double AIM_RELAY_P50_MS = 0.2;
  static final double AIM_RELAY_P99_MS = 1.0;
  static final double AIM_TOKENS_PER_S = 60_000;
  static final double AIM_KIB_PER_IDLE = 10;

  static final Set<String> PARTS = Set.of("chat.relay", "chat.throughput", "chat.idle", "chat.soak");

  private static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);

  private final Config cfg;
  private final Path runJar;
  private final Path logsDir;
  private final String stamp;
  private final ObjectMapper json = new ObjectMapper();
  private final Report report = new Report();
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private final List<String[]> aims = new ArrayList<>();
  private final Map<String, String> summary = new LinkedHashMap<>();
  private final int clkTck = clockTicks();
  private String serverVersion = "?";

  private ChatBench(Config cfg, Path runJar) {
    this.cfg = cfg;
    this.runJar = runJar;
    this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
    this.logsDir = cfg.moduleDir.resolve("target").resolve("bench-logs");
  }

  /** Runs the selected chat benchmarks ({@link #PARTS}) against a private copy of the jar and prints the report. */
  static void run(Set<String> parts, Path jar, Path moduleDir) throws Exception {
    Config cfg = Config.fromSystemProperties(moduleDir);
    ServerProcess.withJarSnapshot(jar, runJar -> new ChatBench(cfg, runJar).measure(parts, jar));
  }

  private void measure(Set<String> parts, Path jar) throws Exception {
    String date = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    String loadBefore = Bench.loadAverage();
    String jarInfo = String.format(Locale.ROOT, "%s (%d KiB, modified %s)", jar, Files.size(jar) / 1024,
        Files.getLastModifiedTime(jar).toInstant().truncatedTo(ChronoUnit.SECONDS));
    progress("chat benchmarks %s, jar %s, load average %s", new TreeMap<>(toMap(parts)).keySet(), jarInfo, loadBefore);

    var sections = new ArrayList<List<String>>();
    if (parts.contains("chat.relay")) {
      sections.add(relay());
    }
    if (parts.contains("chat.throughput")) {
      sections.add(throughput(new Shape("chat.throughput", "3. Throughput", cfg.tpClients, cfg.tpTokens, cfg.tpWarmup,
          cfg.tpDuration, cfg.tpSharedAgent)));
    }
    if (parts.contains("chat.soak")) {
      sections.add(throughput(new Shape("chat.soak", "5. Soak", cfg.soakClients, cfg.soakTokens, Duration.ofSeconds(5),
          cfg.soakDuration, true)));
    }
    if (parts.contains("chat.idle")) {
      sections.add(idle());
    }
    String loadAfter = Bench.loadAverage();

    line("");
    line("============================== OtterBot chat benchmarks ==============================");
    line("date %s   nproc %d   java %s (%s)   server %s", date, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("java.vm.name"), serverVersion);
    line("jar  %s", jarInfo);
    line("load average before %s   after %s", loadBefore, loadAfter);
    line("");
    for (List<String> section : sections) {
      section.forEach(this::line);
      line("");
    }
    line("Aims (informational; nothing fails when one is missed)");
    line("   %-50s %-30s %-18s %s", "what", "measured", "aim", "verdict");
    for (String[] a : aims) {
      line("   %-50s %-30s %-18s %s", a[0], a[1], a[2], a[3]);
    }
    line("");
    line("Server behaviour worth a look:");
    if (problems.isEmpty()) {
      line("   nothing: every turn streamed the expected tokens in order and ended with chat:done, every connection "
          + "stayed open, no WARN/ERROR in the server logs");
    }
    for (String p : problems) {
      line("   - %s", p);
    }
    line("");
    var sb = new StringBuilder("CHAT-SUMMARY date=").append(date).append(" nproc=")
        .append(Runtime.getRuntime().availableProcessors()).append(" load_before=").append(loadBefore.replace(' ', '/'))
        .append(" load_after=").append(loadAfter.replace(' ', '/'));
    summary.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    long missed = aims.stream().filter(a -> a[3].startsWith("missed")).count();
    sb.append(" aims_missed=").append(missed).append('/').append(aims.size());
    line("%s", sb);

    Path reportFile = cfg.moduleDir.resolve("target").resolve("bench-chat-report.txt");
    Files.createDirectories(reportFile.getParent());
    Files.writeString(reportFile, report.toString(), StandardCharsets.UTF_8);
    System.out.println("(report also written to " + reportFile + ")");
  }

  private static Map<String, Boolean> toMap(Set<String> parts) {
    var m = new TreeMap<String, Boolean>();
    parts.forEach(p -> m.put(p, true));
    return m;
  }

  // ---- 1. relay overhead, time to first token, never buffer ------------------------------------------------------

  private List<String> relay() throws Exception {
    var out = new ArrayList<String>();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(2, exec);
    try (StampingFake fake = StampingFake.start(); ServerProcess server = startServer("chat-relay")) {
      configure(server, fake);
      var chat = new SequentialChat("coo");
      SocketIoClient client = SocketIoClient.connect(http, server.port(), chat).get(20, TimeUnit.SECONDS);
      try {
        progress("relay: %d warm-up + %d chats x %d tokens, %d us apart, one client over websocket", cfg.relayWarmup,
            cfg.relayChats, cfg.relayTokens, cfg.relaySpacing.toNanos() / 1000);
        fake.configure(cfg.relayTokens, cfg.relaySpacing, true);
        Phase warm = chat.runChats(client, fake, cfg.relayWarmup, cfg.relayTokens);
        System.gc(); // this JVM's own collections would show in the figures; start the measured chats with a clean heap
        long[] srvGc0 = serverGc(server.pid());
        long[] selfGc0 = selfGc();
        Phase relay = chat.runChats(client, fake, cfg.relayChats, cfg.relayTokens);
        String relayGc = gcDelta(srvGc0, serverGc(server.pid()), selfGc0, selfGc());
        // The same stream read straight from the fake by java.net.http in this JVM, as a provider reads it: the part
        // of the relay figure that is the fake and the JDK client rather than the server.
        System.gc();
        LatencyHistogram baseline = fakeBaseline(fake, Math.max(1, cfg.relayChats / 4), cfg.relayTokens);
        progress("  relay p50 %s ms, p99 %s ms, max %s ms over %d tokens", ms(relay.latency.percentileNanos(50)),
            ms(relay.latency.percentileNanos(99)), ms(relay.latency.maxNanos()), relay.latency.count());

        progress("never buffer: %d chats x %d tokens, %d ms apart", cfg.gapChats, cfg.gapTokens,
            cfg.gapSpacing.toMillis());
        fake.configure(cfg.gapTokens, cfg.gapSpacing, true);
        Phase gap = chat.runChats(client, fake, cfg.gapChats, cfg.gapTokens);
        progress("  %d of %d tokens late", gap.late, gap.lateChecked);

        out.add(String.format(Locale.ROOT, "1. Relay overhead: fake model emits a token (text = System.nanoTime()) -> "
            + "Socket.IO client receives chat:stream"));
        out.add(String.format(Locale.ROOT, "   one client over websocket, agent 'coo', %d chats x %d tokens %d us apart, "
            + "after %d warm-up chats; a new conversation every %d turns", cfg.relayChats, cfg.relayTokens,
            cfg.relaySpacing.toNanos() / 1000, cfg.relayWarmup, cfg.turnsPerConversation));
        out.add(String.format(Locale.ROOT, "   %-26s %7s %8s %8s %8s %8s %8s %8s", "", "tokens", "min ms", "p50 ms",
            "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
        out.add(latencyRow("relay (receive - emit)", relay.latency));
        out.add(latencyRow("  the same, warm-up chats", warm.latency));
        out.add(latencyRow("  baseline: fake -> JDK SSE", baseline));
        out.add(latencyRow("TTFT overhead", relay.ttftOverhead));
        out.add(latencyRow("  client send -> 1st token", relay.ttftClient));
        out.add(latencyRow("  fake arrival -> 1st emit", relay.ttftFake));
        out.add("   (baseline = the fake's stream read in this JVM by java.net.http line by line, as the server's providers");
        out.add("    read it, with no server in between: what the fake and the JDK client alone cost;");
        out.add("    TTFT overhead = (client first token - client send) - (fake first emission - fake request arrival),");
        out.add("    one value per chat: the server's work before the model call (store, history, request) and its relay)");
        out.add(String.format(Locale.ROOT, "   tokens received after the next one was emitted (i.e. slower than the "
            + "spacing; informational here): %d of %d;", relay.late, relay.lateChecked));
        out.add("   GC during the measured chats: " + relayGc);
        out.add(String.format(Locale.ROOT, "   out of order: %d; wrong token count: %d turns; errors: %s",
            relay.outOfOrder, relay.badCounts, relay.errors.isEmpty() ? "none" : relay.errors));
        out.add("");
        out.add(String.format(Locale.ROOT, "2. Never buffer a token: %d chats x %d tokens, %d ms apart; each token must "
            + "reach the client before the fake emits the next", cfg.gapChats, cfg.gapTokens, cfg.gapSpacing.toMillis()));
        out.add(String.format(Locale.ROOT, "   late: %d of %d tokens checked (every token but each reply's last); "
            + "out of order: %d; wrong token count: %d turns; errors: %s", gap.late, gap.lateChecked, gap.outOfOrder,
            gap.badCounts, gap.errors.isEmpty() ? "none" : gap.errors));
        out.add(latencyRow("relay at this spacing", gap.latency));
        out.add(String.format(Locale.ROOT, "   worst margin: the latest token arrived %s ms before the next emission "
            + "(negative = late)", ms(gap.worstMarginNanos)));
        out.add(String.format(Locale.ROOT, "   agent:status events received: %d; fake saw %d chat requests, "
            + "%d cancelled streams", chat.statusEvents.get(), fake.chatRequests(), fake.clientDisconnects()));

        double p50 = relay.latency.percentileNanos(50) / 1e6;
        double p99 = relay.latency.percentileNanos(99) / 1e6;
        aim("relay p50 (" + relay.latency.count() + " tokens)", fmt("%.3f ms", p50), "<= 0.2 ms",
            relay.latency.count() > 0 && p50 <= AIM_RELAY_P50_MS);
        aim("relay p99", fmt("%.3f ms (max %.3f)", p99, relay.latency.maxNanos() / 1e6), "<= 1 ms",
            relay.latency.count() > 0 && p99 <= AIM_RELAY_P99_MS);
        aim("never buffer a token (" + cfg.gapSpacing.toMillis() + " ms apart)",
            fmt("%d late of %d", gap.late, gap.lateChecked), "0 late", gap.lateChecked > 0 && gap.late == 0
                && gap.badCounts == 0);
        aim("TTFT overhead p50 (no aim)", fmt("%.3f ms", relay.ttftOverhead.percentileNanos(50) / 1e6), "-", null);
        summary.put("relay_p50_ms", ms(relay.latency.percentileNanos(50)));
        summary.put("relay_p99_ms", ms(relay.latency.percentileNanos(99)));
        summary.put("relay_max_ms", ms(relay.latency.maxNanos()));
        summary.put("relay_tokens", Long.toString(relay.latency.count()));
        summary.put("baseline_fake_jdk_p50_ms", ms(baseline.percentileNanos(50)));
        summary.put("baseline_fake_jdk_p99_ms", ms(baseline.percentileNanos(99)));
        summary.put("ttft_overhead_p50_ms", ms(relay.ttftOverhead.percentileNanos(50)));
        summary.put("ttft_overhead_max_ms", ms(relay.ttftOverhead.maxNanos()));
        summary.put("late_tokens", gap.late + "/" + gap.lateChecked);
        checkTurns("relay", relay);
        checkTurns("never-buffer", gap);
      } finally {
        client.close();
        ServerProcess.sleep(100);
        client.abort();
        stopServer(server, "relay");
      }
    } finally {
      SocketIoClient.shutdown(exec[0]);
    }
    return out;
  }

  /**
   * Streams {@code requests} replies of {@code tokens} tokens straight from the fake with java.net.http (HTTP/1.1,
   * default executor, {@code fromLineSubscriber} asking for one line at a time, as the server's providers do) and
   * records {@code receive - emit} per token, after 3 warm-up requests.
   */
  private LatencyHistogram fakeBaseline(StampingFake fake, int requests, int tokens) throws Exception {
    var h = new LatencyHistogram();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(10)).build();
    for (int r = -3; r < requests; r++) {
      LatencyHistogram target = r < 0 ? new LatencyHistogram() : h;
      ObjectNode body = json.createObjectNode();
      body.put("model", "fake-model");
      body.put("stream", true);
      body.putArray("messages").addObject().put("role", "user").put("content", "baseline");
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(fake.baseUrl() + "/chat/completions"))
          .timeout(TURN_TIMEOUT).header("content-type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build();
      var done = new CompletableFuture<Void>();
      var lines = new java.util.concurrent.Flow.Subscriber<String>() {
        java.util.concurrent.Flow.Subscription sub;

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
          sub = subscription;
          sub.request(1);
        }

        @Override
        public void onNext(String line) {
          long now = System.nanoTime();
          if (line.startsWith("data: {")) {
            try {
              String text = json.readTree(line.substring(6)).path("choices").path(0).path("delta").path("content")
                  .asText("");
              long stampNanos = parseStamp(text);
              if (stampNanos >= 0) {
                target.record(now - stampNanos);
              }
            } catch (IOException e) {
              done.completeExceptionally(e);
            }
          }
          sub.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
          done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
          done.complete(null);
        }
      };
      var response = http.sendAsync(request,
          info -> java.net.http.HttpResponse.BodySubscribers.fromLineSubscriber(lines, sub -> null,
              StandardCharsets.UTF_8, null));
      done.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      response.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    if (h.count() != (long) requests * tokens) {
      problem("baseline: " + h.count() + " tokens read from the fake, expected " + (long) requests * tokens);
    }
    return h;
  }

  /** Per-phase figures of sequential chats. */
  static final class Phase {
    final LatencyHistogram latency = new LatencyHistogram();
    final LatencyHistogram ttftOverhead = new LatencyHistogram();
    final LatencyHistogram ttftClient = new LatencyHistogram();
    final LatencyHistogram ttftFake = new LatencyHistogram();
    long late;
    long lateChecked;
    long outOfOrder;
    long badCounts;
    long worstMarginNanos = Long.MAX_VALUE;
    final Map<String, Integer> errors = new TreeMap<>();
  }

  /** One client chatting turn after turn, driven by the calling thread. */
  final class SequentialChat implements SocketIoClient.Events {
    final String agentId;
    final AtomicLong statusEvents = new AtomicLong();
    private final AtomicLong nextId = new AtomicLong(1);
    private int turnsInConversation = Integer.MAX_VALUE;
    // The turn in flight; written by the driver before the send, then only by the client's callbacks.
    private volatile CompletableFuture<JsonNode> joined;
    private volatile CompletableFuture<Void> done;
    private Phase phase;
    private int tokens;
    private long firstRecv;
    private long firstStamp;
    private long prevRecv;
    private long prevStamp;

    SequentialChat(String agentId) {
      this.agentId = agentId;
    }

    Phase runChats(SocketIoClient client, StampingFake fake, int chats, int expectedTokens) throws Exception {
      var p = new Phase();
      for (int i = 0; i < chats; i++) {
        if (turnsInConversation >= cfg.turnsPerConversation) {
          joined = new CompletableFuture<>();
          client.emit("chat:join", obj("agentId", agentId));
          await(joined, "chat:joined");
          turnsInConversation = 0;
        }
        long id = nextId.getAndIncrement();
        synchronized (this) {
          phase = p;
          tokens = 0;
          firstRecv = -1;
          prevRecv = -1;
          prevStamp = -1;
        }
        done = new CompletableFuture<>();
        long sent = System.nanoTime();
        client.emit("chat:message", obj("agentId", agentId, "text", "bench relay #" + id));
        await(done, "chat:done");
        turnsInConversation++;
        synchronized (this) {
          if (tokens != expectedTokens) {
            p.badCounts++;
            p.errors.merge("turn with " + tokens + " tokens instead of " + expectedTokens, 1, Integer::sum);
          }
          long arrival = fake.arrivalNanos(id);
          if (firstRecv > 0 && arrival > 0) {
            p.ttftClient.record(firstRecv - sent);
            p.ttftFake.record(firstStamp - arrival);
            p.ttftOverhead.record((firstRecv - sent) - (firstStamp - arrival));
          }
          // The last token's successor is the end of the stream, which the fake does not stamp: not checked.
        }
      }
      return p;
    }

    private void await(CompletableFuture<?> f, String what) throws Exception {
      try {
        f.get(TURN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException("no " + what + " within " + TURN_TIMEOUT.toSeconds() + " s", e);
      }
    }

    @Override
    public void event(SocketIoClient client, String name, JsonNode data, long now) {
      switch (name) {
        case "chat:joined" -> {
          CompletableFuture<JsonNode> j = joined;
          if (j != null) {
            j.complete(data);
          }
        }
        case "chat:stream" -> onChunk(data.path("chunk"), now);
        case "chat:done" -> {
          CompletableFuture<Void> d = done;
          if (d != null) {
            d.complete(null);
          }
        }
        case "agent:status" -> statusEvents.incrementAndGet();
        default -> { }
      }
    }

    private synchronized void onChunk(JsonNode chunk, long now) {
      Phase p = phase;
      if (p == null) {
        return;
      }
      String kind = chunk.path("kind").asText();
      if (!"token".equals(kind)) {
        p.errors.merge(kind + ": " + abbreviate(chunk.path("message").asText(chunk.toString())), 1, Integer::sum);
        return;
      }
      long stampNanos = parseStamp(chunk.path("text").asText());
      if (stampNanos < 0) {
        p.errors.merge("token is not a stamp: " + abbreviate(chunk.path("text").asText()), 1, Integer::sum);
        return;
      }
      p.latency.record(now - stampNanos);
      if (tokens == 0) {
        firstRecv = now;
        firstStamp = stampNanos;
      } else {
        if (stampNanos < prevStamp) {
          p.outOfOrder++;
        }
        p.lateChecked++;
        long margin = stampNanos - prevRecv;
        p.worstMarginNanos = Math.min(p.worstMarginNanos, margin);
        if (margin < 0) {
          p.late++;
        }
      }
      prevRecv = now;
      prevStamp = stampNanos;
      tokens++;
    }

    @Override
    public void closed(SocketIoClient client, String why) {
      var e = new IllegalStateException("the relay client's connection ended: " + why);
      CompletableFuture<Void> d = done;
      if (d != null) {
        d.completeExceptionally(e);
      }
      CompletableFuture<JsonNode> j = joined;
      if (j != null) {
        j.completeExceptionally(e);
      }
    }
  }

  private void checkTurns(String what, Phase p) {
    if (!p.errors.isEmpty()) {
      problem(what + ": " + p.errors);
    }
    if (p.outOfOrder > 0) {
      problem(what + ": " + p.outOfOrder + " tokens arrived out of order");
    }
  }

  // ---- 3. throughput ---------------------------------------------------------------------------------------------

  /**
   * What a throughput run loads the server with: {@code chat.throughput} (50 clients by default, a short window) and
   * {@code chat.soak} (1,000 clients for 60 s, issue 8: every token and every {@code chat:done} must arrive, no error).
   */
  record Shape(String part, String title, int clients, int tokens, Duration warmup, Duration duration,
      boolean sharedAgent) {}

  private List<String> throughput(Shape shape) throws Exception {
    var out = new ArrayList<String>();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(cfg.clientThreads, exec);
    var clients = new ArrayList<SocketIoClient>();
    try (StampingFake fake = StampingFake.start(); ServerProcess server = startServer(shape.part().replace('.', '-'))) {
      configure(server, fake);
      fake.configure(shape.tokens(), Duration.ZERO, false);
      List<String> agentIds = new ArrayList<>();
      if (shape.sharedAgent()) {
        for (int i = 0; i < shape.clients(); i++) {
          agentIds.add("coo");
        }
      } else {
        agentIds = createAgents(server.port(), shape.clients());
      }
      var schedule = new Schedule();
      var loops = new ArrayList<LoopChat>();
      for (int i = 0; i < shape.clients(); i++) {
        var loop = new LoopChat(i, agentIds.get(i), schedule, shape.tokens());
        loops.add(loop);
        clients.add(SocketIoClient.connect(http, server.port(), loop).get(20, TimeUnit.SECONDS));
      }
      progress(shape.part() + ": %d clients (%s), replies of %d tokens back to back, %d s warm-up + %d s measured",
          shape.clients(), shape.sharedAgent() ? "all with the COO" : "one agent each", shape.tokens(),
          shape.warmup().toSeconds(), shape.duration().toSeconds());
      long t0 = System.nanoTime();
      schedule.measureStart = t0 + shape.warmup().toNanos();
      schedule.measureEnd = schedule.measureStart + shape.duration().toNanos();
      for (int i = 0; i < loops.size(); i++) {
        loops.get(i).start(clients.get(i));
      }
      sleepUntil(schedule.measureStart);
      long[] srvGc0 = serverGc(server.pid());
      long[] selfGc0 = selfGc();
      long srvTicks0 = procCpuTicks(server.pid());
      long selfCpu0 = LoadTest.selfCpuNanos();
      long w0 = System.nanoTime();
      sleepUntil(schedule.measureEnd);
      long srvTicks1 = procCpuTicks(server.pid());
      long selfCpu1 = LoadTest.selfCpuNanos();
      long wall = System.nanoTime() - w0;
      String tpGc = gcDelta(srvGc0, serverGc(server.pid()), selfGc0, selfGc());
      long[] rss = server.rssKib();
      // Let every client finish its turn in flight (bounded).
      long deadline = System.nanoTime() + TURN_TIMEOUT.toNanos();
      int unfinished = 0;
      for (LoopChat l : loops) {
        try {
          l.finished.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          unfinished++;
        }
      }

      var latency = new LatencyHistogram();
      long tokens = 0;
      long allTokens = 0;
      long turns = 0;
      long status = 0;
      long bad = 0;
      var errors = new TreeMap<String, Integer>();
      for (LoopChat l : loops) {
        synchronized (l) {
          latency.add(l.latency);
          tokens += l.tokensInWindow;
          allTokens += l.tokensTotal;
          turns += l.turnsInWindow;
          status += l.statusEvents;
          bad += l.badCounts;
          l.errors.forEach((k, v) -> errors.merge(k, v, Integer::sum));
        }
      }
      double secs = (schedule.measureEnd - schedule.measureStart) / 1e9;
      double tps = tokens / secs;
      double srvCpuSec = srvTicks0 < 0 || srvTicks1 < 0 ? -1 : (srvTicks1 - srvTicks0) / (double) clkTck;
      double srvCores = srvCpuSec < 0 ? -1 : srvCpuSec / (wall / 1e9);
      double msPer1k = srvCpuSec < 0 || tokens == 0 ? -1 : srvCpuSec * 1000 / (tokens / 1000.0);
      double genCores = selfCpu0 < 0 ? -1 : (selfCpu1 - selfCpu0) / (double) wall;
      progress("  %.0f tokens/s, server %.2f cores, %.3f ms CPU per 1k tokens", tps, srvCores, msPer1k);

      out.add(String.format(Locale.ROOT, shape.title() + ": %d concurrent clients over websocket (%s), each chatting turn "
          + "after turn; replies of %d tokens with no delay between tokens; a new conversation every %d turns",
          shape.clients(), shape.sharedAgent() ? "all with the COO" : "one agent each", shape.tokens(),
          cfg.turnsPerConversation));
      out.add(String.format(Locale.ROOT, "   %d s measured after %d s warm-up; tokens counted when they reach a client "
          + "inside the window", shape.duration().toSeconds(), shape.warmup().toSeconds()));
      out.add(String.format(Locale.ROOT, "   %-34s %12.0f", "tokens/s delivered (all clients)", tps));
      out.add(String.format(Locale.ROOT, "   %-34s %12.1f  (%d turns ended in the window)", "turns/s", turns / secs,
          turns));
      out.add(String.format(Locale.ROOT, "   %-34s %12s  (utime+stime from /proc/%d/stat, CLK_TCK %d)",
          "server CPU, cores", srvCores < 0 ? "?" : fmt("%.2f", srvCores), server.pid(), clkTck));
      out.add(String.format(Locale.ROOT, "   %-34s %12s", "server CPU per 1,000 tokens",
          msPer1k < 0 ? "?" : fmt("%.1f ms", msPer1k)));
      out.add(String.format(Locale.ROOT, "   %-34s %12s  (fake model + clients in this JVM)", "benchmark JVM CPU, cores",
          genCores < 0 ? "?" : fmt("%.2f", genCores)));
      out.add(String.format(Locale.ROOT, "   %-34s %12s", "server RSS after the window",
          rss[0] < 0 ? "?" : fmt("%.1f MiB", rss[0] / 1024.0)));
      out.add(String.format(Locale.ROOT, "   %-34s %s", "GC in the window", tpGc));
      out.add(String.format(Locale.ROOT, "   %-26s %7s %8s %8s %8s %8s %8s %8s", "", "tokens", "min ms", "p50 ms",
          "p90 ms", "p99 ms", "p99.9 ms", "max ms"));
      out.add(latencyRow("relay under this load", latency));
      out.add("   (the fake writes tokens back to back as fast as TCP takes them, so under saturation this is mostly time "
          + "queued in socket buffers, not per-token overhead)");
      out.add(String.format(Locale.ROOT, "   tokens over the whole run %d; agent:status events received %d; turns with "
          + "the wrong token count %d; clients not done %d s after the window %d; errors: %s", allTokens, status, bad,
          TURN_TIMEOUT.toSeconds(), unfinished, errors.isEmpty() ? "none" : errors));
      String prefix = shape.part().equals("chat.soak") ? "soak_" : "tp_";
      if (shape.part().equals("chat.soak")) {
        aim(shape.clients() + " concurrent chats, " + shape.duration().toSeconds() + " s",
            fmt("%d errors, %d lost", errors.values().stream().mapToInt(Integer::intValue).sum(), bad + unfinished),
            "0 errors, 0 lost", errors.isEmpty() && bad == 0 && unfinished == 0);
      } else {
        aim(shape.clients() + "-client throughput", fmt("%.0f tokens/s", tps), "> 60,000 tokens/s",
            tps > AIM_TOKENS_PER_S && errors.isEmpty());
      }
      aim("server CPU per 1,000 tokens (no aim)", msPer1k < 0 ? "?" : fmt("%.1f ms", msPer1k), "-", null);
      summary.put(prefix + "tokens_per_s", fmt("%.0f", tps));
      summary.put(prefix + "turns", Long.toString(turns));
      summary.put(prefix + "errors", Integer.toString(errors.values().stream().mapToInt(Integer::intValue).sum()));
      summary.put(prefix + "lost_turns", Long.toString(bad + unfinished));
      summary.put(prefix + "srv_cores", srvCores < 0 ? "na" : fmt("%.2f", srvCores));
      summary.put(prefix + "srv_cpu_ms_per_1k_tokens", msPer1k < 0 ? "na" : fmt("%.1f", msPer1k));
      summary.put(prefix + "gen_cores", genCores < 0 ? "na" : fmt("%.2f", genCores));
      summary.put(prefix + "relay_p99_ms", ms(latency.percentileNanos(99)));
      if (!errors.isEmpty() || bad > 0) {
        problem(shape.part() + ": " + bad + " turns with the wrong token count, errors " + errors);
      }
      if (unfinished > 0) {
        problem(shape.part() + ": " + unfinished + " clients had no chat:done " + TURN_TIMEOUT.toSeconds()
            + " s after the window");
      }
      for (SocketIoClient c : clients) {
        c.close();
      }
      ServerProcess.sleep(200);
      stopServer(server, "throughput");
    } finally {
      clients.forEach(SocketIoClient::abort);
      SocketIoClient.shutdown(exec[0]);
    }
    return out;
  }

  static final class Schedule {
    volatile long measureStart;
    volatile long measureEnd;
  }

  /** One of the throughput clients: joins, then sends its next message on every chat:done until the window ends. */
  final class LoopChat implements SocketIoClient.Events {
    final int index;
    final String agentId;
    final Schedule schedule;
    /** Tokens every reply must have: fewer means a lost message. */
    final int tokens;
    final CompletableFuture<Void> finished = new CompletableFuture<>();
    final LatencyHistogram latency = new LatencyHistogram();
    final Map<String, Integer> errors = new TreeMap<>();
    long tokensInWindow;
    long tokensTotal;
    long turnsInWindow;
    long statusEvents;
    long badCounts;
    private int tokensThisTurn;
    private int turnsInConversation;
    private int turn;

    LoopChat(int index, String agentId, Schedule schedule, int tokens) {
      this.index = index;
      this.agentId = agentId;
      this.schedule = schedule;
      this.tokens = tokens;
    }

    void start(SocketIoClient client) {
      client.emit("chat:join", obj("agentId", agentId));
    }

    private void message(SocketIoClient client) {
      tokensThisTurn = 0;
      client.emit("chat:message", obj("agentId", agentId, "text", "bench client " + index + " turn " + (++turn)));
    }

    @Override
    public synchronized void event(SocketIoClient client, String name, JsonNode data, long now) {
      switch (name) {
        case "chat:joined" -> {
          turnsInConversation = 0;
          message(client);
        }
        case "chat:stream" -> {
          JsonNode chunk = data.path("chunk");
          if (!"token".equals(chunk.path("kind").asText())) {
            errors.merge(chunk.path("kind").asText() + ": " + abbreviate(chunk.path("message").asText(chunk.toString())),
                1, Integer::sum);
            return;
          }
          tokensTotal++;
          tokensThisTurn++;
          if (now >= schedule.measureStart && now < schedule.measureEnd) {
            tokensInWindow++;
            long s = parseStamp(chunk.path("text").asText());
            if (s >= 0) {
              latency.record(now - s);
            }
          }
        }
        case "chat:done" -> {
          if (tokensThisTurn != tokens) {
            badCounts++;
          }
          if (now >= schedule.measureStart && now < schedule.measureEnd) {
            turnsInWindow++;
          }
          if (now >= schedule.measureEnd) {
            finished.complete(null);
          } else if (++turnsInConversation >= cfg.turnsPerConversation) {
            client.emit("chat:join", obj("agentId", agentId));
          } else {
            message(client);
          }
        }
        case "agent:status" -> statusEvents++;
        default -> { }
      }
    }

    @Override
    public void closed(SocketIoClient client, String why) {
      synchronized (this) {
        if (!finished.isDone()) {
          errors.merge("connection ended: " + why, 1, Integer::sum);
        }
      }
      finished.completeExceptionally(new IllegalStateException(why));
    }
  }

  // ---- 4. idle connections -----------------------------------------------------------------------------------------

  private List<String> idle() throws Exception {
    var out = new ArrayList<String>();
    ExecutorService[] exec = new ExecutorService[1];
    HttpClient http = SocketIoClient.httpClient(cfg.clientThreads, exec);
    var clients = Collections.synchronizedList(new ArrayList<SocketIoClient>());
    var closedEarly = new AtomicInteger();
    var closeReasons = new ConcurrentHashMap<String, Integer>();
    var eventsSeen = new AtomicLong();
    SocketIoClient.Events quiet = new SocketIoClient.Events() {
      @Override
      public void event(SocketIoClient client, String name, JsonNode data, long receivedNanos) {
        eventsSeen.incrementAndGet();
      }

      @Override
      public void closed(SocketIoClient client, String why) {
        if (client.attachment == null && client.wasConnected()) {
          closedEarly.incrementAndGet();
          closeReasons.merge(why.length() > 80 ? why.substring(0, 80) : why, 1, Integer::sum);
        }
      }
    };
    try (ServerProcess server = startServer("chat-idle")) {
      String jcmd = jcmd();
      // Warm-up: the Socket.IO code paths are loaded and compiled before the baseline is taken.
      progress("idle: warm-up with %d connections", cfg.idleWarmup);
      var warm = openMany(http, server.port(), cfg.idleWarmup, quiet, null);
      for (SocketIoClient c : warm.opened) {
        c.attachment = "closing";
        c.close();
      }
      ServerProcess.sleep(2_000);
      warm.opened.forEach(SocketIoClient::abort);
      ServerProcess.sleep(1_000);
      long rssBefore = server.rssKib()[0];
      String gcBefore = jcmd == null ? null : gc(jcmd, server.pid());
      ServerProcess.sleep(1_000);
      long rssBeforeGc = server.rssKib()[0];
      long heapBefore = jcmd == null ? -1 : heapUsedKib(jcmd, server.pid());

      progress("idle: opening %d Socket.IO connections, at most %d handshakes in flight", cfg.idleConnections,
          cfg.idleInFlight);
      long t0 = System.nanoTime();
      var opened = openMany(http, server.port(), cfg.idleConnections, quiet, clients);
      long openNanos = System.nanoTime() - t0;
      progress("  %d connected in %.1f s, %d failed %s", opened.opened.size(), openNanos / 1e9, opened.failures.get(),
          opened.failureKinds);
      int pingMs = pingInterval(opened.opened);
      Duration idleFor = cfg.idleTime != null ? cfg.idleTime
          : Duration.ofMillis(Math.min(60_000, Math.max(10_000, pingMs + 5_000L)));
      progress("  idle for %d s (server pingInterval %d ms)", idleFor.toSeconds(), pingMs);
      ServerProcess.sleep(idleFor.toMillis());
      long stillOpen = opened.opened.stream().filter(SocketIoClient::isOpen).count();
      long pings = opened.opened.stream().mapToLong(SocketIoClient::pings).sum();
      long rssAfter = server.rssKib()[0];
      String gcAfter = jcmd == null ? null : gc(jcmd, server.pid());
      ServerProcess.sleep(1_000);
      long rssAfterGc = server.rssKib()[0];
      long heapAfter = jcmd == null ? -1 : heapUsedKib(jcmd, server.pid());
      long stillOpenAfterGc = opened.opened.stream().filter(SocketIoClient::isOpen).count();
      long n = Math.max(1, stillOpenAfterGc);
      double perConn = (rssAfter - rssBefore) / (double) n;
      double perConnGc = (rssAfterGc - rssBeforeGc) / (double) n;
      double heapPerConn = heapBefore < 0 || heapAfter < 0 ? Double.NaN : (heapAfter - heapBefore) / (double) n;
      progress("  RSS %.1f -> %.1f MiB (after GC %.1f -> %.1f): %.2f KiB per connection (%.2f after GC)",
          rssBefore / 1024.0, rssAfter / 1024.0, rssBeforeGc / 1024.0, rssAfterGc / 1024.0, perConn, perConnGc);

      out.add(String.format(Locale.ROOT, "4. Idle Socket.IO connections: %d websocket connections connected to the "
          + "default namespace (40 -> 40{...}), then idle, answering pings", cfg.idleConnections));
      out.add(String.format(Locale.ROOT, "   connected %d in %.1f s (%.0f/s, at most %d handshakes in flight); failed %d %s",
          opened.opened.size(), openNanos / 1e9, opened.opened.size() / (openNanos / 1e9), cfg.idleInFlight,
          opened.failures.get(), opened.failureKinds.isEmpty() ? "" : opened.failureKinds));
      out.add(String.format(Locale.ROOT, "   idle %d s (server pingInterval %d ms): %d pings answered; still open %d "
          + "(after the GC %d); closed by the server %d %s; events received %d", idleFor.toSeconds(), pingMs, pings,
          stillOpen, stillOpenAfterGc, closedEarly.get(), closeReasons.isEmpty() ? "" : closeReasons, eventsSeen.get()));
      out.add(String.format(Locale.ROOT, "   %-28s %12s %12s %14s", "server VmRSS", "before", "after",
          "per connection"));
      out.add(String.format(Locale.ROOT, "   %-28s %12s %12s %14s", "as measured (no GC)", mib(rssBefore), mib(rssAfter),
          fmt("%.2f KiB", perConn)));
      out.add(String.format(Locale.ROOT, "   %-28s %12s %12s %14s", "after jcmd GC.run",
          jcmd == null ? "n/a" : mib(rssBeforeGc), jcmd == null ? "n/a" : mib(rssAfterGc),
          jcmd == null ? "n/a" : fmt("%.2f KiB", perConnGc)));
      out.add(String.format(Locale.ROOT, "   %-28s %12s %12s %14s", "Java heap used after GC",
          heapBefore < 0 ? "n/a" : mib(heapBefore), heapAfter < 0 ? "n/a" : mib(heapAfter),
          Double.isNaN(heapPerConn) ? "n/a" : fmt("%.2f KiB", heapPerConn)));
      out.add(String.format(Locale.ROOT, "   (per connection = (after - before) / connections still open; the baseline "
          + "is taken after %d warm-up connections came and went%s)", cfg.idleWarmup,
          jcmd == null ? "; jcmd not found, so no GC" : "; GC: " + gcBefore + " / " + gcAfter));
      boolean useGc = jcmd != null;
      double kib = useGc ? perConnGc : perConn;
      aim("RSS per idle connection (" + stillOpenAfterGc + " open" + (useGc ? ", after GC" : ", no GC") + ")",
          fmt("%.2f KiB (no GC %.2f)", kib, perConn), "<= 10 KiB",
          stillOpenAfterGc == cfg.idleConnections && kib <= AIM_KIB_PER_IDLE);
      summary.put("idle_connections", Long.toString(stillOpenAfterGc));
      summary.put("idle_kib_per_conn", fmt("%.2f", perConn));
      summary.put("idle_kib_per_conn_after_gc", useGc ? fmt("%.2f", perConnGc) : "na");
      summary.put("idle_heap_kib_per_conn", Double.isNaN(heapPerConn) ? "na" : fmt("%.2f", heapPerConn));
      if (opened.failures.get() > 0 || stillOpenAfterGc < opened.opened.size()) {
        problem("idle: " + opened.failures.get() + " connections failed to open " + opened.failureKinds + ", "
            + (opened.opened.size() - stillOpenAfterGc) + " closed while idle " + closeReasons);
      }

      progress("idle: closing");
      for (SocketIoClient c : opened.opened) {
        c.attachment = "closing";
        c.close();
      }
      long closeDeadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < closeDeadline && opened.opened.stream().anyMatch(SocketIoClient::isOpen)) {
        ServerProcess.sleep(200);
      }
      stopServer(server, "idle");
    } finally {
      for (SocketIoClient c : new ArrayList<>(clients)) {
        c.attachment = "closing";
        c.abort();
      }
      SocketIoClient.shutdown(exec[0]);
    }
    return out;
  }

  record Opened(List<SocketIoClient> opened, AtomicInteger failures, Map<String, Integer> failureKinds) {}

  private Opened openMany(HttpClient http, int port, int n, SocketIoClient.Events events, List<SocketIoClient> sink)
      throws InterruptedException {
    var opened = Collections.synchronizedList(new ArrayList<SocketIoClient>());
    var failures = new AtomicInteger();
    var kinds = new ConcurrentHashMap<String, Integer>();
    var inFlight = new Semaphore(cfg.idleInFlight);
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      SocketIoClient.connect(http, port, events).orTimeout(30, TimeUnit.SECONDS).whenComplete((c, e) -> {
        if (e != null) {
          failures.incrementAndGet();
          String k = LoadTest.label(SocketIoClient.unwrap(e));
          kinds.merge(k.length() > 80 ? k.substring(0, 80) : k, 1, Integer::sum);
        } else {
          opened.add(c);
          if (sink != null) {
            sink.add(c);
          }
        }
        inFlight.release();
      });
    }
    inFlight.acquire(cfg.idleInFlight);
    inFlight.release(cfg.idleInFlight);
    return new Opened(new ArrayList<>(opened), failures, new TreeMap<>(kinds));
  }

  private int pingInterval(List<SocketIoClient> clients) {
    for (SocketIoClient c : clients) {
      String open = c.openPacket();
      if (open != null) {
        try {
          return json.readTree(open).path("pingInterval").asInt(-1);
        } catch (IOException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  // ---- server set-up -------------------------------------------------------------------------------------------

  private ServerProcess startServer(String name) throws IOException {
    ServerProcess s = ServerProcess.launch(runJar, logsDir.resolve(stamp + "-" + name + ".log"));
    try {
      ServerProcess.Startup su = s.awaitHealthy(cfg.readyTimeout, Duration.ofMillis(20));
      serverVersion = json.readTree(su.healthBody()).path("version").asText(serverVersion);
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
      problem(what + " server ignored SIGTERM and was killed");
    }
    Map<String, Integer> warnings = server.countLogLines("WARN", "ERROR", "Exception");
    if (!warnings.isEmpty()) {
      problem(what + " server: log lines containing " + warnings + " in " + server.log());
    }
  }

  /** Points the global default chat model at the fake (the COO follows it on a fresh install). */
  private void configure(ServerProcess server, StampingFake fake) throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("theme", "obsidian");
    body.set("defaultChatModel", obj("provider", "openai-compatible", "modelId", "fake-model"));
    body.set("defaultEmbeddingModel", obj("provider", "openai-compatible", "modelId", "fake-model"));
    body.putObject("providers").putObject("openai-compatible").put("baseUrl", fake.baseUrl());
    try (HttpConnection c = new HttpConnection("127.0.0.1", server.port())) {
      int st = c.exchange(c.request("PUT", "/api/settings/global", "application/json", json.writeValueAsBytes(body),
          false));
      if (st != 200) {
        throw new IllegalStateException("PUT /api/settings/global answered " + st + ": " + abbreviate(c.bodyText()));
      }
    }
  }

  private List<String> createAgents(int port, int n) throws IOException {
    var ids = new ArrayList<String>();
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      for (int i = 1; i <= n; i++) {
        byte[] body = json.writeValueAsBytes(Map.of("displayName", "Bench Chatter " + i));
        int st = c.exchange(c.request("POST", "/api/agents", "application/json", body, false));
        if (st != 200) {
          throw new IllegalStateException("POST /api/agents answered " + st + ": " + abbreviate(c.bodyText()));
        }
        ids.add(json.readTree(c.body(), 0, c.bodyLength()).path("id").asText());
      }
    }
    return ids;
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  private static ObjectNode obj(String... kv) {
    ObjectNode n = SocketIoClient.JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      n.put(kv[i], kv[i + 1]);
    }
    return n;
  }

  /** The decimal {@code nanoTime} a token carries, or -1 if it is not one. */
  static long parseStamp(String text) {
    if (text.isEmpty() || text.length() > 19) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  /** utime + stime of a process in clock ticks, from /proc/<pid>/stat; -1 if unknown. */
  static long procCpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state); utime is field 14, stime field 15.
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static int clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Integer.parseInt(s);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private static String jcmd() {
    Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (Files.isExecutable(p)) {
      return p.toString();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path q = Path.of(dir, "jcmd");
      if (!dir.isEmpty() && Files.isExecutable(q)) {
        return q.toString();
      }
    }
    return null;
  }

  /** {@code jcmd <pid> GC.run}; returns how long it took, or the failure. */
  private String gc(String jcmd, long pid) {
    long t0 = System.nanoTime();
    String out = runJcmd(jcmd, pid, "GC.run");
    return out == null ? "failed" : String.format(Locale.ROOT, "%.0f ms", (System.nanoTime() - t0) / 1e6);
  }

  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  /** The Java heap in use, from {@code jcmd <pid> GC.heap_info} (first "used NK"); -1 if unknown. */
  private long heapUsedKib(String jcmd, long pid) {
    String out = runJcmd(jcmd, pid, "GC.heap_info");
    if (out == null) {
      return -1;
    }
    Matcher m = HEAP_USED.matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private String runJcmd(String jcmd, long pid, String command) {
    try {
      Process p = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        problem("jcmd " + command + " failed: " + abbreviate(out));
        return null;
      }
      return out;
    } catch (IOException e) {
      problem("jcmd " + command + " failed: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** {pauses, milliseconds paused} of the server's GC so far, from {@code jstat -gc <pid>}; null if unknown. */
  static long[] serverGc(long pid) {
    Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
    if (!Files.isExecutable(jstat)) {
      return null;
    }
    try {
      Process p = new ProcessBuilder(jstat.toString(), "-gc", Long.toString(pid)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      String[] lines = out.strip().split("\n");
      String[] head = lines[0].trim().split("\\s+");
      String[] vals = lines[lines.length - 1].trim().split("\\s+");
      long count = 0;
      double secs = 0;
      for (int i = 0; i < head.length && i < vals.length; i++) {
        switch (head[i]) {
          case "YGC", "FGC" -> count += Long.parseLong(vals[i]);
          case "YGCT", "FGCT" -> secs += Double.parseDouble(vals[i]); // pauses; CGCT is concurrent work
          default -> { }
        }
      }
      return new long[] {count, Math.round(secs * 1000)};
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** {collections, milliseconds} of this JVM's GC so far. */
  private static long[] selfGc() {
    long count = 0;
    long millis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  private static String gcDelta(long[] srv0, long[] srv1, long[] self0, long[] self1) {
    String server = srv0 == null || srv1 == null ? "server ? (no jstat)"
        : fmt("server %d pauses, %d ms", srv1[0] - srv0[0], srv1[1] - srv0[1]);
    return server + fmt("; benchmark JVM %d collections, %d ms", self1[0] - self0[0], self1[1] - self0[1]);
  }

  private static void sleepUntil(long nanos) {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      ServerProcess.sleep(Math.max(1, left / 1_000_000));
    }
  }

  private static String latencyRow(String what, LatencyHistogram h) {
    return String.format(Locale.ROOT, "   %-26s %7d %8s %8s %8s %8s %8s %8s", what, h.count(), ms(h.minNanos()),
        ms(h.percentileNanos(50)), ms(h.percentileNanos(90)), ms(h.percentileNanos(99)), ms(h.percentileNanos(99.9)),
        ms(h.maxNanos()));
  }

  /** A row of the aims table; {@code pass} null = no aim (figure only). */
  private void aim(String what, String measured, String target, Boolean pass) {
    aims.add(new String[] {what, measured, target, pass == null ? "-" : pass ? "ok" : "missed"});
  }

  private void problem(String p) {
    problems.add(p);
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  static String mib(long kib) {
    return kib < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() <= 160 ? one : one.substring(0, 160) + "...";
  }

  private void line(String format, Object... args) {
    report.line(format, args);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Tunables, from system properties, each clamped so every phase stays bounded. */
  record Config(Path moduleDir, Duration readyTimeout, int clientThreads, int turnsPerConversation,
      int relayWarmup, int relayChats, int relayTokens, Duration relaySpacing,
      int gapChats, int gapTokens, Duration gapSpacing,
      int tpClients, int tpTokens, Duration tpWarmup, Duration tpDuration, boolean tpSharedAgent,
      int idleConnections, int idleWarmup, int idleInFlight, Duration idleTime,
      int soakClients, int soakTokens, Duration soakDuration) {

    static Config fromSystemProperties(Path moduleDir) {
      int idleSeconds = intProp("bench.chat.idleSeconds", -1, -1, 600);
      return new Config(moduleDir,
          Duration.ofSeconds(intProp("bench.readyTimeoutSeconds", 60, 5, 600)),
          intProp("bench.chat.clientThreads", 2, 1, 64),
          intProp("bench.chat.turnsPerConversation", 10, 1, 10_000),
          intProp("bench.chat.relayWarmup", 10, 0, 10_000),
          intProp("bench.chat.relayChats", 40, 1, 10_000),
          intProp("bench.chat.relayTokens", 100, 1, 100_000),
          Duration.ofNanos(1000L * intProp("bench.chat.relaySpacingMicros", 1000, 0, 1_000_000)),
          intProp("bench.chat.gapChats", 5, 1, 1000),
          intProp("bench.chat.gapTokens", 50, 2, 10_000),
          Duration.ofMillis(intProp("bench.chat.gapMillis", 20, 1, 10_000)),
          intProp("bench.chat.clients", 50, 1, 2000),
          intProp("bench.chat.tokens", 100, 1, 100_000),
          Duration.ofSeconds(intProp("bench.chat.warmupSeconds", 5, 0, 300)),
          Duration.ofSeconds(intProp("bench.chat.durationSeconds", 10, 1, 600)),
          Boolean.parseBoolean(System.getProperty("bench.chat.sharedAgent", "false")),
          intProp("bench.chat.idleConnections", 5000, 1, 18_000),
          intProp("bench.chat.idleWarmup", 200, 0, 10_000),
          intProp("bench.chat.idleInFlight", 100, 1, 2000),
          idleSeconds < 0 ? null : Duration.ofSeconds(idleSeconds),
          intProp("bench.soak.clients", 1000, 1, 5000),
          intProp("bench.soak.tokens", 20, 1, 10_000),
          Duration.ofSeconds(intProp("bench.soak.durationSeconds", 60, 1, 3600)));
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
}
