package otterbot.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API is baselined against its released form (cnf/baseline) by bnd-baseline-maven-plugin in this module's
 * {@code verify} phase. These tests show that the check bites: a copy of this module with incompatible changes and no
 * version bump fails its build, naming the packages; and they cover what bnd's baselining leaves out while the bundle
 * version is 0.x: an API package that disappears.
 */
class ApiBaselineIT {
  static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
  static final Path ROOT = MODULE.resolve("../..").normalize();

  /** One line of bnd's baseline report: mismatch mark, package, type, delta, new, old, suggested version. */
  static final Pattern REPORT_LINE =
      Pattern.compile("^([* ]) (otterbot\\.api\\S*)\\s+PACKAGE\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+).*$");

  @Test
  void noPackageOfTheReleasedApiIsGone() throws IOException {
    Path baseline = baselineJar();
    Map<String, String> released = exports(baseline);
    Map<String, String> built = exports(Path.of(System.getProperty("otterbot.api.jar")));
    assertTrue(released.containsKey("otterbot.api.provider"), "the baseline exports the API: " + released);
    List<String> gone = new ArrayList<>();
    released.forEach((pkg, version) -> {
      String now = built.get(pkg);
      if (now == null || compareVersions(now, version) < 0) {
        gone.add(pkg + " " + version + " -> " + now);
      }
    });
    // bnd reports a removed package only as a bundle version problem, and it ignores those below 1.0.0.
    assertTrue(gone.isEmpty(), "removed or downgraded since the baseline " + baseline.getFileName() + ": " + gone);
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void anIncompatibleChangeWithoutAVersionBumpFailsTheBuild() throws Exception {
    Path copy = MODULE.resolve("target/baseline-check");
    deleteTree(copy);
    copyWorkspace(copy);
    Path src = copy.resolve("bundles/otterbot.api/src/main/java/otterbot/api");

    // Major for its users: a method every tool must now implement (Tool is a @ConsumerType), package still 1.0.0.
    edit(src.resolve("tool/Tool.java"), "  String parameters();\n",
        "  String parameters();\n\n  String category();\n");
    // Major: a record component removed (its accessor and the canonical constructor change), package still 1.0.0.
    edit(src.resolve("skill/CatalogEntry.java"), "String description, String pack, String requires,",
        "String description, String requires,");
    // Minor, and said so: a method added to a @ProviderType (only the server implements it), package 1.0.0 -> 1.1.0.
    edit(src.resolve("memory/MemoryService.java"), "  UserProfile profile(String agentId);\n",
        "  UserProfile profile(String agentId);\n\n  int count(String agentId);\n");
    edit(src.resolve("memory/package-info.java"), "@Version(\"1.0.0\")", "@Version(\"1.1.0\")");

    Path log = copy.resolve("build.log");
    int exit = maven(copy, log, "verify");
    String output = Files.readString(log, StandardCharsets.UTF_8);

    assertNotEquals(0, exit, "the build fails:\n" + output);
    Path report = copy.resolve("bundles/otterbot.api/target/baseline")
        .resolve("otterbot.api-" + projectVersion() + ".txt");
    assertTrue(Files.isRegularFile(report), "the baseline ran and wrote its report (so nothing else failed first):\n"
        + output);
    Map<String, String[]> lines = reportLines(Files.readString(report, StandardCharsets.UTF_8));
    assertEquals("* MAJOR 1.0.0 1.0.0 2.0.0", String.join(" ", lines.get("otterbot.api.tool")), "Tool");
    assertEquals("* MAJOR 1.0.0 1.0.0 2.0.0", String.join(" ", lines.get("otterbot.api.skill")), "CatalogEntry");
    assertEquals("  MINOR 1.1.0 1.0.0 ok", String.join(" ", lines.get("otterbot.api.memory")), "MemoryService");
    lines.forEach((pkg, line) -> {
      if (!List.of("otterbot.api.tool", "otterbot.api.skill", "otterbot.api.memory").contains(pkg)) {
        // Untouched by the edits above: as the checkout has it compared with the baseline (unchanged, or changed and
        // versioned since, e.g. a package added after the release), never in error.
        assertEquals("", line[0].strip(), pkg + " is not in error: " + String.join(" ", line));
      }
    });
    assertTrue(output.contains("Baseline problems detected"), "Maven says why:\n" + output);
  }

  /** The jar of the baseline release in the committed repository. */
  static Path baselineJar() {
    String version = System.getProperty("otterbot.api.baseline");
    Path jar = ROOT.resolve("cnf/baseline/otterbot/otterbot.api").resolve(version)
        .resolve("otterbot.api-" + version + ".jar");
    assertTrue(Files.isRegularFile(jar), "the baseline is committed: " + jar);
    return jar;
  }

  /** Export-Package of a bundle: package to version. */
  static Map<String, String> exports(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      String header = file.getManifest().getMainAttributes().getValue("Export-Package");
      Map<String, String> exports = new TreeMap<>();
      // Clauses are separated by commas outside quotes (a uses directive has some inside its quotes).
      for (String clause : header.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
        Matcher version = Pattern.compile("version=\"?([0-9.]+[^\";]*)").matcher(clause);
        exports.put(clause.split(";")[0].strip(), version.find() ? version.group(1) : "0.0.0");
      }
      return exports;
    }
  }

