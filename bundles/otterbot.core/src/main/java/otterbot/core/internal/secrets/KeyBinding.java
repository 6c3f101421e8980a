package otterbot.core.internal.secrets;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import otterbot.api.provider.ProviderInfo;

/**
 * Keeps every API key with the endpoint it was given for. Secrets come in layers, lowest first: the global settings,
 * a parent agent's credentials, the agent's own, a request's overrides. A layer that sets a provider's key binds it to
 * that layer's endpoint for the provider, or to the endpoint in force below it when the layer names none. A higher
 * layer that points the provider at another endpoint without its own key therefore does not inherit the lower key:
 * otherwise anyone who may set an endpoint (a test-model request, an agent credential) could have the stored key sent
 * to a server of their choosing.
 */
public final class KeyBinding {
  /** What {@link #merge} decided: the secrets to use, and the keys it withheld (by secret name), for messages. */
  public record Result(Map<String, String> secrets, List<Withheld> withheld) {}

  /** A key not sent: its secret name, the endpoint it belongs to and the one the call would have gone to. */
  public record Withheld(ProviderInfo provider, String boundTo, String target) {
    /**
     * For logs and errors: names the key and both endpoints (endpoints are settings, not secrets; the target comes
     * from a client, so it is shown with control characters escaped and cut to 200 characters).
     */
    public String describe() {
      return "the stored " + provider.apiKeyEnv() + " belongs to " + printable(boundTo) + " and is not sent to "
          + printable(target) + "; give " + provider.apiKeyEnv() + " together with " + provider.baseUrlEnv();
    }
  }

  private KeyBinding() {}

  /**
   * @param providers the registered providers (those without both a key and an endpoint secret are not affected)
   * @param layers the secret maps, lowest (global settings) first; null maps and null values are skipped
   */
  public static Result merge(Collection<ProviderInfo> providers, List<Map<String, String>> layers) {
    var out = new HashMap<String, String>();
    var boundTo = new HashMap<String, String>(); // apiKeyEnv -> endpoint its current key belongs to
    for (Map<String, String> layer : layers) {
      if (layer == null) {
        continue;
      }
      for (ProviderInfo info : providers) {
        if (bindable(info) && layer.get(info.apiKeyEnv()) != null) {
          String own = layer.get(info.baseUrlEnv());
          boundTo.put(info.apiKeyEnv(), own != null ? own : endpoint(out, info));
        }
      }
      layer.forEach((k, v) -> {
        if (k != null && v != null) {
          out.put(k, v);
        }
      });
    }
    var withheld = new ArrayList<Withheld>();
    for (ProviderInfo info : providers) {
      if (!bindable(info) || out.get(info.apiKeyEnv()) == null) {
        continue;
      }
      String key = boundTo.get(info.apiKeyEnv());
      String target = endpoint(out, info);
      if (key != null && !sameEndpoint(key, target)) {
        out.remove(info.apiKeyEnv());
        withheld.add(new Withheld(info, key, target));
      }
    }
    return new Result(out, List.copyOf(withheld));
  }

  private static String printable(String url) {
    var out = new StringBuilder();
    for (int i = 0; i < url.length() && i < 200; i++) {
      char c = url.charAt(i);
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    return url.length() > 200 ? out.append("...").toString() : out.toString();
  }

  private static boolean bindable(ProviderInfo info) {
    return info != null && info.apiKeyEnv() != null && info.baseUrlEnv() != null;
  }

  private static String endpoint(Map<String, String> secrets, ProviderInfo info) {
    String url = secrets.get(info.baseUrlEnv());
    return url != null ? url : info.defaultBaseUrl() == null ? "" : info.defaultBaseUrl();
  }

  /**
   * Whether two endpoint URLs name the same server and path: scheme and host compared without case, default ports
   * made explicit, trailing slashes ignored. Anything unparsable only equals itself.
   */
  public static boolean sameEndpoint(String a, String b) {
    if (a == null || b == null) {
      return a == b;
    }
    return canonical(a).equals(canonical(b));
  }

  private static String canonical(String url) {
    String trimmed = url.strip();
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      int port = uri.getPort() >= 0 ? uri.getPort() : "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return scheme + "://" + userInfo + host + ":" + port + path + query;
    } catch (URISyntaxException e) {
      return "\u0000" + trimmed;
    }
  }
}
