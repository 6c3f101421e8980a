package otterbot.assets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.asset.AssetFile;

/** The home directory's pack: live listing, hidden files, and links that would leave the directory. */
class HomeAssetPackTest {
  @TempDir
  Path tmp;

  static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  static boolean canLink(Path dir) {
    try {
      Path probe = dir.resolve("probe-link");
      Files.createSymbolicLink(probe, dir);
      Files.delete(probe);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  @Test
  void aMissingDirectoryListsNothingAndAppearsWhenCreated() throws IOException {
    var pack = new HomeAssetPack(tmp.resolve("assets"));
    assertEquals(List.of(), pack.paths());
    write(tmp.resolve("assets/workers/x/characters/X.glb"), "glb");
    pack.rescan();
    assertEquals(List.of("workers/x/characters/X.glb"), pack.paths());
  }

  @Test
  void hiddenFilesAndDirectoriesAreIgnored() throws IOException {
    Path root = tmp.resolve("assets");
    write(root.resolve("workers/x/characters/X.glb"), "glb");
    write(root.resolve("workers/x/.DS_Store"), "junk");
    write(root.resolve(".git/config"), "secret");
    var pack = new HomeAssetPack(root);
    assertEquals(List.of("workers/x/characters/X.glb"), pack.paths());
    assertFalse(pack.file(".git/config").isPresent());
    assertFalse(pack.file("workers/x/.DS_Store").isPresent());
  }

  @Test
  void linksOutOfTheDirectoryAreNeitherListedNorServed() throws IOException {
    assumeTrue(canLink(tmp), "symbolic links are not available here");
    Path root = tmp.resolve("assets");
    write(root.resolve("workers/x/characters/X.glb"), "glb");
    write(tmp.resolve("outside/secret.txt"), "secret");
    Files.createSymbolicLink(root.resolve("workers/x/characters/Leak.glb"), tmp.resolve("outside/secret.txt"));
    Files.createSymbolicLink(root.resolve("outside-dir"), tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("inside.glb"), root.resolve("workers/x/characters/X.glb"));
    var pack = new HomeAssetPack(root);
    assertEquals(List.of("inside.glb", "workers/x/characters/X.glb"), pack.paths().stream().sorted().toList());
    assertFalse(pack.file("workers/x/characters/Leak.glb").isPresent());
    assertFalse(pack.file("outside-dir/secret.txt").isPresent());
    assertTrue(pack.file("inside.glb").isPresent(), "a link that stays inside is fine");
  }

  @Test
  void aFileThatBecomesALinkOutIsRefusedOnOpen() throws IOException {
    assumeTrue(canLink(tmp), "symbolic links are not available here");
    Path root = tmp.resolve("assets");
    Path file = root.resolve("a.glb");
    write(file, "glb");
    write(tmp.resolve("secret.txt"), "secret");
    var pack = new HomeAssetPack(root);
    AssetFile found = pack.file("a.glb").orElseThrow();
    Files.delete(file);
    Files.createSymbolicLink(file, tmp.resolve("secret.txt"));
    assertThrows(IOException.class, found::open);
  }

  @Test
  void aFileCopiedInIsListedAfterTheShortCache() throws IOException {
    Path root = tmp.resolve("assets");
    write(root.resolve("scenes/a.json"), "{}");
    var pack = new HomeAssetPack(root);
    assertEquals(List.of("scenes/a.json"), pack.paths());
    write(root.resolve("scenes/b.json"), "{}");
    pack.rescan(); // what RESCAN_MILLIS later does on its own
    assertEquals(List.of("scenes/a.json", "scenes/b.json"), pack.paths().stream().sorted().toList());
    assertEquals(2, pack.file("scenes/b.json").orElseThrow().size());
  }
}
