package otterbot.assetpack.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import otterbot.testsupport.GltfAssets;

/**
 * The files in {@code src/main/resources/assets} are exactly the generator's output ({@link GltfAssets#examplePack}), so
 * the committed binaries can be reviewed as code. After changing the generator, write them again with
 * {@code mvn -o -pl bundles/otterbot.assetpack.example test -Dotterbot.assets.regenerate=true}.
 */
class CommittedAssetsTest {
  static final Path ROOT = Path.of("src/main/resources/assets");

  @Test
  void theCommittedFilesAreTheGeneratorsOutput() throws IOException {
    Map<String, byte[]> generated = GltfAssets.examplePack();
    if (Boolean.getBoolean("otterbot.assets.regenerate")) {
      write(generated);
    }
    assertEquals(new TreeSet<>(generated.keySet()), committed(), "the same files");
    for (var file : generated.entrySet()) {
      assertArrayEquals(file.getValue(), Files.readAllBytes(ROOT.resolve(file.getKey())),
          file.getKey() + " differs from the generator's output");
    }
  }

  static TreeSet<String> committed() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      var out = new TreeSet<String>();
      files.filter(Files::isRegularFile).forEach(f -> out.add(ROOT.relativize(f).toString().replace('\\', '/')));
      return out;
    }
  }

  static void write(Map<String, byte[]> files) throws IOException {
    if (Files.exists(ROOT)) {
      try (Stream<Path> old = Files.walk(ROOT)) {
        for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    for (var file : files.entrySet()) {
      Path target = ROOT.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
    }
  }
}
