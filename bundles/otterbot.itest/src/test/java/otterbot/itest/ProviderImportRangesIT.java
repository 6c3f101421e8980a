package otterbot.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * The provider bundles shipped with the server import {@code otterbot.api.provider} exactly as a third-party provider
 * does: with the consumer range {@code [1.x,2)}, so a minor release of the API (a method added to a
 * {@code @ProviderType} such as {@code ChatSink}) keeps every one of them resolvable. bnd gives the narrow provider range
 * {@code [1.x,1.x+1)} to a bundle with a class that implements a {@code @ProviderType} of the package, which a provider
 * must not do (the embedded {@code otterbot.provider.support.GuardedSink} wraps the server's sink for that reason).
 *
 * <p>Reads the built jars (test.bndrun passes their paths), so the providers the framework here does not run are
 * checked too.
 */
class ProviderImportRangesIT {
  /** Every provider of the distribution (otterbot.feature.providers) and the example a third party starts from. */
  static final Set<String> PROVIDERS = Set.of("otterbot.provider.builtin", "otterbot.provider.minilm",
      "otterbot.provider.openai", "otterbot.provider.anthropic", "otterbot.provider.lmstudio",
      "otterbot.provider.ollama", "otterbot.provider.openaicompat", "otterbot.provider.example");

  @Test
  void everyBundledProviderImportsTheProviderApiWithTheConsumerRange() throws IOException {
    String jars = System.getProperty("otterbot.itest.providers");
    assertTrue(jars != null && !jars.isBlank(), "test.bndrun passes the provider jars");
    Set<String> seen = new TreeSet<>();
    List<String> wrong = new ArrayList<>();
    for (String path : jars.split("\\|")) {
      File jar = new File(path.strip());
      assertTrue(jar.isFile(), "the provider jar exists: " + jar);
      try (JarFile file = new JarFile(jar)) {
        Attributes main = file.getManifest().getMainAttributes();
        String bsn = main.getValue("Bundle-SymbolicName").split(";")[0].strip();
        seen.add(bsn);
        String range = importedVersion(main.getValue("Import-Package"), "otterbot.api.provider");
        if (range == null || !isConsumerRange(new VersionRange(range))) {
          wrong.add(bsn + " imports otterbot.api.provider;version=\"" + range + "\"");
        }
      }
    }
    assertEquals(new TreeSet<>(PROVIDERS), seen, "every provider bundle is checked");
    assertTrue(wrong.isEmpty(), "expected [1.x,2) for every provider: " + wrong);
  }

  @Test
  void theCheckTellsTheRangesApart() {
    assertTrue(isConsumerRange(new VersionRange("[1.1,2)")));
    assertTrue(isConsumerRange(new VersionRange("[1.0.0,2.0.0)")));
    assertTrue(!isConsumerRange(new VersionRange("[1.1,1.2)")), "the provider range");
    assertTrue(!isConsumerRange(new VersionRange("[1.1,3)")));
    assertTrue(!isConsumerRange(new VersionRange("1.1")), "no upper bound");
    assertEquals("[1.1,2)", importedVersion(
        "com.fasterxml.jackson.core;version=\"[2.18,3)\",otterbot.api.provider;version=\"[1.1,2)\"",
        "otterbot.api.provider"));
    assertEquals(null, importedVersion("otterbot.api.provider.x;version=\"[1.0,2)\"", "otterbot.api.provider"));
  }

  /** {@code [1.x,2)}: from some 1.x on, up to but excluding the next major version. */
  static boolean isConsumerRange(VersionRange range) {
    Version right = range.getRight();
    return range.getLeftType() == VersionRange.LEFT_CLOSED && range.getLeft().getMajor() == 1
        && right != null && range.getRightType() == VersionRange.RIGHT_OPEN && right.equals(new Version(2, 0, 0));
  }

  /** The version attribute of one package's clause in an Import-Package header, or null when it is not imported. */
  static String importedVersion(String importPackage, String packageName) {
    if (importPackage == null) {
      return null;
    }
    // Clauses are separated by commas outside quotes (a version range has one inside its quotes).
    for (String clause : importPackage.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
      String[] parts = clause.strip().split(";");
      if (parts[0].strip().equals(packageName)) {
        Matcher version = Pattern.compile("version=\"([^\"]*)\"").matcher(clause);
        return version.find() ? version.group(1) : null;
      }
    }
    return null;
  }
}
