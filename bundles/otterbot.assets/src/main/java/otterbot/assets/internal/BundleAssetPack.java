package otterbot.assets.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.Bundle;

import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetPack;

/**
 * The asset tree of a bundle: the entries under the folder its {@value AssetPack#ASSETS_HEADER} header names. A jar
 * does not change while its bundle is active, so the listing is read once; a file's time is the bundle's.
 */
final class BundleAssetPack implements AssetPack {
  private final Bundle bundle;
  private final String name;
  private final String folder;
  private final List<String> paths;
  private final Set<String> index;

  private BundleAssetPack(Bundle bundle, String name, String folder, List<String> paths) {
    this.bundle = bundle;
    this.name = name;
    this.folder = folder;
    this.paths = paths;
    this.index = Set.copyOf(paths);
  }

  /**
   * @param header the header's value, e.g. {@code assets}
   * @return empty when the header names no usable folder or the folder holds no files
   */
  static Optional<BundleAssetPack> of(Bundle bundle, String header) {
    String folder = folder(header);
    if (folder == null) {
      return Optional.empty();
    }
    Enumeration<URL> entries = bundle.findEntries(folder, "*", true);
    if (entries == null) {
      return Optional.empty();
    }
    String prefix = "/" + folder + "/";
    var paths = new TreeSet<String>();
    for (URL url : Collections.list(entries)) {
      String path = url.getPath();
      if (path.endsWith("/") || !path.startsWith(prefix)) {
        continue; // a directory
      }
      String relative = path.substring(prefix.length());
      if (AssetPaths.isSafe(relative) && !AssetPaths.isHidden(relative)) {
        paths.add(relative);
      }
      if (paths.size() > AssetPaths.MAX_PATHS_PER_PACK) {
        break; // one over: the library sees the cut and logs it
      }
    }
    if (paths.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new BundleAssetPack(bundle, bundle.getSymbolicName(), folder, List.copyOf(paths)));
  }

  /** {@code /assets/} or {@code assets} is {@code assets}; anything that could leave the bundle's root is null. */
  static String folder(String header) {
    if (header == null) {
      return null;
    }
    String folder = header.strip();
    while (folder.startsWith("/")) {
      folder = folder.substring(1);
    }
    while (folder.endsWith("/")) {
      folder = folder.substring(0, folder.length() - 1);
    }
    return AssetPaths.isSafe(folder) ? folder : null;
  }

  @Override
  public String name() {
    return name;
  }

  String folder() {
    return folder;
  }

  @Override
  public List<String> paths() {
    return paths;
  }

  @Override
  public Optional<AssetFile> file(String path) {
    if (!index.contains(path)) {
      return Optional.empty();
    }
    URL url = bundle.getEntry(folder + "/" + path);
    if (url == null) {
      return Optional.empty();
    }
    long size;
    try {
      URLConnection connection = url.openConnection();
      size = connection.getContentLengthLong();
      if (size < 0) {
        size = count(url); // not known without reading it; asset files are few and small
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    long time = bundle.getLastModified();
    long length = size;
    return Optional.of(new AssetFile() {
      @Override
      public String path() {
        return path;
      }

      @Override
      public long size() {
        return length;
      }

      @Override
      public long lastModified() {
        return time;
      }

      @Override
      public InputStream open() throws IOException {
        return url.openStream();
      }
    });
  }

  private static long count(URL url) throws IOException {
    try (InputStream in = url.openStream()) {
      return in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  @Override
  public String toString() {
    return "assets of " + name + " (" + paths.size() + " files under " + folder + "/)";
  }
}
