package otterbot.provider.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Splits a UTF-8 byte stream into lines, as {@code text/event-stream} ends them: CRLF, LF or a lone CR, also when the
 * CR and the LF of one CRLF arrive in different buffers. Lines are handed on without their terminator.
 *
 * <p>Why not the JDK's {@code BodySubscribers.fromLineSubscriber}: it decodes the stream into a character buffer and
 * assembles each line one character at a time, the largest single item in the profile of 50 streaming chats (replacing
 * it saved 8-10 % of the server's CPU per token). Here a line's bytes are found with a byte scan and decoded once: a CR
 * or LF byte never occurs inside a multi-byte UTF-8 sequence, so splitting the bytes first is exact, also when a
 * character is split between two buffers.
 *
 * <p>Bounded: a line longer than {@code maxLineBytes} is refused ({@link LineTooLong}) instead of growing a buffer
 * without end. Not thread-safe; the HTTP client delivers a body's buffers one call at a time.
 */
final class LineSplitter {
  /** A line longer than the limit arrived. */
  static final class LineTooLong extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LineTooLong(int limit) {
      super("a line of the stream is longer than " + limit + " bytes");
    }
  }

  /** The largest copy of a buffer kept between feeds (the HTTP client's buffers are 16 KiB); larger ones are one-off. */
  static final int MAX_KEPT_COPY = 64 * 1024;

  private final int maxLineBytes;
  /** The start of a line whose end has not arrived yet. */
  private byte[] partial = new byte[256];
  private int partialLength;
  /** Where a buffer without an accessible array is copied to be scanned; grows up to {@link #MAX_KEPT_COPY}. */
  private byte[] copy = new byte[0];
  /** The last byte was a CR: a LF right after it belongs to the same line end. */
  private boolean afterCr;

  LineSplitter(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Hands every line that {@code buffer} completes to {@code lines}, in order, and keeps the rest for the next buffer.
   * Stops early, with the buffer positioned after the last line handed on, when {@code stop} says so after a line.
   */
  void feed(ByteBuffer buffer, Consumer<String> lines, BooleanSupplier stop) {
    int from = buffer.position();
    int count = buffer.remaining();
    if (count == 0) {
      return;
    }
    // The bytes are scanned in an array. The HTTP client's buffers are read-only and have none to expose, so they are
    // copied once, in bulk: reading them a byte at a time through the buffer (a virtual call per byte) was ~2 % of the
    // server's CPU in the 50-chat benchmark (issue 12).
    byte[] bytes;
    int offset;
    if (buffer.hasArray()) {
      bytes = buffer.array();
      offset = buffer.arrayOffset() + from;
    } else {
      bytes = copyOf(count);
      buffer.get(from, bytes, 0, count);
      offset = 0;
    }
    int next = 0;
    while (next < count) {
      if (afterCr) {
        afterCr = false;
        if (bytes[offset + next] == '\n') {
          next++;
          continue;
        }
      }
      int end = next;
      byte b = 0;
      while (end < count && (b = bytes[offset + end]) != '\n' && b != '\r') {
        end++;
      }
      if (end == count) {
        keep(bytes, offset + next, end - next);
        break;
      }
      afterCr = b == '\r';
      String line = line(bytes, offset + next, end - next);
      next = end + 1;
      buffer.position(from + next);
      lines.accept(line);
      if (stop.getAsBoolean()) {
        return;
      }
    }
    buffer.position(from + count);
  }

  /** The stream ended: the last line, if it had no terminator, else null. */
  String finish() {
    if (partialLength == 0) {
      return null;
    }
    String last = new String(partial, 0, partialLength, StandardCharsets.UTF_8);
    partialLength = 0;
    return last;
  }

  /** An array for {@code count} bytes: the kept one, grown if needed, or a one-off for a buffer beyond the bound. */
  private byte[] copyOf(int count) {
    if (count > MAX_KEPT_COPY) {
      return new byte[count];
    }
    if (count > copy.length) {
      copy = new byte[Math.min(MAX_KEPT_COPY, Math.max(count, copy.length * 2))];
    }
    return copy;
  }

  private String line(byte[] bytes, int start, int length) {
    if (partialLength == 0) {
      // A whole line in one buffer is not checked against the limit, as it never was: it is already in memory.
      return new String(bytes, start, length, StandardCharsets.UTF_8);
    }
    keep(bytes, start, length);
    String line = new String(partial, 0, partialLength, StandardCharsets.UTF_8);
    partialLength = 0;
    return line;
  }

  private void keep(byte[] bytes, int start, int length) {
    int needed = partialLength + length;
    if (needed > maxLineBytes) {
      throw new LineTooLong(maxLineBytes);
    }
    if (needed > partial.length) {
      partial = Arrays.copyOf(partial, Math.min(maxLineBytes, Math.max(needed, partial.length * 2)));
    }
    System.arraycopy(bytes, start, partial, partialLength, length);
    partialLength = needed;
  }
}
