package otterbot.api.asset;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.annotation.versioning.ConsumerType;

/** One file of an {@link AssetPack}. */
@ConsumerType
public interface AssetFile {
  /** Its relative path in the pack. */
  String path();

  /** Its length in bytes. */
  long size();

  /** When it last changed, in epoch milliseconds (0 when unknown). Part of its {@code ETag}. */
  long lastModified();

  /** Opens it for reading; the caller closes the stream. */
  InputStream open() throws IOException;
}
