package otterbot.server.internal;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.MISDIRECTED_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.UNAUTHORIZED;
import static io.netty.handler.codec.http.HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

/**
 * Which requests the public port lets in, decided once per request by the {@link RequestSequencer} before anything
 * routes on it. In this order:
 *
 * <ol>
 *   <li>{@code Host} must name the bound address (DNS rebinding): {@code 127.0.0.1}, {@code localhost},
 *       {@code [::1]} and the bound host itself (unless it is {@code 0.0.0.0} or {@code ::}); off loopback also the IP
 *       literals of this machine; always the configured {@code allowedHosts}. A port, when present, must be the bound
 *       one. Else {@code 421}. HTTP/1.1 without {@code Host}: {@code 400}.
 *   <li>{@code Origin}, when present, on every Socket.IO request and every mutating {@code /api} request, must be the
 *       server's own ({@code http://<accepted host>:<port>}) or a configured {@code allowedOrigins} entry (cross-site
 *       WebSocket hijacking, CSRF). {@code Origin: null} is foreign. Else {@code 403}.
 *   <li>With a token required, every request but Socket.IO's (checked at the namespace CONNECT, {@link SocketAuth})
 *       and {@code GET /api/health} must carry {@code Authorization: Bearer <token>}. Else {@code 401}.
 *   <li>{@code POST}, {@code PUT}, {@code PATCH} under {@code /api} must send {@code application/json} (or a
 *       {@code +json} type), also without a body: a browser can send other types cross-site without a preflight.
 *       Else {@code 415}.
 * </ol>
 *
 * <p>It also tells the REST layer whether the request carried the token ({@link #AUTHORIZED}), after removing
 * whatever the client sent under that name.
 */
final class Admission {
  /** Request header the front sets on every forwarded request: {@code true} or {@code false}. */
  static final AsciiString AUTHORIZED = AsciiString.cached("x-otterbot-authorized");
  static final AsciiString TRUE = AsciiString.cached("true");
  static final AsciiString FALSE = AsciiString.cached("false");

  static final String MISSING_HOST = "missing Host header";
  static final String UNKNOWN_HOST =
      "this server does not answer to that Host name (add it to allowedHosts in etc/otterbot.server.cfg)";
  static final String FOREIGN_ORIGIN =
      "cross-origin request refused (add the origin to allowedOrigins in etc/otterbot.server.cfg)";
  static final String UNAUTHORIZED_MESSAGE = "missing or invalid API token (send Authorization: Bearer <token>)";
  static final String NOT_JSON = "unsupported media type: send application/json";

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");
  private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");

  private final boolean offLoopback;
  /** Lower-case names without port: loopback names and {@code allowedHosts}. */
  private final Set<String> names;
  /** Off loopback: this machine's addresses, whose literals are accepted as host names. */
  private final Set<InetAddress> addresses;
  private final Set<String> origins;
  private final byte[] token;

  Admission(String boundHost, Access access) {
    this.offLoopback = !isLoopback(boundHost);
    var accepted = new HashSet<>(LOOPBACK_NAMES);
    String bound = boundHost.toLowerCase(Locale.ROOT);
    if (!isWildcard(bound)) {
      // The name the operator bound to (--host 127.0.0.2, --host otterbot.lan) names the server too.
      accepted.add(bound.indexOf(':') >= 0 && !bound.startsWith("[") ? "[" + bound + "]" : bound);
    }
    for (String host : access.allowedHosts()) {
      accepted.add(host.toLowerCase(Locale.ROOT));
    }
    this.names = Set.copyOf(accepted);
    this.addresses = offLoopback ? interfaceAddresses() : Set.of();
    var allowed = new HashSet<String>();
    for (String origin : access.allowedOrigins()) {
      allowed.add(normaliseOrigin(origin));
    }
    this.origins = Set.copyOf(allowed);
    this.token = access.token() == null ? null : access.token().bytes();
  }

  /** Whether clients must present the token. */
  boolean tokenRequired() {
    return token != null;
  }

