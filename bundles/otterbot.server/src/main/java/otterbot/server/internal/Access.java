package otterbot.server.internal;

import java.util.List;

/**
 * Who may use the public port, beyond where it is bound.
 *
 * @param allowedHosts extra names accepted in {@code Host} (and in a same-origin {@code Origin}), besides the names
 *     of the bound address
 * @param allowedOrigins extra origins ({@code scheme://host[:port]}) whose pages may use Socket.IO and change things
 *     through the API
 * @param token the token every client must present, or null when none is required
 */
public record Access(List<String> allowedHosts, List<String> allowedOrigins, ApiToken token) {
  /** Loopback defaults: no extra names or origins, no token. */
  public static final Access DEFAULT = new Access(List.of(), List.of(), null);

  public Access {
    allowedHosts = List.copyOf(allowedHosts);
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  public Access withToken(ApiToken newToken) {
    return new Access(allowedHosts, allowedOrigins, newToken);
  }

  /** Comma-separated configuration values, blanks ignored. */
  static List<String> list(String csv) {
    if (csv == null || csv.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }
}
