import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import com.sun.tools.attach.VirtualMachine;

/**
 * Writes the class-data-sharing archive the start script hands to the JVM (issue 12, start-up).
 *
 * <p>Run by the build after the jar is exported: {@code java CdsArchive.java JAR JVM_OPTIONS ARCHIVE}. It starts the
 * jar once, as the start script does, on a fresh home in {@code target/} and a free loopback port, with
 * {@code -XX:ArchiveClassesAtExit}; asks a few REST calls and a Socket.IO handshake so the request path's classes are
 * loaded too; then stops it with SIGTERM, and the JVM writes every class it loaded and linked (the framework's and the
 * bundles' alike: the JVM matches a bundle's class by its name, size and checksum, not by where the bundle's jar is)
 * into the archive. The next start maps those classes instead of parsing and verifying them again.
 *
 * <p>Before the stop it links the classes of the bundles and the launcher (see {@link LinkAgent}): JDK 17's dump leaves
 * out every class that was loaded but never linked, and for class loaders other than the JDK's own it does not link
 * them itself. Those are mostly the classes the verifier loads to check another class (exception types, argument
 * types), and a start loads each of them again, from its bundle's jar, for the same check.
 *
 * <p>Why at build time: JDK 17 cannot create the archive on the fly (that came in JDK 19), and an archive only fits
 * the JVM that wrote it and the jar it was written for; both are the ones the build just used. A JVM that finds a
 * mismatch says so in one warning line and starts without it. A failure here never fails the build: the server starts
 * without the archive, only more slowly, and this says why.
 */
