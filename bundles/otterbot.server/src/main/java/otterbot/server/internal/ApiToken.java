package otterbot.server.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API token that guards the public port when it is required (always off loopback; on loopback when
 * {@code requireToken} is set): {@code OTTERBOT_TOKEN} from the environment, else {@code <home>/token}, generated on
 * first need (32 random bytes, base64url, no padding) into a 0600 file written atomically.
 *
 * <p>The token itself is never logged; only where it comes from.
 */
public final class ApiToken {
  static final String ENV = "OTTERBOT_TOKEN";
  static final String FILE = "token";

  private static final Logger LOG = LoggerFactory.getLogger(ApiToken.class);

  private final byte[] value;
  private final String source;

  private ApiToken(String value, String source) {
    this.value = value.getBytes(StandardCharsets.UTF_8);
    this.source = source;
  }

  /** A fixed token, for tests. */
  static ApiToken of(String value) {
    return new ApiToken(value, "the test");
  }

  /** The bytes a presented token is compared with. */
  byte[] bytes() {
    return value.clone();
  }

  /** Where a user finds the token: the file's path, or the environment variable's name. */
  String source() {
    return source;
  }

  /**
   * @param environmentValue {@code OTTERBOT_TOKEN}, or null when not set
   * @throws UncheckedIOException when the token file cannot be read or written
   */
  static ApiToken resolve(String environmentValue, Path home) {
    if (environmentValue != null && !environmentValue.isBlank()) {
      LOG.info("API token: taken from the {} environment variable", ENV);
      return new ApiToken(environmentValue.strip(), "the " + ENV + " environment variable");
    }
    Path file = home.resolve(FILE).toAbsolutePath();
    try {
      String stored = read(file);
      if (stored == null) {
        stored = generate(file);
        LOG.info("API token: generated into {}", file);
      } else {
        LOG.info("API token: read from {}", file);
      }
      return new ApiToken(stored, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the API token file " + file + ": " + e.getMessage(), e);
    }
  }

  private static String read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      var permissions = Files.getPosixFilePermissions(file);
      var others = java.util.EnumSet.copyOf(permissions);
      others.remove(java.nio.file.attribute.PosixFilePermission.OWNER_READ);
      others.remove(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
      if (!others.isEmpty()) {
        // A token others can read is no secret: refuse it rather than guard the server with it.
        throw new IOException("the file is readable or writable by others (mode "
            + PosixFilePermissions.toString(permissions) + "); restrict it with: chmod 600 " + file);
      }
    } catch (UnsupportedOperationException notPosix) {
      // No POSIX permissions to check on this file system.
    }
    String stored = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (stored.isEmpty()) {
      throw new IOException("the file is empty; delete it to have a new token generated");
    }
    return stored;
  }

  /** Writes a fresh token into a 0600 temporary file, forces it to disk and moves it into place. */
  private static String generate(Path file) throws IOException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Path temp = file.resolveSibling(FILE + ".tmp");
    Files.deleteIfExists(temp);
    try {
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(temp);
    }
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.force(true);
    }
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(temp);
      return read(file); // another process was faster: use its token
    }
    return token;
  }
}