  /** Package to {mark, delta, new, old, suggested}, from the report's package table. */
  static Map<String, String[]> reportLines(String report) {
    Map<String, String[]> lines = new TreeMap<>();
    for (String line : report.split("\n")) {
      Matcher m = REPORT_LINE.matcher(line);
      if (m.matches()) {
        lines.put(m.group(2), new String[] {m.group(1), m.group(3), m.group(4), m.group(5), m.group(6)});
      }
    }
    return lines;
  }

  /** What the module's build needs of the workspace: the parent pom, the bnd files, cnf/ and the module's sources. */
  static void copyWorkspace(Path copy) throws IOException {
    Files.createDirectories(copy.resolve("bundles/otterbot.api"));
    Files.copy(ROOT.resolve("pom.xml"), copy.resolve("pom.xml"));
    Files.copy(ROOT.resolve("bnd.bnd"), copy.resolve("bnd.bnd"));
    copyTree(ROOT.resolve(".mvn"), copy.resolve(".mvn"));
    copyTree(ROOT.resolve("cnf"), copy.resolve("cnf"));
    Files.copy(MODULE.resolve("pom.xml"), copy.resolve("bundles/otterbot.api/pom.xml"));
    copyTree(MODULE.resolve("src/main"), copy.resolve("bundles/otterbot.api/src/main"));
  }

  /**
   * Runs this Maven on the copy's API module with the same local repository, offline: this build has just resolved
   * every plugin and dependency the module needs.
   */
  static int maven(Path copy, Path log, String phase) throws IOException, InterruptedException {
    String home = System.getProperty("maven.home");
    assertTrue(home != null && new File(home, "bin/mvn").isFile(), "maven.home is passed by failsafe: " + home);
    List<String> command = List.of(new File(home, "bin/mvn").getPath(), "-B", "-o", "-ntp",
        "-Dmaven.repo.local=" + System.getProperty("otterbot.maven.repo.local"), "-DskipTests",
        "-f", "bundles/otterbot.api/pom.xml", phase);
    Process process = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(8, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw new AssertionError("the nested build did not finish in 8 minutes");
    }
    return process.exitValue();
  }

  /** Compares OSGi versions by major, minor and micro (the API's package versions have no qualifier). */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < 3; i++) {
      int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  static String projectVersion() throws IOException {
    Matcher m = Pattern.compile("<artifactId>otterbot</artifactId><version>([^<]+)</version>")
        .matcher(Files.readString(MODULE.resolve("pom.xml")));
    assertTrue(m.find(), "the parent version");
    return m.group(1);
  }

  static void edit(Path file, String from, String to) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.contains(from), file + " still contains: " + from);
    Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
  }

  static void copyTree(Path from, Path to) throws IOException {
    if (!Files.exists(from)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted((a, b) -> b.compareTo(a))::iterator) {
        Files.delete(path);
      }
    }
  }
}
