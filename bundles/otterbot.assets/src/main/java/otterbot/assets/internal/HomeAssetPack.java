package otterbot.assets.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetPack;
import otterbot.api.runtime.ServerEnvironment;

/**
 * The pack of the home directory's {@code assets/} (upstream's {@code ASSETS_DIR}), for users who copy files in. It
 * ranks above every bundle's pack, so a user overrides a bundled model pack by copying their own of the same id.
 *
 * <p>Scanned live: a listing older than {@link #RESCAN_MILLIS} is read again, so a file copied in shows on a request
 * a moment later without a restart, and a burst of requests costs one scan. Hidden files and directories are
 * ignored; a symbolic link is followed only while its target stays inside the directory (checked by real path when
 * listing and again when a file is opened). A missing directory is logged once and simply lists nothing.
 */
@Component(service = AssetPack.class, configurationPid = AssetsConfiguration.PID,
    property = {AssetPack.NAME + "=" + HomeAssetPack.NAME, Constants.SERVICE_RANKING + ":Integer=1000"})
@Designate(ocd = AssetsConfiguration.class)
public final class HomeAssetPack implements AssetPack {
  static final String NAME = "home";
  static final long RESCAN_MILLIS = 1000;
  /** Directory depth scanned; upstream's deepest path is workers/<pack>/Animations/gltf/<rig>/<file>. */
  static final int MAX_DEPTH = 12;
  private static final Logger LOG = LoggerFactory.getLogger(HomeAssetPack.class);

  private final Path root;
  private final Object lock = new Object();
  private List<String> listing = List.of(); // guarded by lock
  private long scannedAt = Long.MIN_VALUE; // guarded by lock, System.nanoTime() / 1e6
  private boolean missingLogged; // guarded by lock
  private boolean cutLogged; // guarded by lock

  @Activate
  public HomeAssetPack(@Reference ServerEnvironment environment, AssetsConfiguration config) {
    this(environment.home().resolve(config.directory()).toAbsolutePath().normalize());
  }

  HomeAssetPack(Path root) {
    this.root = root;
  }

  @Override
  public String name() {
    return NAME;
  }

  Path root() {
    return root;
  }

  @Override
  public List<String> paths() {
    synchronized (lock) {
      long now = System.nanoTime() / 1_000_000;
      if (scannedAt == Long.MIN_VALUE || now - scannedAt >= RESCAN_MILLIS) {
        listing = scan();
        scannedAt = now;
      }
      return listing;
    }
  }

  /** Forgets the listing, so the next {@link #paths()} scans (tests). */
  void rescan() {
    synchronized (lock) {
      scannedAt = Long.MIN_VALUE;
    }
  }

  private List<String> scan() {
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      if (!missingLogged) {
        missingLogged = true;
        LOG.warn("The assets directory {} does not exist; only asset bundles are listed until it does", root);
      }
      return List.of();
    }
    missingLogged = false;
    var out = new ArrayList<String>();
    try {
      Files.walkFileTree(real, EnumSet.of(FileVisitOption.FOLLOW_LINKS), MAX_DEPTH, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
          if (!dir.equals(real) && (hidden(dir) || !dir.toRealPath().startsWith(real))) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          if (!attrs.isRegularFile() || hidden(file) || !file.toRealPath().startsWith(real)) {
            return FileVisitResult.CONTINUE;
          }
          if (out.size() >= AssetPaths.MAX_PATHS_PER_PACK) {
            return FileVisitResult.TERMINATE;
          }
          String relative = relative(real, file);
          if (AssetPaths.isSafe(relative)) {
            out.add(relative);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          if (!(e instanceof FileSystemLoopException)) {
            LOG.debug("Cannot read {}: {}", file, e.toString());
          }
          return FileVisitResult.CONTINUE; // a dangling link, a file removed while we looked, a loop
        }
      });
    } catch (IOException e) {
      LOG.debug("Cannot scan {}: {}", real, e.toString());
    }
    if (out.size() >= AssetPaths.MAX_PATHS_PER_PACK && !cutLogged) {
      cutLogged = true;
      LOG.warn("The assets directory {} holds more than {} files; the rest are ignored", root,
          AssetPaths.MAX_PATHS_PER_PACK);
    }
    return List.copyOf(out);
  }

  private static boolean hidden(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static String relative(Path root, Path file) {
    var out = new StringBuilder();
    for (Path part : root.relativize(file)) {
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  @Override
  public Optional<AssetFile> file(String path) {
    if (!AssetPaths.isSafe(path) || AssetPaths.isHidden(path)) {
      return Optional.empty();
    }
    try {
      Path real = inside(path);
      if (real == null) {
        return Optional.empty();
      }
      BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class);
      if (!attrs.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(new HomeFile(path, attrs.size(), attrs.lastModifiedTime().toMillis()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The real path of {@code path} when it exists and stays inside the directory (links resolved), else null. */
  private Path inside(String path) throws IOException {
    Path real = root.toRealPath();
    Path file = real.resolve(path).toRealPath();
    return file.startsWith(real) ? file : null;
  }

  /** A file of the directory; opening resolves and checks its real path again (it may have become a link). */
  private final class HomeFile implements AssetFile {
    private final String path;
    private final long size;
    private final long lastModified;

    HomeFile(String path, long size, long lastModified) {
      this.path = path;
      this.size = size;
      this.lastModified = lastModified;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public long lastModified() {
      return lastModified;
    }

    @Override
    public InputStream open() throws IOException {
      Path real = inside(path);
      if (real == null) {
        throw new IOException("no longer inside the assets directory: " + path);
      }
      return Files.newInputStream(real);
    }
  }
}
