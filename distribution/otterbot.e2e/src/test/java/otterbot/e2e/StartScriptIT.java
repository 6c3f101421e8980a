package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's start command: {@code distribution/otterbot.app/otterbot} starts the server in one process (the script
 * execs Java, so the PID a user or a service manager holds is the server's) with the settings of jvm.options.
 */
class StartScriptIT {
  @TempDir
  Path dir;

  @Test
  void theStartScriptRunsTheServerInItsOwnProcessWithTheJvmSettingsOfJvmOptions() throws Exception {
    ServerProcess started;
    try (ServerProcess server = ServerProcess.startWithScript(dir.resolve("home"))) {
      started = server;
      assertEquals(200, server.http().get("/api/health").status());
      // /proc/<pid>/cmdline: NUL-separated arguments of the process the test started.
      List<String> cmdline = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc/" + server.pid() + "/cmdline")),
          StandardCharsets.UTF_8).split("\0"));
      assertTrue(cmdline.get(0).endsWith("/bin/java"), "the shell was replaced by java: " + cmdline);
      assertTrue(cmdline.contains("@" + ServerProcess.jvmOptions()), "the settings file is passed: " + cmdline);
      assertTrue(cmdline.contains("-jar"), cmdline.toString());
      // The settings are in force, not only on the command line.
      String flags = jcmd(server.pid(), "VM.flags");
      assertTrue(flags.contains("-XX:+UseSerialGC"), flags);
      assertTrue(flags.contains("-XX:MaxHeapSize=536870912"), flags);
      assertTrue(flags.contains("-XX:TieredStopAtLevel=1"), flags);
      // The build's class-data-sharing archive is passed and mapped: the JVM maps the JDK's own archive and this one
      // on top of it, so the mapped size is more than this archive's file. (A JVM that cannot use it says
      // "Unable to use shared archive" and starts without it: slower, and this fails.) Built with
      // -Dotterbot.cds.skip=true there is nothing to check: no archive was written (one of an earlier build may be
      // there, used only if the JVM finds it fits).
      if (!Boolean.getBoolean("otterbot.cds.skip")) {
        Path archive = ServerProcess.cdsArchive().orElseThrow(() -> new AssertionError("the build wrote no "
            + "otterbot.jsa beside " + ServerProcess.jar() + " (its log: cds-training.log beside the jar)"));
        assertTrue(cmdline.contains("-XX:SharedArchiveFile=" + archive), "the archive is passed: " + cmdline);
        String info = jcmd(server.pid(), "VM.info");
        Matcher mapped = Pattern.compile("CDS archive\\(s\\) mapped at: \\[[^)]*\\), size (\\d+)").matcher(info);
        assertTrue(mapped.find(), "no CDS archive mapped: " + info.lines().filter(l -> l.contains("CDS")).toList());
        assertTrue(Long.parseLong(mapped.group(1)) > Files.size(archive),
            "only the JDK's archive is mapped (" + mapped.group(1) + " bytes), not " + archive);
      }
      assertEquals(200, server.http().post("/api/agents", Map.of("displayName", "Stopper")).status());
      assertEquals(200, server.http().get("/api/agents").status());
    }
    // Stopped with SIGTERM: a clean start and stop log no ERROR. (A race this does not provoke: the REST whiteboard,
    // when it was stopped after the resources, could rebuild its application from components that were going away
    // and log "Service factory returned null"; seen at the end of 3 of 5 long benchmark runs.)
    List<String> errors = started.logText().lines().filter(line -> line.contains("[ERROR]")).toList();
    assertEquals(List.of(), errors, "ERROR lines in " + started.log());
    // The REST API going away at a stop reads as a stop, not as a failure to start.
    assertTrue(started.logText().contains("The REST API is no longer served: the server is stopping"),
        "the stop is logged as a stop in " + started.log());
    assertTrue(started.logText().lines().noneMatch(line -> line.contains("The REST API is no longer served: {")),
        "no readiness failure at the stop in " + started.log());
    assertTrue(Boolean.getBoolean("otterbot.cds.skip") || !started.logText().contains("Unable to use shared archive"),
        "the JVM refused the archive: " + started.log());
  }

  /**
   * Every start reads the classes of the embedded bundles out of their jars on the start-level thread; the build
   * stores them instead of deflating them (src/build/java/StoredBundles.java), and leaves each bundle whole: its
   * manifest, and every entry readable with the checksum it was written with (ZipInputStream checks a stored entry's
   * CRC when it reaches its end).
   */
  @Test
  void theEmbeddedBundlesStoreTheirClassesAndStayWhole() throws Exception {
    int bundles = 0;
    int classes = 0;
    try (JarFile jar = new JarFile(ServerProcess.jar().toFile())) {
      for (JarEntry embedded : jar.stream().filter(e -> e.getName().matches("jar/[^/]+\\.jar")).toList()) {
        try (JarInputStream in = new JarInputStream(jar.getInputStream(embedded))) {
          for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
            in.transferTo(OutputStream.nullOutputStream());
            if (entry.getName().endsWith(".class")) {
              assertEquals(ZipEntry.STORED, entry.getMethod(), embedded.getName() + " deflates " + entry.getName());
              classes++;
            }
          }
          // A bundle's manifest comes first, where the framework and JarInputStream look for it. (The runpath's
          // ONNX Runtime jar is a plain jar with its manifest elsewhere.)
          Manifest manifest = in.getManifest();
          if (manifest != null && manifest.getMainAttributes().getValue("Bundle-SymbolicName") != null) {
            bundles++;
          }
        }
      }
    }
    assertTrue(bundles > 50, bundles + " bundles");
    assertTrue(classes > 10_000, classes + " classes");
  }

  /**
   * A server started by the script keeps its temporary files (bnd's launcher unpacks its class-path jars there,
   * ~60 MB) in a directory of its own, {@code <TMPDIR>/otterbot-<uid>/<pid>}; a {@code kill -9} skips the shutdown
   * hook that deletes them, and the next start removes the directories of processes that are gone, and only those.
   */
  @Test
  void theNextStartRemovesTheTemporaryFilesOfAKilledServer() throws Exception {
    Path home = dir.resolve("home");
    Path temporary = ServerProcess.temporaryDirectory(home).resolve("otterbot-" + Files.getAttribute(dir, "unix:uid"));
    // No process has this PID (Linux allows at most 4,194,304); a name that is not a PID is not the script's to remove.
    Path gone = temporary.resolve("99999999");
    Path notPid = temporary.resolve("notes");
    Files.createDirectories(gone.resolve("osgi.fw"));
    Files.createDirectories(notPid);
    Path killed;
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      killed = temporary.resolve(Long.toString(server.pid()));
      assertFalse(Files.exists(gone), "the directory of a process that is gone is removed: " + gone);
      assertTrue(Files.isDirectory(notPid), "a directory whose name is no PID is kept");
      assertTrue(jcmd(server.pid(), "VM.system_properties").lines().anyMatch(("java.io.tmpdir=" + killed)::equals),
          "the server's temporary directory is " + killed);
      long unpacked = bytes(killed);
      assertTrue(unpacked > 10_000_000, "the launcher's class-path jars are there: " + unpacked + " bytes in "
          + killed);
      server.kill();
    }
    assertTrue(Files.isDirectory(killed), "kill -9 left " + killed);
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      assertFalse(Files.exists(killed), "the next start removed the killed server's " + killed);
      assertTrue(Files.isDirectory(temporary.resolve(Long.toString(server.pid()))));
      assertEquals(200, server.http().get("/api/agents").status());
    }
  }

  /**
   * The script keeps the framework cache in the home ({@code <home>/framework-cache}): a later start of the same jar
   * installs none of the launcher's bundles again (issue 12, start-up), a start of another jar makes a new cache, and
   * {@code deploy/} and {@code etc/} still decide at each start: a plug-in or a {@code .cfg} file deleted while the
   * server was stopped is gone, and one still there applies again.
   */
  @Test
  void theFrameworkCacheIsKeptInTheHomeForTheSameJarAndDeployAndEtcStillDecide() throws Exception {
    Path home = dir.resolve("kept");
    Path cache = home.resolve("framework-cache");
    Files.createDirectories(home.resolve("deploy"));
    Files.createDirectories(home.resolve("etc"));
    Path pack = Files.copy(HotInstallIT.packJar(), home.resolve("deploy").resolve("pack.jar"));
    // A configuration whose effect the log shows: the storage's H2 database elsewhere in the home.
    Path cfg = Files.writeString(home.resolve("etc").resolve("otterbot.persistence.jpa.cfg"),
        "url=jdbc:h2:file:" + home.resolve("elsewhere").resolve("otterbot") + "\n");
    String elsewhere = "Storage uses the H2 database jdbc:h2:file:" + home.resolve("elsewhere").resolve("otterbot");
    String usual = "Storage uses the H2 database jdbc:h2:file:" + home.resolve("db").resolve("otterbot");
    List<ServerProcess> started = new ArrayList<>();
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      started.add(server);
      server.eventually("the deployed pack's agents are listed", Duration.ofSeconds(60),
          () -> agentIds(server).containsAll(HotInstallIT.PACK_AGENTS), () -> agentIds(server).toString());
      assertTrue(server.logText().contains(elsewhere), "etc/ applies: " + server.log());
    }
    Map<String, FileTime> first = launcherBundles(cache);
    assertTrue(first.size() > 50, "the launcher's bundles are in " + cache + ": " + first.keySet());

    Files.delete(pack);
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      started.add(server);
      assertTrue(agentIds(server).stream().noneMatch(HotInstallIT.PACK_AGENTS::contains),
          "a pack deleted from deploy/ while the server was stopped is not back: " + agentIds(server));
      assertTrue(server.logText().contains(elsewhere), "the .cfg still there applies again: " + server.log());
    }
    Files.delete(cfg);
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      started.add(server);
      assertTrue(server.logText().contains(usual), "a .cfg deleted while the server was stopped no longer applies: "
          + server.log());
    }
    assertEquals(first, launcherBundles(cache), "later starts of the same jar installed none of them again");

    // As if the cache had been made from another jar (an upgrade): the script makes a new one.
    Files.writeString(cache.resolve("otterbot-jar"), "/elsewhere/otterbot.jar 1\n");
    try (ServerProcess server = ServerProcess.startWithScript(home)) {
      started.add(server);
      assertEquals(200, server.http().get("/api/agents").status());
    }
    Map<String, FileTime> renewed = launcherBundles(cache);
    assertEquals(first.keySet(), renewed.keySet());
    assertTrue(first.entrySet().stream().noneMatch(e -> e.getValue().equals(renewed.get(e.getKey()))),
        "another jar's start installed every bundle anew: " + first + " then " + renewed);
    for (ServerProcess server : started) {
      assertEquals(List.of(), server.logText().lines().filter(line -> line.contains("[ERROR]")).toList(),
          "ERROR lines in " + server.log());
    }
  }

  private static List<String> agentIds(ServerProcess server) {
    var ids = new ArrayList<String>();
    server.http().expect(server.http().get("/api/agents"), 200).forEach(agent -> ids.add(agent.path("id").asText()));
    return ids;
  }

  /**
   * The bundles bnd's launcher installed into the framework cache (their location is their path in the jar,
   * {@code jar/...}; the second line of Felix's {@code bundle.info}), each with the time its copy was written.
   */
  private static Map<String, FileTime> launcherBundles(Path cache) throws Exception {
    var bundles = new TreeMap<String, FileTime>();
    try (var dirs = Files.list(cache)) {
      for (Path bundle : dirs.filter(d -> Files.isRegularFile(d.resolve("bundle.info"))).toList()) {
        List<String> info = Files.readAllLines(bundle.resolve("bundle.info"), StandardCharsets.UTF_8);
        if (info.size() > 1 && info.get(1).startsWith("jar/")) {
          try (var copies = Files.walk(bundle)) {
            Path copy = copies.filter(f -> f.getFileName().toString().equals("bundle.jar")).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle.jar in " + bundle));
            bundles.put(info.get(1), Files.getLastModifiedTime(copy));
          }
        }
      }
    }
    return bundles;
  }

  private static long bytes(Path dir) throws Exception {
    try (var files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
