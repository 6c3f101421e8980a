package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.agent.AgentProfile;

/** What a write acknowledged must still be there after the server process is killed (kill -9) right after. */
class DurabilityTest {
  private static final int ROUNDS = 5;

  @TempDir
  Path dir;

  @Test
  void acknowledgedWritesSurviveKillMinus9() throws Exception {
    List<String> expected = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      String id = "killed-" + round;
      killRightAfterCommit(id);
      expected.add(id);

      var storage = new Storage(Fixtures.h2(dir));
      try {
        assertEquals(expected, storage.loadAll().stream().map(AgentProfile::id).toList(), "round " + round);
        assertEquals(Optional.of(id), storage.get("last-saved"), "round " + round);
      } finally {
        storage.close();
      }
    }
  }

  /** Starts {@link SaveThenWait} and kills it (SIGKILL on Unix) as soon as it reports the commit. */
  static void killRightAfterCommit(Path dir, String id, String url) throws Exception {
    Path stderr = Files.createTempFile(dir.getParent(), "child-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), SaveThenWait.class.getName(), dir.toString(), id, url)
        .redirectError(stderr.toFile())
        .start();
    try {
      var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          String l;
          while ((l = reader.readLine()) != null && !l.equals("committed")) {
            // skip anything else
          }
          return l;
        } catch (java.io.IOException e) {
          return null;
        }
      }).get(60, TimeUnit.SECONDS);
      child.destroyForcibly();
      assertEquals("committed", line, () -> "child failed:\n" + read(stderr));
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      Files.deleteIfExists(stderr);
    }
  }

  private void killRightAfterCommit(String id) throws Exception {
    killRightAfterCommit(dir, id, "");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
