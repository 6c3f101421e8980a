package otterbot.assets.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetPack;

/** A pack held in memory: path to content. */
class MapPack implements AssetPack {
  final String name;
  final Map<String, byte[]> files = new TreeMap<>();

  MapPack(String name, String... paths) {
    this.name = name;
    for (String path : paths) {
      files.put(path, (name + ":" + path).getBytes(StandardCharsets.UTF_8));
    }
  }

  MapPack with(String path, String content) {
    files.put(path, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> paths() {
    return List.copyOf(files.keySet());
  }

  @Override
  public Optional<AssetFile> file(String path) {
    byte[] content = files.get(path);
    if (content == null) {
      return Optional.empty();
    }
    return Optional.of(new AssetFile() {
      @Override
      public String path() {
        return path;
      }

      @Override
      public long size() {
        return content.length;
      }

      @Override
      public long lastModified() {
        return 1_700_000_000_000L;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(content);
      }
    });
  }
}
