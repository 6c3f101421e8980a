package otterbot.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One server started from the exported jar, as an operator starts it: {@code java -jar otterbot.jar --home <dir>
 * --port <port>}, with a fresh temporary home, its output in a log file. A JVM shutdown hook kills whatever is still
 * running and deletes the temporary homes, so an interrupted benchmark leaves nothing behind.
 */
final class ServerProcess implements AutoCloseable {
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  /** The form of the time stamp each server log line begins with (slf4j-simple, as the server configures it). */
  private static final String LOG_TIME = "2026-12-08T01:04:42.034+0000";
  private static final DateTimeFormatter LOG_TIME_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (ServerProcess p : LIVE) {
        p.process.destroyForcibly();
        try {
          p.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        deleteTree(p.root);
      }
    }, "otterbot-bench-reaper"));
  }

  private final Process process;
  private final Path root;
  private final Path home;
  private final int port;
  private final Path log;
  /** {@link System#nanoTime()} just before {@link ProcessBuilder#start()}. */
  private final long startedNanos;
  /** {@link System#currentTimeMillis()} just before {@link ProcessBuilder#start()}, to read the log's times against. */
  private final long startedMillis;
  private boolean stopped;

  /** What {@link #awaitHealthy} saw. */
  record Startup(long nanosToFirst200, int polls, int refused, Map<String, Integer> otherAnswers, long firstOkNanos,
      String healthBody) {}

  /** What {@link #stop} saw. */
  record Stop(long nanos, boolean forced, String exit) {}

  private ServerProcess(Process process, Path root, Path home, int port, Path log, long startedNanos,
      long startedMillis) {
    this.process = process;
    this.root = root;
    this.home = home;
    this.port = port;
    this.log = log;
    this.startedNanos = startedNanos;
    this.startedMillis = startedMillis;
  }

  /**
   * The server's JVM settings file, {@code otterbot.jvmOptions} or {@code ../otterbot.app/jvm.options} from the
   * working directory or the module ({@code otterbot.bench.dir}), as the start script passes it.
   */
  static Path jvmOptions() {
    Path options = Path.of(System.getProperty("otterbot.jvmOptions", "../otterbot.app/jvm.options")).normalize();
    if (!options.isAbsolute()) {
      Path moduleDir = Path.of(System.getProperty("otterbot.bench.dir", ".")).toAbsolutePath().normalize();
      Path fromCwd = options.toAbsolutePath().normalize();
      options = Files.isRegularFile(fromCwd) ? fromCwd : moduleDir.resolve(options).normalize();
    }
    if (!Files.isRegularFile(options)) {
      throw new IllegalStateException("the server's JVM settings " + options + " do not exist "
          + "(or pass -Dotterbot.jvmOptions=/path/to/jvm.options)");
    }
    return options;
  }

  /**
   * Starts the server on a fresh temporary home and a free loopback port; returns at once.
   *
   * @param log where the server's stdout and stderr go
   */
  static ServerProcess launch(Path jar, Path log) throws IOException {
    Path root = Files.createTempDirectory("otterbot-bench-");
    Path home = root.resolve("home");
    int port = freePort();
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The settings the start script gives the server (distribution/otterbot.app/jvm.options).
    command.add("@" + jvmOptions());
    // The class-data-sharing archive the build wrote beside the jar, when there is one, as the start script passes it.
    Path archive = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".jsa"));
    if (Files.isRegularFile(archive)) {
      command.add("-XX:SharedArchiveFile=" + archive);
    }
    // For profiling a benchmark's server (e.g. a JFR recording); empty by default, so the server gets only the defaults.
    for (String option : System.getProperty("bench.serverJvmArgs", "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    command.add("-jar");
    command.add(jar.toString());
    command.add("--home");
    command.add(home.toString());
    command.add("--port");
    command.add(Integer.toString(port));
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(root.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    // Only the defaults: no configuration leaking in from the environment of whoever runs the benchmark.
    builder.environment().keySet().removeIf(k -> k.startsWith("OTTERBOT_") || k.startsWith("LMSTUDIO_"));
    long startedMillis = System.currentTimeMillis();
    long t0 = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      deleteTree(root);
      throw e;
    }
    ServerProcess server = new ServerProcess(process, root, home, port, log, t0, startedMillis);
    LIVE.add(server);
    return server;
  }

  /**
   * Polls {@code GET /api/health} on the public port every {@code interval} (a new connection each time) until it
   * answers 200, the process dies or {@code timeout} passes.
   *
   * @throws IllegalStateException if the server did not become healthy
   */
  Startup awaitHealthy(Duration timeout, Duration interval) {
    long deadline = startedNanos + timeout.toNanos();
    int polls = 0;
    int refused = 0;
    var other = new TreeMap<String, Integer>();
    String lastProblem = "no answer";
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the server exited with code " + process.exitValue() + " before it was healthy\n"
            + logTail(40));
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw new IllegalStateException("the server did not answer GET /api/health with 200 within " + timeout.toSeconds()
            + " s (last: " + lastProblem + ")\n" + logTail(40));
      }
      polls++;
      try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
        int status = c.exchange(c.request("GET", "/api/health", null, null, true));
        long t = System.nanoTime();
        if (status == 200) {
          return new Startup(t - startedNanos, polls, refused, other, t, c.bodyText());
        }
        other.merge(Integer.toString(status), 1, Integer::sum);
        lastProblem = "HTTP " + status + ": " + abbreviate(c.bodyText());
      } catch (ConnectException e) {
        refused++;
        lastProblem = "connection refused";
      } catch (IOException e) {
        other.merge(e.getClass().getSimpleName(), 1, Integer::sum);
        lastProblem = e.toString();
      }
      sleep(interval.toMillis());
    }
  }

  /** {@code VmRSS} (and {@code VmHWM}, the peak) from {@code /proc/<pid>/status}, in KiB; -1 when unknown. */
  long[] rssKib() {
    long rss = -1;
    long hwm = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = parseKib(line);
        } else if (line.startsWith("VmHWM:")) {
          hwm = parseKib(line);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return new long[] {rss, hwm};
  }

  private static long parseKib(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    return Long.parseLong(parts[0]);
  }

  /**
   * Points the global default chat and embedding models at the OpenAI-compatible server at {@code baseUrl} (a fake
   * model in the benchmark's JVM) with {@code PUT /api/settings/global}; the COO, and every agent created without a
   * model, follow the global default.
   */
  void useModel(String baseUrl) throws IOException {
    String body = "{\"theme\":\"obsidian\","
        + "\"defaultChatModel\":{\"provider\":\"openai-compatible\",\"modelId\":\"fake-model\"},"
        + "\"defaultEmbeddingModel\":{\"provider\":\"openai-compatible\",\"modelId\":\"fake-model\"},"
        + "\"providers\":{\"openai-compatible\":{\"baseUrl\":" + SocketIoClient.JSON.writeValueAsString(baseUrl)
        + "}}}";
    try (HttpConnection c = new HttpConnection("127.0.0.1", port)) {
      int status = c.exchange(c.request("PUT", "/api/settings/global", "application/json",
          body.getBytes(StandardCharsets.UTF_8), false));
      if (status != 200) {
        throw new IllegalStateException("PUT /api/settings/global answered " + status + ": "
            + abbreviate(c.bodyText()));
      }
    }
  }

  /** CPU time the server process has used so far (user + system), or -1 if unknown. */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /**
   * SIGTERM ({@link Process#destroy()}), then waits up to {@link #STOP_TIMEOUT} for the process to exit; only then
   * SIGKILL. Returns the time from {@code destroy()} to exit (or to the timeout). Deletes the temporary home.
   */
  Stop stop() {
    if (stopped) {
      return new Stop(0, false, "already stopped");
    }
    stopped = true;
    boolean forced = false;
    long t0 = System.nanoTime();
    long t1;
    try {
      process.destroy();
      boolean exited = waitFor(STOP_TIMEOUT);
      t1 = System.nanoTime();
      if (!exited) {
        forced = true;
        process.destroyForcibly();
        waitFor(STOP_TIMEOUT);
      }
    } finally {
      if (process.isAlive()) {
        process.destroyForcibly();
        waitFor(STOP_TIMEOUT);
      }
      if (!process.isAlive()) {
        LIVE.remove(this);
        deleteTree(root);
      }
    }
    String exit = process.isAlive() ? "still alive!" : Integer.toString(process.exitValue());
    return new Stop(t1 - t0, forced, exit);
  }

  @Override
  public void close() {
    if (!stopped) {
      stop();
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  int port() {
    return port;
  }

  Path home() {
    return home;
  }

  Path log() {
    return log;
  }

  /** The last {@code n} lines of the server log. */
  String logTail(int n) {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
      var sb = new StringBuilder("----- last lines of ").append(log).append(" -----\n");
      for (int i = Math.max(0, lines.size() - n); i < lines.size(); i++) {
        sb.append(lines.get(i)).append('\n');
      }
      return sb.append("----- end of server log -----").toString();
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** Counts the log lines containing any of {@code words} (case-sensitive), e.g. WARN and ERROR. */
  Map<String, Integer> countLogLines(String... words) {
    var counts = new TreeMap<String, Integer>();
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        for (String w : words) {
          if (line.contains(w)) {
            counts.merge(w, 1, Integer::sum);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // keep what we have
    }
    return counts;
  }

  /**
   * Milliseconds from the process's start to the time stamp of the first log line that contains {@code text}
   * (the server's lines begin with an ISO time to the millisecond, {@code 2026-12-08T01:04:42.034+0000}); -1 when no
   * line has it. Wall-clock times of two processes on one machine: good to a few milliseconds.
   */
  long millisToLogLine(String text) {
    try {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.contains(text) && line.length() > LOG_TIME.length()) {
          return OffsetDateTime.parse(line.substring(0, LOG_TIME.length()), LOG_TIME_FORMAT).toInstant().toEpochMilli()
              - startedMillis;
        }
      }
    } catch (IOException | UncheckedIOException | DateTimeParseException e) {
      // no such line, or not in the expected form
    }
    return -1;
  }

  private boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** What a benchmark does with its private copy of the server jar. */
  interface JarUse {
    void run(Path runJar) throws Exception;
  }

  /**
   * Runs {@code use} with a private copy of {@code jar}, deleted afterwards: every server of a run starts from it, so a
   * rebuild of the jar in the middle of a run cannot mix versions.
   */
  static void withJarSnapshot(Path jar, JarUse use) throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("the server jar " + jar + " does not exist: build distribution/otterbot.app first "
          + "(or pass -Dotterbot.jar=/path/to/otterbot.jar)");
    }
    Path snapshotDir = Files.createTempDirectory("otterbot-bench-jar-");
    try {
      use.run(Files.copy(jar, snapshotDir.resolve("otterbot.jar")));
    } finally {
      deleteTree(snapshotDir);
    }
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("[bench] could not delete " + root + ": " + e);
    }
  }

  private static String abbreviate(String s) {
    String one = s.replace('\n', ' ');
    return one.length() <= 160 ? one : one.substring(0, 160) + "...";
  }
}
