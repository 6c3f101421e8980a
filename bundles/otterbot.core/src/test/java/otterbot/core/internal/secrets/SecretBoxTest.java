package otterbot.core.internal.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
  @TempDir
  Path home;

  @Test
  void aValueSealedForOneRowDoesNotOpenInAnother() throws Exception {
    SecretBox box = SecretBox.open(null, home.resolve("secret.key"));
    String cooKey = box.encrypt("sk-coo", SecretBox.row("agent_secrets", "coo", "OPENAI_API_KEY"));
    assertEquals("sk-coo", box.decrypt(cooKey, SecretBox.row("agent_secrets", "coo", "OPENAI_API_KEY")));
    // Copied into another agent's row, or under another name, it is refused rather than used there.
    assertThrows(IllegalStateException.class,
        () -> box.decrypt(cooKey, SecretBox.row("agent_secrets", "intruder", "OPENAI_API_KEY")));
    assertThrows(IllegalStateException.class,
        () -> box.decrypt(cooKey, SecretBox.row("agent_secrets", "coo", "ANTHROPIC_API_KEY")));
    assertTrue(cooKey.startsWith("v2:"));
  }

  @Test
  void valuesSealedByEarlierReleasesStillOpenAndAreMarkedForResealing() throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String legacy = legacySeal(raw, "sk-old");
    SecretBox box = SecretBox.open(Base64.getEncoder().encodeToString(raw), home.resolve("unused"));
    assertEquals("sk-old", box.decrypt(legacy, SecretBox.row("settings", "global", "openai")));
    assertTrue(SecretBox.isLegacy(legacy));
    assertFalse(SecretBox.isLegacy(box.encrypt("sk-new", "r")));
  }

  @Test
  void theKeyFileIsCreatedOwnerOnlyWithNoTemporaryLeftBehind() throws Exception {
    Path keyFile = home.resolve("secret.key");
    SecretBox first = SecretBox.open(null, keyFile);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    assertEquals(32, Base64.getDecoder().decode(Files.readString(keyFile).trim()).length);
    try (var files = Files.list(home)) {
      assertEquals(1, files.count(), "only the key file");
    }
    // A second start reads the same key.
    String sealed = first.encrypt("x", "r");
    assertEquals("x", SecretBox.open(null, keyFile).decrypt(sealed, "r"));
  }

  @Test
  void aKeyFileOthersCanReadIsRefusedWithAClearMessage() throws Exception {
    Path keyFile = home.resolve("secret.key");
    SecretBox.open(null, keyFile);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    var e = assertThrows(IllegalStateException.class, () -> SecretBox.open(null, keyFile));
    assertTrue(e.getMessage().contains("chmod 600 " + keyFile), e.getMessage());
  }

  /** What releases before the row binding wrote: {@code v1:} + nonce, ciphertext and tag, without associated data. */
  private static String legacySeal(byte[] key, String plain) throws Exception {
    byte[] nonce = new byte[12];
    new SecureRandom().nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[nonce.length + sealed.length];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
    return "v1:" + Base64.getEncoder().encodeToString(out);
  }
}
