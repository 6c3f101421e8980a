package otterbot.server.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the internal HTTP service's address from the {@code osgi.http.endpoint} service property. */
final class HttpEndpoints {
  /** {@code org.osgi.service.servlet.runtime.HttpServiceRuntimeConstants.HTTP_SERVICE_ENDPOINT}. */
  static final String ENDPOINT_PROPERTY = "osgi.http.endpoint";

  private HttpEndpoints() {}

  /**
   * @param property the property value: a String, String[] or Collection of URLs such as
   *     {@code http://127.0.0.1:38211/}
   * @return {@code http://host:port} of the first plain-http URL, preferring a loopback one when Jetty lists several
   *     interfaces; {@code null} when there is none. The path is dropped: the front forwards request paths unchanged.
   */
  static URI backend(Object property) {
    URI first = null;
    for (String value : values(property)) {
      URI uri = parse(value);
      if (uri == null) {
        continue;
      }
      if (isLoopback(uri.getHost())) {
        return uri;
      }
      if (first == null) {
        first = uri;
      }
    }
    return first;
  }

  private static List<String> values(Object property) {
    var values = new ArrayList<String>();
    if (property instanceof String s) {
      values.add(s);
    } else if (property instanceof String[] array) {
      values.addAll(List.of(array));
    } else if (property instanceof Collection<?> collection) {
      collection.forEach(v -> values.add(String.valueOf(v)));
    }
    return values;
  }

  private static URI parse(String value) {
    try {
      URI uri = URI.create(value.trim());
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        return null;
      }
      int port = uri.getPort() < 0 ? 80 : uri.getPort();
      return new URI("http", null, uri.getHost(), port, null, null, null);
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return null;
    }
  }

  private static boolean isLoopback(String host) {
    if ("localhost".equalsIgnoreCase(host)) {
      return true;
    }
    String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (literal.indexOf(':') < 0 && !literal.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      return false; // a host name: never resolve names here
    }
    try {
      return InetAddress.getByName(literal).isLoopbackAddress(); // literal, so no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
