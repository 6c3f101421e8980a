package otterbot.provider.support;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A provider's base URL, such as {@code http://localhost:1234/v1}.
 *
 * @param base the URL without trailing slashes
 */
public record Endpoint(String base) {
  // Compiled once: a chat call resolves its endpoint every time (String.replaceAll compiles its pattern per call).
  private static final Pattern TRAILING_SLASHES = Pattern.compile("/+$");
  private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

  public Endpoint {
    base = TRAILING_SLASHES.matcher(base.strip()).replaceAll("");
  }

  /** The base URL from the secret {@code baseUrlEnv}, else {@code defaultBaseUrl}. */
  public static Endpoint resolve(Map<String, String> secrets, String baseUrlEnv, String defaultBaseUrl) {
    return new Endpoint(Secrets.valueOr(secrets, baseUrlEnv, defaultBaseUrl));
  }

  /**
   * The URL of {@code path} (which starts with a slash) under the base.
   *
   * @throws IllegalArgumentException when the result is not an absolute http(s) URL with a host
   */
  public URI uri(String path) {
    URI uri;
    try {
      uri = URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) URL");
    }
    return uri;
  }

  /**
   * The base URL as it may be shown to a user: without user-info, which can hold a password. Works on text that is
   * not a valid URL too.
   */
  public String display() {
    return USER_INFO.matcher(base).replaceFirst("$1");
  }
}
