package otterbot.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The home's lock within one process; ConfigurationIT shows a second server process refused. */
class HomeLockTest {
  @TempDir
  Path home;

  @Test
  void aHeldLockIsNotTakenAgainAndIsFreeOnceReleased() throws Exception {
    HomeLock first = HomeLock.acquire(home);
    assertNotNull(first);
    assertTrue(first.isValid());
    assertNull(HomeLock.acquire(home), "held: a second taker gets nothing");
    first.close();
    assertFalse(first.isValid());
    try (HomeLock again = HomeLock.acquire(home)) {
      assertNotNull(again, "released: it can be taken again");
    }
  }

  @Test
  void theLockFileIsTheOwnersOnlyAndStaysAfterRelease() throws Exception {
    HomeLock.acquire(home).close();
    Path file = home.resolve(HomeLock.FILE);
    assertTrue(Files.isRegularFile(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }
}