public final class CdsArchive {
  private static final Duration START_LIMIT = Duration.ofSeconds(120);
  private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: CdsArchive JAR JVM_OPTIONS ARCHIVE");
    }
    Path jar = Path.of(args[0]).toAbsolutePath().normalize();
    Path options = Path.of(args[1]).toAbsolutePath().normalize();
    Path archive = Path.of(args[2]).toAbsolutePath().normalize();
    try {
      if (fits(jar, options, archive)) {
        System.out.println("[INFO] Class-data-sharing archive " + archive + " fits this jar and JVM; kept");
        return;
      }
      long started = System.nanoTime();
      long bytes = write(jar, options, archive);
      System.out.printf("[INFO] Class-data-sharing archive %s (%,d KiB) written in %.1f s%n", archive, bytes / 1024,
          (System.nanoTime() - started) / 1e9);
    } catch (Exception e) {
      // Never fails the build: without the archive the server starts as before, only more slowly.
      Files.deleteIfExists(archive);
      System.out.println("[WARNING] No class-data-sharing archive for " + jar + ": " + e.getMessage()
          + "; the server starts without it (more slowly)");
    }
  }

  /**
   * Whether the JVM maps the archive for this jar and these settings: with {@code -Xshare:on} it refuses to start
   * otherwise, and loading the jar's main class ({@code --dry-run}) makes it compare the jar with the one the archive
   * was written for (its size and time; bnd gives the exported jar the time of its newest bundle, which can be older
   * than the archive, so comparing times here would not do).
   */
  private static boolean fits(Path jar, Path options, Path archive) throws Exception {
    if (!Files.isRegularFile(archive)) {
      return false;
    }
    String main;
    try (JarFile file = new JarFile(jar.toFile())) {
      main = file.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
    }
    Process check = new ProcessBuilder(java(), "@" + options, "-XX:SharedArchiveFile=" + archive, "-Xshare:on",
        "-cp", jar.toString(), "--dry-run", main).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!check.waitFor(60, TimeUnit.SECONDS)) {
      check.destroyForcibly();
      return false;
    }
    return check.exitValue() == 0;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static long write(Path jar, Path options, Path archive) throws Exception {
    Path work = archive.resolveSibling("cds-training");
    deleteTree(work);
    Files.createDirectories(work);
    Path partial = work.resolve("partial.jsa");
    Path log = archive.resolveSibling("cds-training.log");
    int port = freePort();
    List<String> command = List.of(java(),
        "@" + options, "-XX:ArchiveClassesAtExit=" + partial,
        // The dump lists every class it leaves out (those loaded but never linked); the log keeps the summary.
        "-Xlog:cds=off", "-Xlog:cds+dynamic=info",
        "-jar", jar.toString(), "--home", work.resolve("home").toString(), "--port", Integer.toString(port));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // The server's defaults only: the builder's own settings (an API token, a host, a provider URL) would change what
    // the training start loads, or keep its REST calls out.
    builder.environment().keySet().removeIf(k -> k.startsWith("OTTERBOT_") || k.startsWith("LMSTUDIO_"));
    Process server = builder.start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = "http://127.0.0.1:" + port;
      awaitReady(http, base, server, log);
      for (String path : List.of("/api/health", "/api/agents", "/api/agents/coo", "/api/settings/global",
          "/api/setup-state", "/api/bus/messages", "/socket.io/?EIO=4&transport=polling")) {
        get(http, base + path);
      }
      link(server, work, log);
      server.destroy(); // SIGTERM: the server stops cleanly and the JVM writes the archive as it exits
      if (!server.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("the training server did not stop within " + STOP_LIMIT.toSeconds()
            + " s (log: " + log + ")");
      }
      if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
        throw new IllegalStateException("the JVM wrote no archive (log: " + log + ")");
      }
      // Moved into place whole, so a start never maps a half-written archive.
      Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return Files.size(archive);
    } finally {
      if (server.isAlive()) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      deleteTree(work);
    }
  }

  /**
   * Links the classes the training server loaded, by loading {@link LinkAgent} into it; on any failure the archive is
   * written without them, and this says so. Measured 2026-12-07 (issue 12), 8 alternating starts each on fresh homes:
   * ~1,850 more classes taken from the archive (9,359 of a start's 10,341 instead of 7,541), to the first 200 4.76 ->
   * 4.52 s (median), CPU by then 5.34 -> 5.10 s; RSS at start unchanged (184-185 MiB). Loading the agent at start-up
   * instead would need AllowArchivingWithJavaAgent, and every start that maps such an archive prints a warning;
   * attaching it later does not.
   */
  private static void link(Process server, Path work, Path log) {
    try {
      Path agent = work.resolve("cds-link-agent.jar");
      String name = LinkAgent.class.getName();
      var manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(new Attributes.Name("Agent-Class"), name);
      String entry = name.replace('.', '/') + ".class";
      try (InputStream in = CdsArchive.class.getClassLoader().getResourceAsStream(entry);
          JarOutputStream out = new JarOutputStream(Files.newOutputStream(agent), manifest)) {
        if (in == null) {
          throw new IllegalStateException("the class " + entry + " cannot be read");
        }
        out.putNextEntry(new JarEntry(entry));
        in.transferTo(out);
      }
      VirtualMachine vm = VirtualMachine.attach(Long.toString(server.pid()));
      try {
        vm.loadAgent(agent.toString()); // returns once agentmain has returned
      } finally {
        vm.detach();
      }
    } catch (Exception | LinkageError e) {
      System.out.println("[WARNING] The classes the training start loaded were not linked (" + e
          + "); the archive leaves out those it did not link (log: " + log + ")");
    }
  }

  /**
   * Loaded into the training server before it stops: links every class that a class loader other than the JDK's own
   * loaded (bundles, the framework, the launcher), once. {@link Class#getDeclaredMethods()} links its class; it also
   * loads the classes of the methods' signatures, which stay unlinked and out of the archive, as they are not loaded
   * by a start either. Nothing is initialised: no static initialiser runs.
   */
  public static final class LinkAgent {
    private LinkAgent() {}

    public static void agentmain(String args, Instrumentation instrumentation) {
      ClassLoader platform = ClassLoader.getPlatformClassLoader();
      ClassLoader system = ClassLoader.getSystemClassLoader();
      int linked = 0;
      int failed = 0;
      for (Class<?> c : instrumentation.getAllLoadedClasses()) {
        ClassLoader loader = c.getClassLoader();
        if (loader == null || loader == platform || loader == system) {
          continue; // the dump links these itself
        }
        try {
          c.getDeclaredMethods();
          linked++;
        } catch (Throwable e) {
          failed++; // a class the server could not link either (a missing optional dependency): left out, as before
        }
      }
      System.err.println("[cds] linked " + linked + " classes of bundles and the launcher for the archive"
          + (failed == 0 ? "" : ", " + failed + " could not be linked"));
    }
  }

  private static void awaitReady(HttpClient http, String base, Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException(
            "the training server exited with " + server.exitValue() + " (log: " + log + ")");
      }
      try {
        if (get(http, base + "/api/setup-state") == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // the port opens during start-up
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the training server was not ready within " + START_LIMIT.toSeconds()
        + " s (log: " + log + ")");
  }

  private static int get(HttpClient http, String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
