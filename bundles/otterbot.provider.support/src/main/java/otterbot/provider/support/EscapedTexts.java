package otterbot.provider.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Message texts as JSON string content (escaped UTF-8, without the quotes), kept for the texts that come again: a
 * turn's request carries the conversation's history window, so every earlier message is written again with every
 * turn (issue 12: escaping ~70 KB of history was most of a provider's {@code chat()} before the request went out).
 * Keyed by the text itself, so a conversation read back from the store hits too.
 *
 * <p>Bounded: only texts of at least {@link #MIN_CHARS} characters are kept (a short one is written as fast as it is
 * looked up), none larger than an eighth of the budget, and the least recently used go first once the kept bytes
 * exceed {@code maxBytes}. Thread-safe; the escaping itself runs outside the lock.
 */
final class EscapedTexts {
  static final int MIN_CHARS = 256;
  /** What one provider bundle keeps at most: the escaped texts (the texts themselves are mostly the turns'). */
  static final long DEFAULT_MAX_BYTES = 4L * 1024 * 1024;

  private final long maxBytes;
  /** Access-ordered; guarded by {@code this}. */
  private final LinkedHashMap<String, byte[]> kept = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  EscapedTexts(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Writes {@code text} as a JSON string value, from what is kept when it was written before. */
  void write(JsonGenerator g, String text) throws IOException {
    if (text.length() < MIN_CHARS) {
      g.writeString(text);
      return;
    }
    byte[] escaped = escaped(text);
    g.writeRawUTF8String(escaped, 0, escaped.length);
  }

  byte[] escaped(String text) {
    synchronized (this) {
      byte[] known = kept.get(text);
      if (known != null) {
        return known;
      }
    }
    byte[] escaped = escape(text);
    if (escaped.length <= maxBytes / 8) {
      synchronized (this) {
        byte[] before = kept.put(text, escaped);
        bytes += escaped.length - (before == null ? 0 : before.length);
        for (Iterator<Map.Entry<String, byte[]>> eldest = kept.entrySet().iterator();
            bytes > maxBytes && eldest.hasNext(); ) {
          bytes -= eldest.next().getValue().length;
          eldest.remove();
        }
      }
    }
    return escaped;
  }

  synchronized long keptBytes() {
    return bytes;
  }

  synchronized int keptTexts() {
    return kept.size();
  }

  /** Escaped by the same generator that writes the rest of the body, so a kept text is written to the same bytes. */
  private static byte[] escape(String text) {
    var out = new ByteArrayOutputStream(text.length() + 16);
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    byte[] quoted = out.toByteArray();
    return Arrays.copyOfRange(quoted, 1, quoted.length - 1);
  }
}
