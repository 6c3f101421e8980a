package otterbot.provider.openai.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The query of the URL the issuer redirected the browser to: a full URL, a {@code ?code=…&state=…} string or a bare
 * {@code code=…&state=…} (upstream's {@code completeManual} accepts all three).
 */
record Redirect(String code, String state, String error, String errorDescription) {

  static Redirect parse(String input) {
    String text = input == null ? "" : input.strip();
    int hash = text.indexOf('#');
    if (hash >= 0) {
      text = text.substring(0, hash);
    }
    int question = text.indexOf('?');
    String query = question >= 0 ? text.substring(question + 1) : text;
    return of(query(query));
  }

  static Redirect of(Map<String, String> params) {
    return new Redirect(blankToNull(params.get("code")), blankToNull(params.get("state")),
        blankToNull(params.get("error")), blankToNull(params.get("error_description")));
  }

  /** The parameters of a query string; the first of repeated names wins; malformed escapes make it unreadable. */
  static Map<String, String> query(String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return params;
    }
    for (String pair : query.split("&", 50)) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException malformed) {
        // skip the pair: a value we cannot decode is one we cannot use
      }
    }
    return params;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  @Override
  public String toString() {
    return "Redirect[code=" + (code == null ? "none" : "...") + ", error=" + error + "]";
  }
}
