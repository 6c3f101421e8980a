package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokenTest {
  @TempDir
  Path home;

  @Test
  void generatedOnFirstNeedInto0600FileAndReadBackAfterwards() throws Exception {
    ApiToken first = ApiToken.resolve(null, home);
    Path file = home.resolve("token");
    assertEquals(file.toAbsolutePath().toString(), first.source());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String stored = Files.readString(file).strip();
    assertTrue(stored.matches("[A-Za-z0-9_-]{43}"), "32 random bytes, base64url without padding: " + stored);
    assertArrayEquals(stored.getBytes(StandardCharsets.UTF_8), first.bytes());
    assertTrue(Files.notExists(home.resolve("token.tmp")));

    assertArrayEquals(first.bytes(), ApiToken.resolve("  ", home).bytes(), "the same token on the next start");
  }

  @Test
  void theEnvironmentWinsOverTheFileAndNothingIsWritten() throws Exception {
    ApiToken token = ApiToken.resolve(" from-env ", home);
    assertArrayEquals("from-env".getBytes(StandardCharsets.UTF_8), token.bytes());
    assertEquals("the OTTERBOT_TOKEN environment variable", token.source());
    assertTrue(Files.notExists(home.resolve("token")));
  }

  @Test
  void aTokenFileOthersCanReadIsRefusedWithTheFix() throws Exception {
    ApiToken.resolve(null, home);
    Path file = home.resolve("token");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    var e = assertThrows(UncheckedIOException.class, () -> ApiToken.resolve(null, home));
    assertTrue(e.getMessage().contains("chmod 600 " + file.toAbsolutePath()), e.getMessage());
  }
}
