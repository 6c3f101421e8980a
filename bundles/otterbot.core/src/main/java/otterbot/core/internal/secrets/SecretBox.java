package otterbot.core.internal.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.runtime.ServerEnvironment;

/**
 * Encrypts secret values for storage with AES-256-GCM: a fresh random 96-bit nonce per value, 128-bit tag, and
 * associated data naming the row the value belongs to ({@link #row}), so a sealed value copied into another row (another
 * agent's credential, another provider's key) fails to open instead of being used there. The key lives outside the
 * database: in {@code OTTERBOT_SECRET_KEY} (base64 of 32 bytes) or in a key file created on first start with
 * owner-only permissions. Stored form: {@code v2:<base64(nonce || ciphertext || tag)>}; {@code v1:} values (sealed
 * before rows were bound, without associated data) are still opened, and their owners re-seal them at once.
 *
 * <p>One instance per server (a component of this bundle), so the key file is created exactly once even though the
 * settings and the credentials both seal values.
 */
@Component(service = SecretBox.class)
public final class SecretBox {
  static final String PREFIX = "v2:";
  /** Values sealed without associated data, by releases before the rows were bound. */
  static final String LEGACY_PREFIX = "v1:";
  static final String KEY_FILE = "secret.key";
  private static final Logger LOG = LoggerFactory.getLogger(SecretBox.class);
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  @Activate
  public SecretBox(@Reference ServerEnvironment env) throws IOException {
    this(read(System.getenv("OTTERBOT_SECRET_KEY"), env.home().resolve(KEY_FILE)));
  }

  SecretBox(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("the secret key must be 32 bytes (base64 of 32 random bytes)");
    }
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The key from {@code envKey} when given, else from {@code keyFile}, which is created (mode 0600) with a random key
   * when missing.
   *
   * @throws IllegalStateException when the key file can be read by others than its owner
   */
  public static SecretBox open(String envKey, Path keyFile) throws IOException {
    return new SecretBox(read(envKey, keyFile));
  }

  /**
   * The associated data for a value stored in {@code table} for {@code owner} under {@code name}, e.g.
   * {@code row("agent_secrets", "coo", "OPENAI_API_KEY")}. NUL separates the parts: none of them can contain it.
   */
  public static String row(String table, String owner, String name) {
    return table + '\0' + owner + '\0' + name;
  }

  private static byte[] read(String envKey, Path keyFile) throws IOException {
    if (envKey != null && !envKey.isBlank()) {
      try {
        return Base64.getDecoder().decode(envKey.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("OTTERBOT_SECRET_KEY must be base64 of 32 random bytes");
      }
    }
    if (!Files.exists(keyFile)) {
      create(keyFile);
    }
    checkOwnerOnly(keyFile);
    String text = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key file " + keyFile + " does not hold base64 of 32 bytes");
    }
  }

  /**
   * Writes a fresh key into a 0600 temporary file beside {@code keyFile}, forces it to disk, then links it into place:
   * a crash leaves either no key file or a complete one (never an empty one that a restart would trust), and a
   * concurrent start that won the race keeps its key (linking never replaces).
   */
  private static void create(Path keyFile) throws IOException {
    byte[] fresh = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(fresh);
    byte[] text = (Base64.getEncoder().encodeToString(fresh) + "\n").getBytes(StandardCharsets.US_ASCII);
    Path dir = keyFile.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, ".secret-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } catch (UnsupportedOperationException noPosix) {
      tmp = Files.createTempFile(dir, ".secret-", ".tmp");
    }
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(text));
        channel.force(true);
      }
      try {
        Files.createLink(keyFile, tmp);
      } catch (FileAlreadyExistsException raced) {
        return; // another start won the race; use its key
      } catch (UnsupportedOperationException noLinks) {
        Files.move(tmp, keyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      forceDirectory(dir);
      LOG.info("Created the secret key file {} (mode 0600); keep it: without it the stored secrets cannot be opened",
          keyFile);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the new directory entry durable too; not every file system lets a directory be opened, which is fine. */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not sync directory {}: {}", dir, e.toString());
    }
  }

  private static void checkOwnerOnly(Path keyFile) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(keyFile);
    } catch (UnsupportedOperationException noPosix) {
      return;
    }
    if (!OWNER_ONLY.containsAll(permissions)) {
      throw new IllegalStateException("the secret key file " + keyFile + " is readable or writable by others (mode "
          + PosixFilePermissions.toString(permissions) + "); restrict it with: chmod 600 " + keyFile);
    }
  }

  /** Seals {@code plain} for the row {@code aad} names (see {@link #row}). */
  public String encrypt(String plain, String aad) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  /**
   * Opens a value sealed for the row {@code aad} names.
   *
   * @throws IllegalStateException when the value was sealed with another key or for another row, or tampered with
   */
  public String decrypt(String stored, String aad) {
    boolean legacy = stored.startsWith(LEGACY_PREFIX);
    if (!legacy && !stored.startsWith(PREFIX)) {
      throw new IllegalStateException("not an encrypted value");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      if (!legacy) {
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      }
      return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // Never include the value in the message.
      throw new IllegalStateException("a stored secret cannot be decrypted with the current key");
    }
  }

  /** Whether {@code stored} was sealed without a row binding and should be sealed again. */
  public static boolean isLegacy(String stored) {
    return stored != null && stored.startsWith(LEGACY_PREFIX);
  }
}
