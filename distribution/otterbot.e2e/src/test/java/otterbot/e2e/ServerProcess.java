package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OtterBot server started from the exported jar as a separate process, the way an operator runs it:
 * {@code java -jar otterbot.jar --home <dir> --port <port>}. Its stdout and stderr go to a log file whose tail
 * {@link #explain} adds to assertion messages. Every process started here is also killed by a JVM shutdown hook, so
 * a crashed test run never leaves a server behind.
 */
final class ServerProcess implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  /**
   * Once a server from this jar has failed to get healthy in {@link #READY_TIMEOUT}, later starts in the same run get
   * this much: a jar that cannot start should fail every test quickly, not stall the module for many minutes.
   */
  static final Duration READY_TIMEOUT_AFTER_FAILURE = Duration.ofSeconds(20);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private static volatile boolean readinessFailedBefore;
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final AtomicInteger LAUNCHES = new AtomicInteger();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "otterbot-e2e-reaper"));
    // Kept logs are numbered per run: drop those of an earlier run so that none is mistaken for this run's.
    String kept = System.getProperty("otterbot.e2e.logs");
    if (kept != null && Files.isDirectory(Path.of(kept))) {
      try (var old = Files.list(Path.of(kept))) {
        for (Path file : old.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        System.out.println("[e2e] cannot clear " + kept + ": " + e);
      }
    }
  }

  private final Process process;
  private final Path home;
  private final String host;
  private final int port;
  private final Path log;
  private final Http http;
  /** The test class that started this server, to name the kept log. */
  private final String testClass = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
      .walk(frames -> frames.map(f -> f.getDeclaringClass().getSimpleName()).filter(n -> n.endsWith("IT")).findFirst())
      .orElse("e2e");
  private Duration stopTime;
  private boolean forced;

  private ServerProcess(Process process, Path home, String host, int port, Path log) {
    this.process = process;
    this.home = home;
    this.host = host;
    this.port = port;
    this.log = log;
    this.http = new Http(URI.create("http://" + hostForUri(host) + ":" + port), this::logTail);
  }

  /** The server jar under test, from the {@code otterbot.jar} system property set by the pom. */
  static Path jar() {
    String value = System.getProperty("otterbot.jar", "../otterbot.app/target/otterbot.jar");
    Path jar = Path.of(value).toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(jar), "the server jar " + jar + " does not exist: build distribution/otterbot.app first");
    return jar;
  }

  /**
   * The class-data-sharing archive the build writes beside the jar ({@code otterbot.jsa}), which the start script
   * passes to the JVM when it is there; the tests pass it alike. Absent when the build skipped it
   * ({@code -Dotterbot.cds.skip=true}).
   */
  static Optional<Path> cdsArchive() {
    String name = jar().getFileName().toString().replaceFirst("\\.jar$", ".jsa");
    Path archive = jar().resolveSibling(name);
    return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
  }

  /**
   * The server's JVM settings (distribution/otterbot.app/jvm.options), passed as its start script passes them, so the
   * tests run the server as users start it.
   */
  static Path jvmOptions() {
    String value = System.getProperty("otterbot.jvmOptions", "../otterbot.app/jvm.options");
    Path options = Path.of(value).toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(options), "the server's JVM settings " + options + " do not exist");
    return options;
  }

  /** A port nobody listens on right now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code <home>/etc/<pid>.cfg} with these {@code name=value} lines (before the server starts, so it starts
   * with them) and returns {@code home}.
   */
  static Path withConfig(Path home, String pid, String... lines) {
    try {
      Files.createDirectories(home.resolve("etc"));
      Files.write(home.resolve("etc").resolve(pid + ".cfg"), List.of(lines), StandardCharsets.ISO_8859_1);
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a server on {@code home} and a free port and waits until {@code GET /api/health} answers 200. */
  static ServerProcess start(Path home) {
    return start(home, freePort());
  }

  /** Starts a server on {@code home} and {@code port} and waits until it is ready. */
  static ServerProcess start(Path home, int port) {
    return launch(home, "127.0.0.1", port, List.of("--home", home.toString(), "--port", Integer.toString(port)),
        Map.of()).ready();
  }

  /**
   * Starts a server on {@code home} and a free port with more program arguments (say {@code --host 0.0.0.0}) and
   * environment variables, and waits until it is ready. The test reaches it on 127.0.0.1 whatever it binds to.
   */
  static ServerProcess start(Path home, List<String> moreArgs, Map<String, String> env) {
    int port = freePort();
    var args = new ArrayList<>(List.of("--home", home.toString(), "--port", Integer.toString(port)));
    args.addAll(moreArgs);
    return launch(home, "127.0.0.1", port, args, env).ready();
  }

  /**
   * Launches the jar without waiting for anything. The log lives beside {@code home} (not inside it, so scanning
   * the home for secrets and scanning the log are separate checks).
   *
   * @param host the address the test expects the server on, for {@link #http()}
   * @param args the program arguments
   * @param env extra environment variables; any OTTERBOT_* or LMSTUDIO_* variables of the test JVM are removed
   */
  static ServerProcess launch(Path home, String host, int port, List<String> args, Map<String, String> env) {
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@" + jvmOptions());
    command.add("-Djava.io.tmpdir=" + temporaryDirectory(home));
    cdsArchive().ifPresent(archive -> command.add("-XX:SharedArchiveFile=" + archive));
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return launch(command, home, host, port, env);
  }

  /**
   * Starts the server as the README does, with the start script beside {@link #jvmOptions()}, on a free port, and
   * waits until it is ready. The script runs the test JVM's Java ({@code JAVA_HOME}).
   */
  static ServerProcess startWithScript(Path home) {
    int port = freePort();
    Path script = jvmOptions().resolveSibling("otterbot");
    var command = List.of(script.toString(), "--home", home.toString(), "--port", Integer.toString(port));
    // The script makes the JVM's temporary directory under TMPDIR (<TMPDIR>/otterbot-<uid>/<pid>).
    return launch(command, home, "127.0.0.1", port, Map.of("JAVA_HOME", System.getProperty("java.home"),
        "TMPDIR", temporaryDirectory(home).toString())).ready();
  }

  /**
   * The server's temporary directory (for the start script, its {@code TMPDIR}): beside the home, in the test's own
   * directory, instead of the machine's {@code /tmp}. bnd's launcher extracts its runpath jars and the framework cache
   * there and removes them only in a shutdown hook, which a {@code kill -9} skips (~160 MB each time, README "Side by
   * side"); the tests that kill the server that way left ~650 MB in {@code /tmp} per run. JUnit deletes the test's
   * directory, and with it these.
   */
  static Path temporaryDirectory(Path home) {
    Path dir = home.toAbsolutePath().resolveSibling(home.getFileName() + "-tmp");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return dir;
  }

  private static ServerProcess launch(List<String> command, Path home, String host, int port,
      Map<String, String> env) {
    Path log = home.resolveSibling(home.getFileName() + "-server-" + LAUNCHES.incrementAndGet() + ".log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(home.getParent().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("OTTERBOT_") || k.startsWith("LMSTUDIO_"));
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      LIVE.add(process);
      process.onExit().thenRun(() -> LIVE.remove(process));
      System.out.printf("[e2e] started server pid %d on %s:%d, home %s, log %s%n", process.pid(), host, port, home, log);
      return new ServerProcess(process, home, host, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** This server once it is ready; stopped (and the failure rethrown) when it does not get there. */
  private ServerProcess ready() {
    try {
      awaitReady();
    } catch (Throwable failure) {
      close();
      throw failure;
    }
    return this;
  }

  /** Polls {@code GET /api/health} every 50 ms until it answers 200; fails with the log tail otherwise. */
  void awaitReady() {
    Duration timeout = readinessFailedBefore ? READY_TIMEOUT_AFTER_FAILURE : READY_TIMEOUT;
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    Http.Response last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("the server exited with code " + process.exitValue() + " before it was ready\n" + logTail());
      }
      try {
        last = http.get("/api/health");
        if (last.status() == 200) {
          System.out.printf("[e2e] server pid %d ready after %d ms%n", pid(), (System.nanoTime() - start) / 1_000_000);
          return;
        }
      } catch (RuntimeException e) {
        lastError = e;
      }
      pause(50);
    }
    readinessFailedBefore = true;
    fail("the server did not answer GET /api/health with 200 within " + timeout.toSeconds() + " s; last answer: "
        + (last != null ? last : lastError) + "\n" + logTail());
  }

  /**
   * Asks the server to stop (SIGTERM) and waits up to 15 s; only then kills it. Returns how long the orderly part
   * took; {@link #wasForced()} tells whether the kill was needed.
   */
  Duration stop() {
    if (stopTime != null) {
      return stopTime;
    }
    long start = System.nanoTime();
    process.destroy();
    boolean exited = waitFor(STOP_TIMEOUT);
    stopTime = Duration.ofNanos(System.nanoTime() - start);
    if (!exited) {
      forced = true;
      System.out.printf("[e2e] server pid %d ignored SIGTERM for %d s: killing it%n", pid(), STOP_TIMEOUT.toSeconds());
      process.destroyForcibly();
      waitFor(STOP_TIMEOUT);
    }
    System.out.printf("[e2e] server pid %d stopped in %d ms (exit code %s)%n", pid(), stopTime.toMillis(),
        process.isAlive() ? "-" : Integer.toString(process.exitValue()));
    keepLog();
    return stopTime;
  }

  /** {@code kill -9}: no shutdown hooks, no flushing. Asserts through the pid that the process is gone. */
  void kill() {
    long pid = pid();
    process.destroyForcibly();
    assertTrue(waitFor(STOP_TIMEOUT), "kill -9 of pid " + pid + " did not end it");
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    assertTrue(handle.isEmpty() || !handle.get().isAlive(), "pid " + pid + " is still alive after kill -9");
    stopTime = Duration.ZERO;
    forced = true;
    System.out.printf("[e2e] server pid %d killed with SIGKILL (exit code %d)%n", pid, process.exitValue());
    keepLog();
  }

  /** Waits for the process to end by itself (for servers that are expected to refuse to start). */
  boolean waitFor(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    } else {
      keepLog();
    }
  }

  boolean wasForced() {
    return forced;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  Path home() {
    return home;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  Path log() {
    return log;
  }

  Http http() {
    return http;
  }

  /** The whole log, as text. */
  String logText() {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** The last 60 lines of the server log, framed for an assertion message. */
  String logTail() {
    String[] lines = logText().split("\r?\n");
    int from = Math.max(0, lines.length - 60);
    var sb = new StringBuilder("----- last lines of ").append(log).append(" (pid ").append(pid())
        .append(process.isAlive() ? ", running" : ", exited " + process.exitValue()).append(") -----\n");
    for (int i = from; i < lines.length; i++) {
      sb.append(lines[i]).append('\n');
    }
    return sb.append("----- end of server log -----").toString();
  }

  /** A response plus the server log tail: what anyone debugging a failed assertion needs first. */
  String explain(Http.Response response) {
    return response + "\n" + logTail();
  }

  /**
   * Polls {@code condition} every 50 ms until it holds; fails after {@code timeout} with {@code what}, the last
   * state {@code describe} reports and the log tail. Returns how long it took.
   */
  Duration eventually(String what, Duration timeout, java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> describe) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return Duration.ofNanos(System.nanoTime() - start);
      }
      if (System.nanoTime() > deadline) {
        fail(what + " did not happen within " + timeout.toSeconds() + " s; last state: " + describe.get() + "\n" + logTail());
      }
      if (!process.isAlive()) {
        fail("the server exited with code " + process.exitValue() + " while waiting for: " + what + "\n" + logTail());
      }
      pause(50);
    }
  }

  /** Copies the log to {@code target/e2e-logs} so it survives the temporary directory. */
  private void keepLog() {
    String dir = System.getProperty("otterbot.e2e.logs");
    if (dir == null || !Files.exists(log)) {
      return;
    }
    try {
      Path target = Path.of(dir);
      Files.createDirectories(target);
      Files.copy(log, target.resolve(testClass + "-" + log.getFileName()),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      System.out.println("[e2e] cannot keep " + log + ": " + e);
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String hostForUri(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
