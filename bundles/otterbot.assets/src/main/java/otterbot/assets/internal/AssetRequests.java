package otterbot.assets.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The rules of {@code GET /assets/3d/<path>}, kept apart from the servlet so they can be tested one by one: reading the
 * raw path, content types, the {@code ETag}, conditional requests and ranges.
 */
final class AssetRequests {
  /** The error message of a path refused before any file is looked up. */
  static final String BAD_PATH = "invalid asset path: no '.' or '..' segments, backslashes, encoded slashes or dots,"
      + " or NUL";

  static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("glb", "model/gltf-binary"),
      Map.entry("gltf", "model/gltf+json"),
      Map.entry("bin", "application/octet-stream"),
      Map.entry("png", "image/png"),
      Map.entry("jpg", "image/jpeg"),
      Map.entry("jpeg", "image/jpeg"),
      Map.entry("webp", "image/webp"),
      Map.entry("ktx2", "image/ktx2"),
      Map.entry("json", "application/json"));
  static final String UNKNOWN_TYPE = "application/octet-stream";

  static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private AssetRequests() {}

  /**
   * The relative path of a raw (still percent-encoded) request path after {@code /assets/3d/}, or null when it must be
   * refused: encoded {@code /}, {@code \}, {@code .} or NUL, a raw backslash or NUL, a broken escape, bytes that are not
   * UTF-8, and {@code .}, {@code ..} or empty segments. Encoded dots are refused outright: no file name needs one, and
   * refusing them means no layer has to agree with another about when they are decoded.
   */
  static String decode(String raw) {
    if (raw == null || raw.isEmpty() || raw.length() > AssetPaths.MAX_PATH_CHARS * 3) {
      return null;
    }
    var bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          return null;
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        int b = high << 4 | low;
        if (b == '/' || b == '\\' || b == '.' || b < 0x20 || b == 0x7f) {
          return null;
        }
        bytes.write(b);
        i += 2;
      } else if (c == '\\' || c < 0x20 || c >= 0x7f) {
        return null; // raw non-ASCII never arrives from a conforming client
      } else {
        bytes.write(c);
      }
    }
    String path;
    try {
      path = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    return AssetPaths.isSafe(path) ? path : null;
  }

  static String contentType(String path) {
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot <= slash + 1) {
      return UNKNOWN_TYPE;
    }
    return TYPES.getOrDefault(path.substring(dot + 1).toLowerCase(Locale.ROOT), UNKNOWN_TYPE);
  }

  /** A strong validator: a digest of the pack, the path, the size and the time, so any change gives another. */
  static String etag(String source, String path, long size, long lastModified) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((source + '\0' + path + '\0' + size + '\0' + lastModified).getBytes(StandardCharsets.UTF_8));
      return '"' + HexFormat.of().formatHex(digest.digest(), 0, 16) + '"';
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** {@code If-None-Match}: {@code *} or a list of tags; the comparison is weak (RFC 9110 13.1.2). */
  static boolean noneMatchHits(String header, String etag) {
    if (header == null) {
      return false;
    }
    String wanted = opaque(etag);
    for (String tag : header.split(",")) {
      String t = tag.strip();
      if (t.equals("*") || opaque(t).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  private static String opaque(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }

  /** {@code If-Modified-Since}: the file has not changed since (to the second); false for no or a bad date. */
  static boolean notModifiedSince(String header, long lastModified) {
    if (header == null || lastModified <= 0) {
      return false;
    }
    try {
      long since = Instant.from(HTTP_DATE.parse(header.strip())).getEpochSecond();
      return lastModified / 1000 <= since;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  static String httpDate(long millis) {
    return HTTP_DATE.format(Instant.ofEpochMilli(millis));
  }

  /**
   * {@code If-Range}: the range applies only while the entity is the one the client has. A strong ETag must match
   * exactly; a date must be exactly our {@code Last-Modified}; a weak tag never matches (RFC 9110 13.1.5).
   */
  static boolean ifRangeHolds(String header, String etag, long lastModified) {
    if (header == null) {
      return true;
    }
    String value = header.strip();
    if (value.startsWith("\"") || value.startsWith("W/")) {
      return value.equals(etag);
    }
    return lastModified > 0 && value.equals(httpDate(lastModified));
  }

  /** What a {@code Range} header asks of a file of {@code size} bytes. */
  sealed interface Range permits Full, Part, Unsatisfiable {}

  /** The whole file: no header, a header we do not serve (several ranges, other units) or one with bad syntax. */
  record Full() implements Range {}

  /** Bytes {@code first} to {@code last}, both included. */
  record Part(long first, long last) implements Range {
    long length() {
      return last - first + 1;
    }

    String contentRange(long size) {
      return "bytes " + first + "-" + last + "/" + size;
    }
  }

  /** A well-formed single range that lies outside the file: 416. */
  record Unsatisfiable() implements Range {}

  static Range range(String header, long size) {
    if (header == null) {
      return new Full();
    }
    String value = header.strip();
    if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
      return new Full();
    }
    String spec = value.substring(6).strip();
    if (spec.contains(",")) {
      return new Full(); // several ranges: a multipart answer is not worth it for 3D assets; the whole file is allowed
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return new Full();
    }
    String a = spec.substring(0, dash).strip();
    String b = spec.substring(dash + 1).strip();
    try {
      if (a.isEmpty()) {
        if (b.isEmpty() || !digits(b)) {
          return new Full();
        }
        long suffix = Long.parseLong(b);
        if (suffix == 0 || size == 0) {
          return new Unsatisfiable();
        }
        return new Part(Math.max(0, size - suffix), size - 1);
      }
      if (!digits(a) || !b.isEmpty() && !digits(b)) {
        return new Full();
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
      if (!b.isEmpty() && last < first) {
        return new Full(); // invalid: ignored, as RFC 9110 14.2 allows
      }
      if (first >= size) {
        return new Unsatisfiable();
      }
      return new Part(first, Math.min(last, size - 1));
    } catch (NumberFormatException e) { // more digits than a long holds
      return new Full();
    }
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
