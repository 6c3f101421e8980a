package otterbot.server.internal;

import java.util.List;
import java.util.Locale;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/** Header rules of the forwarder: what crosses the hop and what the front adds. */
final class ProxyHeaders {
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString HTTP = AsciiString.cached("http");
  static final AsciiString FRONT_KEY = AsciiString.cached(InternalPortGuard.HEADER.toLowerCase(Locale.ROOT));

  /** Hop-by-hop headers (RFC 9110 §7.6.1) plus the obsolete {@code Proxy-Connection}. */
  private static final AsciiString[] HOP_BY_HOP = {
      HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"),
      HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
      HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE};

  /**
   * Forwarding headers a client could send to make Jetty believe something about the connection. The front is the
   * edge, so it replaces them rather than appending to them.
   */
  private static final AsciiString[] FORWARDING = {
      AsciiString.cached("forwarded"), X_FORWARDED_FOR, X_FORWARDED_HOST, X_FORWARDED_PROTO,
      AsciiString.cached("x-forwarded-port"), AsciiString.cached("x-forwarded-server"),
      AsciiString.cached("x-forwarded-prefix")};

  private ProxyHeaders() {}

  /** Removes hop-by-hop headers, including those the {@code Connection} header names. */
  static void stripHopByHop(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
      for (String value : values) {
        for (String token : value.split(",")) {
          String name = token.trim();
          if (!name.isEmpty()) {
            headers.remove(name);
          }
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
  }

  /**
   * Prepares a client request's headers for Jetty: hop-by-hop and {@code Expect} go (the front already answered the
   * expectation and sends the whole body), {@code Host} stays, and the {@code X-Forwarded-*} trio says who asked.
   *
   * @param fallbackHost the front's own address, for HTTP/1.0 clients that send no {@code Host}
   * @param backendKey the key Jetty lets in ({@link InternalPortGuard}), or {@code null} for a Jetty without the guard
   */
  static void prepareRequest(HttpHeaders headers, String clientAddress, CharSequence fallbackHost,
      String backendKey) {
    stripHopByHop(headers);
    headers.remove(HttpHeaderNames.EXPECT);
    for (AsciiString name : FORWARDING) {
      headers.remove(name);
    }
    // Never a client's: only the front may say that a request came through it.
    headers.remove(FRONT_KEY);
    if (backendKey != null) {
      headers.set(FRONT_KEY, backendKey);
    }
    String host = headers.get(HttpHeaderNames.HOST);
    if (host == null) {
      headers.set(HttpHeaderNames.HOST, fallbackHost);
      headers.set(X_FORWARDED_HOST, fallbackHost);
    } else {
      headers.set(X_FORWARDED_HOST, host);
    }
    headers.set(X_FORWARDED_FOR, clientAddress);
    headers.set(X_FORWARDED_PROTO, HTTP);
  }

  /** {@code application/json} or a {@code +json} type such as {@code application/problem+json}. */
  static boolean isJson(HttpHeaders headers) {
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null) {
      return false;
    }
    int end = type.indexOf(';');
    if (end < 0) {
      end = type.length();
    }
    while (end > 0 && type.charAt(end - 1) == ' ') {
      end--;
    }
    int start = 0;
    while (start < end && type.charAt(start) == ' ') {
      start++;
    }
    String json = "application/json";
    return end - start == json.length() && type.regionMatches(true, start, json, 0, json.length())
        || end - start > 5 && type.regionMatches(true, end - 5, "+json", 0, 5)
            && type.regionMatches(true, start, "application/", 0, 12);
  }
}
