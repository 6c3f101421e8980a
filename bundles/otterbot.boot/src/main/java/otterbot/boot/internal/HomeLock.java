package otterbot.boot.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * One server per home: an exclusive lock on a file in it, held while the server runs and released by the operating
 * system when the process ends, however it ends.
 *
 * <p>A second server on the same home shared the first's database (H2 refused it, and that server ran on with its
 * storage unavailable and hundreds of ERROR lines), its {@code deploy/} and {@code etc/} folders and the framework
 * cache the start script keeps in the home, from which its start uninstalls the plug-ins FileInstall installed
 * ({@link BootActivator}). Felix's own lock on its cache does not stop a second framework: when it cannot take it, it
 * goes on without.
 */
final class HomeLock implements AutoCloseable {
  /** The lock file's name in the home. */
  static final String FILE = "server.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private HomeLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code home}, creating its file (owner-only) when missing; null when another process holds it
   * (or this one: a lock is per process).
   *
   * @throws IOException when the file cannot be opened or the file system cannot lock it
   */
  static HomeLock acquire(Path home) throws IOException {
    Path file = home.resolve(FILE);
    FileChannel channel = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
        ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly())
        : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      return new HomeLock(channel, lock);
    } catch (OverlappingFileLockException heldHere) {
      channel.close();
      return null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static FileAttribute<?> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }

  boolean isValid() {
    return lock.isValid();
  }

  /** Releases the lock (the file stays: removing it could let a third process lock a new file while this one waits). */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