  /** {@code 0.0.0.0} or {@code ::}: not a name of the server (browsers would let a page reach "0.0.0.0"). */
  private static boolean isWildcard(String host) {
    try {
      return (IPV4.matcher(host).matches() || IPV6_CHARS.matcher(host.replace("[", "").replace("]", "")).matches())
          && InetAddress.getByName(host.replace("[", "").replace("]", "")).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static boolean isLoopback(String host) {
    if (LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT)) || "::1".equals(host)) {
      return true;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The first rule a request breaks, as the complete answer, or null when it may go on. For a request that may go on
   * and is not for Socket.IO, sets {@link #AUTHORIZED}.
   *
   * @param boundPort the port the request came in on
   */
  FullHttpResponse check(HttpRequest request, boolean socketIo, int boundPort) {
    HttpHeaders headers = request.headers();
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.isEmpty()) {
      if (request.protocolVersion().isKeepAliveDefault()) { // HTTP/1.1 requires it; HTTP/1.0 clients may omit it
        return JsonErrors.response(BAD_REQUEST, MISSING_HOST);
      }
    } else if (hosts.size() > 1) {
      return JsonErrors.response(BAD_REQUEST, "more than one Host header");
    } else if (!acceptsAuthority(hosts.get(0), boundPort, false)) {
      LOG.debug("Refused a request for an unknown Host name");
      return JsonErrors.response(MISDIRECTED_REQUEST, UNKNOWN_HOST);
    }
    String uri = request.uri();
    boolean api = Forwarder.isApi(uri);
    boolean mutating = isMutating(request.method());
    if ((socketIo || api && mutating) && !acceptsOrigins(headers.getAll(HttpHeaderNames.ORIGIN), boundPort)) {
      LOG.debug("Refused a cross-origin request");
      return JsonErrors.response(FORBIDDEN, FOREIGN_ORIGIN);
    }
    if (socketIo) {
      return null;
    }
    boolean authorized = token == null || hasToken(headers);
    if (!authorized && !isHealth(request)) {
      FullHttpResponse refused = JsonErrors.response(UNAUTHORIZED, UNAUTHORIZED_MESSAGE);
      refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      return refused;
    }
    if (api && hasBody(request.method()) && !ProxyHeaders.isJson(headers)) {
      return JsonErrors.response(UNSUPPORTED_MEDIA_TYPE, NOT_JSON);
    }
    headers.remove(AUTHORIZED);
    headers.set(AUTHORIZED, authorized ? TRUE : FALSE);
    return null;
  }

  private static boolean isMutating(HttpMethod method) {
    return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
  }

  private static boolean hasBody(HttpMethod method) {
    return HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method);
  }

  /** {@code GET /api/health}, which answers without the token (with nothing but its status). */
  private static boolean isHealth(HttpRequest request) {
    String uri = request.uri();
    return (HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method()))
        && (uri.equals("/api/health") || uri.startsWith("/api/health?"));
  }

  /** {@code Authorization: Bearer <token>}, compared in constant time. */
  boolean hasToken(HttpHeaders headers) {
    return token != null && matches(bearer(headers.get(HttpHeaderNames.AUTHORIZATION)));
  }

  /** Whether {@code presented} is the token, in time independent of where they differ. */
  boolean matches(String presented) {
    return token != null && presented != null
        && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token);
  }

  static String bearer(String authorization) {
    if (authorization == null || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  private boolean acceptsOrigins(List<String> values, int boundPort) {
    for (String origin : values) {
      if (!acceptsOrigin(origin, boundPort)) {
        return false;
      }
    }
    return true;
  }

  /** The server's own origin, {@code http://<accepted host>[:port]} (no port means 80), or a configured one. */
  boolean acceptsOrigin(String origin, int boundPort) {
    String normalised = normaliseOrigin(origin);
    if (origins.contains(normalised)) {
      return true;
    }
    if (!normalised.startsWith("http://")) {
      return false; // includes "null", the origin of sandboxed frames and file: pages
    }
    return acceptsAuthority(normalised.substring("http://".length()), boundPort, true);
  }

  private static String normaliseOrigin(String origin) {
    String value = origin.strip().toLowerCase(Locale.ROOT);
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  /**
   * {@code name[:port]} naming this server.
   *
   * @param portRequired whether a missing port means the default port 80 (an origin) rather than "any" (a Host)
   */
  boolean acceptsAuthority(String authority, int boundPort, boolean portRequired) {
    String host;
    String port;
    if (authority.startsWith("[")) {
      int end = authority.indexOf(']');
      if (end < 0) {
        return false;
      }
      host = authority.substring(0, end + 1);
      String rest = authority.substring(end + 1);
      if (rest.isEmpty()) {
        port = null;
      } else if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else {
        return false;
      }
    } else {
      int colon = authority.indexOf(':');
      if (colon != authority.lastIndexOf(':')) {
        return false; // an IPv6 literal must be in brackets
      }
      host = colon < 0 ? authority : authority.substring(0, colon);
      port = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (port == null ? portRequired && boundPort != 80 : !isPort(port, boundPort)) {
      return false;
    }
    String name = host.toLowerCase(Locale.ROOT);
    return names.contains(name) || offLoopback && isOwnAddress(name);
  }

  private static boolean isPort(String port, int boundPort) {
    if (port.isEmpty() || port.length() > 5) {
      return false;
    }
    for (int i = 0; i < port.length(); i++) {
      if (port.charAt(i) < '0' || port.charAt(i) > '9') {
        return false;
      }
    }
    return Integer.parseInt(port) == boundPort;
  }

  /** An IP literal (never a name: nothing here resolves DNS) of one of this machine's interfaces. */
  private boolean isOwnAddress(String name) {
    String literal;
    if (name.startsWith("[") && name.endsWith("]")) {
      literal = name.substring(1, name.length() - 1);
      if (!IPV6_CHARS.matcher(literal).matches()) {
        return false;
      }
    } else if (IPV4.matcher(name).matches()) {
      literal = name;
    } else {
      return false;
    }
    try {
      InetAddress address = InetAddress.getByName(literal);
      return addresses.contains(address) || address.isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Set<InetAddress> interfaceAddresses() {
    var found = new HashSet<InetAddress>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          // Without the zone: a Host header never carries one, and Inet6Address.equals compares it.
          found.add(address instanceof Inet4Address ? address : InetAddress.getByAddress(address.getAddress()));
        }
      }
    } catch (SocketException | UnknownHostException e) {
      LOG.warn("Cannot list this machine's addresses ({}); only configured allowedHosts and loopback names are "
          + "accepted as Host", e.toString());
    }
    return Set.copyOf(found);
  }
}
