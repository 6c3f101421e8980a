package otterbot.assets.internal;

/** The one rule for relative asset paths, shared by the library, the packs and the file server. */
final class AssetPaths {
  /** Per pack: a pack listing more has the rest left out (and says so in the log once). */
  static final int MAX_PATHS_PER_PACK = 10_000;
  /** Longest path accepted; a longer one cannot name a file of ours. */
  static final int MAX_PATH_CHARS = 1024;

  private AssetPaths() {}

  /**
   * A relative path with {@code /} separators: not empty, no leading or doubled {@code /}, no {@code .} or {@code ..}
   * segment, no backslash, no NUL or other control character.
   */
  static boolean isSafe(String path) {
    if (path == null || path.isEmpty() || path.length() > MAX_PATH_CHARS || path.charAt(0) == '/'
        || path.endsWith("/")) {
      return false;
    }
    int start = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        int length = i - start;
        if (length == 0 || length == 1 && path.charAt(start) == '.'
            || length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') {
          return false;
        }
        start = i + 1;
      } else {
        char c = path.charAt(i);
        if (c == '\\' || c < 0x20 || c == 0x7f) {
          return false;
        }
      }
    }
    return true;
  }

  /** A segment starting with {@code .} ({@code .DS_Store}, {@code .git/...}): never listed, never served. */
  static boolean isHidden(String path) {
    return path.startsWith(".") || path.contains("/.");
  }

  /** The URL of a path: {@code /assets/3d/} and each segment percent-encoded (UTF-8) except unreserved characters. */
  static String url(String path) {
    var out = new StringBuilder(otterbot.api.asset.AssetLibrary.URL_PREFIX.length() + path.length() + 8)
        .append(otterbot.api.asset.AssetLibrary.URL_PREFIX);
    for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
          || c == '~' || c == '/') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }
}
