package otterbot.server.internal;

/**
 * Decides which request targets the front accepts. Jetty and the REST layer each normalise paths their own way; a
 * target that two parsers could read differently (encoded separators or dots, dot segments, NUL, broken escapes) is
 * refused here, before anything routes on it, so that no later layer ever has to agree with us about what it means.
 *
 * <p>One pass over the characters, no allocation: this runs for every request.
 */
final class RequestTargets {
  private RequestTargets() {}

  /**
   * @param target the request-target exactly as received
   * @return {@code true} for an origin-form target ({@code /path?query}) of printable ASCII with valid escapes,
   *     no encoded {@code /}, {@code \} or {@code .} in the path, no {@code .} or {@code ..} segment (also not before a
   *     {@code ;} parameter), no NUL anywhere; {@code *}, absolute-form and authority-form are refused
   */
  static boolean isValid(String target) {
    int length = target.length();
    if (length == 0 || target.charAt(0) != '/') {
      return false;
    }
    boolean inPath = true;
    int segmentStart = 1;
    for (int i = 0; i < length; i++) {
      char c = target.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        // control characters (raw NUL included), space, DEL, non-ASCII (Netty reads the request line as Latin-1,
        // and re-encoding it as UTF-8 towards Jetty would change the bytes), and fragments, which clients never send
        return false;
      }
      if (c == '%') {
        if (i + 2 >= length) {
          return false;
        }
        int high = Character.digit(target.charAt(i + 1), 16);
        int low = Character.digit(target.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return false;
        }
        int decoded = high << 4 | low;
        if (decoded == 0 || inPath && (decoded == '/' || decoded == '\\' || decoded == '.')) {
          return false;
        }
        i += 2;
      } else if (inPath) {
        if (c == '\\') {
          return false;
        }
        if (c == '/' || c == '?') {
          if (isDotSegment(target, segmentStart, i)) {
            return false;
          }
          segmentStart = i + 1;
          inPath = c == '/';
        }
      }
    }
    return !inPath || !isDotSegment(target, segmentStart, length);
  }

  /** {@code .} or {@code ..}, also with path parameters ({@code ..;x}), which Jetty strips before normalising. */
  private static boolean isDotSegment(String target, int start, int end) {
    int semicolon = target.indexOf(';', start);
    if (semicolon >= 0 && semicolon < end) {
      end = semicolon;
    }
    int length = end - start;
    return length == 1 && target.charAt(start) == '.'
        || length == 2 && target.charAt(start) == '.' && target.charAt(start + 1) == '.';
  }
}
