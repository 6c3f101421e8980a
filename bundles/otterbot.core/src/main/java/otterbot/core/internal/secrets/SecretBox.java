package otterbot.core.internal.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.runtime.ServerEnvironment;

/**
 * Encrypts secret values for storage with AES-256-GCM: a fresh random 96-bit nonce per value, 128-bit tag. The key
 * lives outside the database: in {@code OTTERBOT_SECRET_KEY} (base64 of 32 bytes) or in a key file created on first
 * start with owner-only permissions. Stored form: {@code v1:<base64(nonce || ciphertext || tag)>}.
 *
 * <p>One instance per server (a component of this bundle), so the key file is created exactly once even though the
 * settings and the credentials both seal values.
 */
@Component(service = SecretBox.class)
public final class SecretBox {
  static final String PREFIX = "v1:";
  static final String KEY_FILE = "secret.key";
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

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
   */
  public static SecretBox open(String envKey, Path keyFile) throws IOException {
    return new SecretBox(read(envKey, keyFile));
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
      byte[] fresh = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(fresh);
      try {
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        // Another start won the race; use its key.
      } catch (UnsupportedOperationException noPosix) {
        Files.writeString(keyFile, Base64.getEncoder().encodeToString(fresh) + "\n");
      }
    }
    String text = Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key file " + keyFile + " does not hold base64 of 32 bytes");
    }
  }

  public String encrypt(String plain) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  /** @throws IllegalStateException when the value was sealed with another key or tampered with */
  public String decrypt(String stored) {
    if (!stored.startsWith(PREFIX)) {
      throw new IllegalStateException("not an encrypted value");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // Never include the value in the message.
      throw new IllegalStateException("a stored secret cannot be decrypted with the current key");
    }
  }
}
