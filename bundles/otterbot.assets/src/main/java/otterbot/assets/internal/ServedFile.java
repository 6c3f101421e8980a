package otterbot.assets.internal;

import java.io.IOException;
import java.io.InputStream;

import otterbot.api.asset.AssetFile;

/**
 * A file as the library hands it out: the pack's file plus the name of the pack it comes from (part of the
 * {@code ETag}, so the same path from another pack is another entity) and whether that pack changes while the server
 * runs (the home directory does, bundles do not).
 */
record ServedFile(AssetFile file, String source, boolean changing) implements AssetFile {
  @Override
  public String path() {
    return file.path();
  }

  @Override
  public long size() {
    return file.size();
  }

  @Override
  public long lastModified() {
    return file.lastModified();
  }

  @Override
  public InputStream open() throws IOException {
    return file.open();
  }
}
