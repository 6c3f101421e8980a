package otterbot.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomeDirectoriesTest {
  @TempDir
  Path tmp;

  @Test
  void aNewHomeAndItsDirectoriesAreOwnerOnly() throws Exception {
    Path home = tmp.resolve("fresh/home");
    BootActivator.createOwnerOnly(home.resolve("etc"));
    BootActivator.createOwnerOnly(home.resolve("db"));
    for (Path dir : new Path[] {tmp.resolve("fresh"), home, home.resolve("etc"), home.resolve("db")}) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
    }
  }

  @Test
  void anExistingDirectoryIsLeftAsItIs() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-x---"));
    BootActivator.createOwnerOnly(shared);
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
  }

  @Test
  void aKeyFileOthersCanReadIsAProblemUnlessTheKeyComesFromTheEnvironment() throws Exception {
    Path key = Files.writeString(tmp.resolve("secret.key"), "x");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertNull(BootActivator.keyFileProblem(null, key));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    String problem = BootActivator.keyFileProblem(null, key);
    assertTrue(problem.contains("chmod 600 " + key) && problem.contains("rw-r--r--"), problem);
    assertNull(BootActivator.keyFileProblem("a2V5", key), "the file is not used");
    assertNull(BootActivator.keyFileProblem(null, tmp.resolve("missing")), "created later, 0600");
  }
}
