package otterbot.skills.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import otterbot.api.OtterbotException;

/**
 * An HTTP GET for SKILL.md texts that cannot be turned against this server's network (SSRF; what-users-want.md §3.4).
 * URL import and catalog install both fetch through it.
 *
 * <ul>
 *   <li>Only {@code http} and {@code https} URLs, without user credentials.
 *   <li>The host name is resolved <b>once</b> per hop, and every address it resolves to must be ordinary (see
 *       {@link AddressPolicy}); the connection then goes to one of exactly those addresses, so a DNS answer that
 *       changes between the check and the connection (DNS rebinding) has nothing to change.
 *   <li>Redirects are followed by hand, at most {@link Options#maxRedirects()}, and each hop is checked like the first.
 *   <li>The response is read up to {@link Options#maxBytes()} and no further; the whole fetch, DNS included, ends
 *       after {@link Options#timeout()}.
 * </ul>
 *
 * <p><b>Why sockets and not {@code java.net.http}.</b> Pinning needs a connection to a checked address while the
 * request still names the host: the {@code Host} header for http, SNI and certificate verification for https.
 * {@code java.net.http.HttpClient} (Java 17) has no resolver hook and refuses to set {@code Host} unless the JVM-wide
 * property {@code jdk.httpclient.allowRestrictedHeaders} is set, which would change every other client in the OSGi
 * framework; {@code HttpURLConnection} has the same restriction. So this class speaks HTTP/1.1 itself over a socket
 * connected to the pinned address: for https the socket is wrapped in TLS with SNI set to the host name and
 * endpoint identification {@code HTTPS}, so the certificate is verified against the host name exactly as a normal
 * client would. The price, and the limits: HTTP/1.1 only (no HTTP/2), no proxy support (the fetch goes direct, so
 * a server that can only reach the internet through a proxy cannot import by URL), and only identity
 * transfer-encoding or chunked bodies (the request asks for {@code accept-encoding: identity}; a compressed answer
 * is refused). This is enough for raw.githubusercontent.com and ordinary static file servers.
 *
 * <p><b>Failures</b> are {@link OtterbotException}s naming the host (never the user credentials, path or query of
 * the URL, which may carry tokens): {@link OtterbotException.Kind#INVALID} when the URL or a redirect is refused by
 * the rules above, including too many redirects or a body over the limit; {@link OtterbotException.Kind#UNAVAILABLE}
 * when the network or the server fails, and for a non-2xx answer a {@link StatusException} with upstream's message
 * {@code Fetch failed: <status> <reason phrase>} (upstream §4.5). Callers map the kinds to their own answers.
 */
public final class SafeFetcher {
  /** The accept header upstream sends (§4.5). */
  static final String ACCEPT = "text/markdown,text/plain,*/*";
  private static final int MAX_HEADER_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 100;
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: (.*))?");
  private static final Pattern CHARSET = Pattern.compile("(?i);\\s*charset=\"?([^\";\\s]+)");
  private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(400, "Bad Request"),
      Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
      Map.entry(410, "Gone"), Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"),
      Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

  /**
   * Limits and the allow-list.
   *
   * @param allow CIDR blocks, addresses or host names that may be fetched although they are special-purpose (for
   *     example {@code 127.0.0.1/32} for a local mirror); empty by default
   * @param maxBytes the largest body accepted
   * @param timeout the whole fetch, every hop, name lookups included
   * @param connectTimeout one connection attempt
   * @param maxRedirects how many redirects are followed
   */
  public record Options(List<String> allow, int maxBytes, Duration timeout, Duration connectTimeout, int maxRedirects) {
    public Options {
      allow = allow == null ? List.of() : List.copyOf(allow);
      if (maxBytes <= 0 || maxRedirects < 0 || timeout.isNegative() || timeout.isZero() || connectTimeout.isNegative()
          || connectTimeout.isZero()) {
        throw new IllegalArgumentException("fetch limits must be positive");
      }
    }

    /** 256 KiB, 10 s in all, 5 s to connect, 5 redirects, nothing special-purpose allowed. */
    public static Options defaults() {
      return new Options(List.of(), 256 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(5), 5);
    }

    public Options withAllow(List<String> entries) {
      return new Options(entries, maxBytes, timeout, connectTimeout, maxRedirects);
    }

    public Options withMaxBytes(int bytes) {
      return new Options(allow, bytes, timeout, connectTimeout, maxRedirects);
    }

    public Options withTimeout(Duration total) {
      return new Options(allow, maxBytes, total, connectTimeout, maxRedirects);
    }
  }

  /** A non-2xx answer; its message is upstream's {@code Fetch failed: <status> <reason phrase>}. */
  public static final class StatusException extends OtterbotException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String reasonPhrase;

    StatusException(int status, String reasonPhrase) {
      super(Kind.UNAVAILABLE, ("Fetch failed: " + status + " " + reasonPhrase).strip());
      this.status = status;
      this.reasonPhrase = reasonPhrase;
    }

    public int status() {
      return status;
    }

    /** The server's reason phrase, or the standard one when the server sent none. */
    public String reasonPhrase() {
      return reasonPhrase;
    }
  }

  /** Name lookup; the default asks the system resolver, tests answer for names that must not reach DNS. */
  @FunctionalInterface
  interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /**
   * Name lookups run here so that a hanging DNS server cannot hold a fetch past its deadline: the system resolver
   * cannot be interrupted. At most 4 lookups at once, no queue (a fifth concurrent fetch fails at once rather than
   * waiting), and idle threads end after 30 s, so the pool needs no shutdown.
   */
  private static final ThreadPoolExecutor LOOKUPS = lookups();

  private final Options options;
  private final AddressPolicy policy;
  private final Resolver resolver;
  private final Supplier<SSLContext> tls;

  /**
   * Fetches with the system resolver and the JVM's default trust store. The JVM makes its default TLS context on the
   * first https fetch, not here: reading the trust store took ~45 ms of the framework's start-level thread at every
   * start (issue 12), for fetches most servers never make (the JDK keeps the context once made).
   */
  public SafeFetcher(Options options) {
    this(options, InetAddress::getAllByName, SafeFetcher::defaultTls);
  }

  /** With {@code tls} asked for the TLS context at each https connection, and not before. */
  SafeFetcher(Options options, Resolver resolver, Supplier<SSLContext> tls) {
    this.options = options;
    this.policy = new AddressPolicy(options.allow());
    this.resolver = resolver;
    this.tls = tls;
  }

  /**
   * GETs a text, following redirects.
   *
   * @return the body, decoded with the charset the server names, else UTF-8
   * @throws OtterbotException INVALID for a refused URL or redirect, an oversized body or too many redirects;
   *     UNAVAILABLE ({@link StatusException} for a non-2xx answer) when the network or the server fails
   */
  public String get(String url) {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    URI uri = parse(url);
    for (int hop = 0;; hop++) {
      Target target = check(uri, deadline);
      Response response = exchange(target, deadline);
      if (response.status() / 100 == 3 && response.location() != null && response.status() != 304) {
        if (hop >= options.maxRedirects()) {
          throw OtterbotException.invalid("Refused to fetch from " + target.host() + ": more than "
              + options.maxRedirects() + " redirects");
        }
        uri = redirect(uri, response.location(), target.host());
        continue;
      }
      if (response.status() / 100 != 2) {
        throw new StatusException(response.status(), response.reason());
      }
      return new String(response.body(), response.charset());
    }
  }

  private static URI parse(String url) {
    if (url == null || url.isBlank()) {
      throw OtterbotException.invalid("Refused to fetch: no URL given");
    }
    try {
      return new URI(url.strip());
    } catch (URISyntaxException e) {
      // The parser's message quotes the input, which may hold credentials: say only that it is malformed.
      throw OtterbotException.invalid("Refused to fetch: the URL is malformed");
    }
  }

  private static URI redirect(URI from, String location, String fromHost) {
    try {
      // URI.resolve glues a relative reference straight onto an empty base path ("http://a" + "b" = "http://ab").
      URI base = from.getRawPath() == null || from.getRawPath().isEmpty() ? from.resolve("/") : from;
      return base.resolve(new URI(location.strip()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw OtterbotException.unavailable("Could not fetch from " + fromHost + ": it redirected to a malformed URL",
          null);
    }
  }

  /** Applies the rules to one hop's URL: scheme, credentials, then the resolved addresses. */
  private Target check(URI uri, long deadline) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    String refused = host != null ? "Refused to fetch from " + host : "Refused to fetch this URL";
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw OtterbotException.invalid(refused + ": only http and https URLs are fetched"
          + (scheme.isEmpty() ? "" : ", not " + scheme + ":"));
    }
    if (host == null || host.isEmpty()) {
      // URI leaves the host null for names it cannot parse (an underscore, for one): name only the scheme.
      throw OtterbotException.invalid("Refused to fetch: the " + scheme + " URL has no valid host");
    }
    if (uri.getRawUserInfo() != null) {
      throw OtterbotException.invalid("Refused to fetch from " + host + ": URLs with user credentials are not fetched");
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    if (port == 0 || port > 65535) {
      throw OtterbotException.invalid("Refused to fetch from " + host + ": port " + port + " is not valid");
    }
    InetAddress[] addresses = resolve(bare, host, deadline);
    if (!policy.hostAllowed(bare)) {
      for (InetAddress address : addresses) {
        String refusal = policy.refusal(address);
        if (refusal != null) {
          throw OtterbotException.invalid("Refused to fetch from " + host + ": it resolves to " + refusal + " ("
              + address.getHostAddress() + "), which only the fetch allow-list can permit");
        }
      }
    }
    return new Target(scheme.equals("https"), host, bare, port, addresses, requestTarget(uri));
  }

  private InetAddress[] resolve(String bare, String host, long deadline) {
    // One lookup gets at most the connect timeout: it is one step of many within the total.
    long wait = Math.min(options.connectTimeout().toMillis(), remainingMillis(deadline, host));
    Future<InetAddress[]> lookup;
    try {
      lookup = LOOKUPS.submit(() -> resolver.resolve(bare));
    } catch (RejectedExecutionException e) {
      throw OtterbotException.unavailable("Could not fetch from " + host + ": too many fetches at once", null);
    }
    try {
      InetAddress[] addresses = lookup.get(wait, TimeUnit.MILLISECONDS);
      if (addresses == null || addresses.length == 0) {
        throw new UnknownHostException(bare);
      }
      return addresses;
    } catch (TimeoutException e) {
      lookup.cancel(true);
      throw OtterbotException.unavailable("Could not fetch from " + host + ": the name lookup timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lookup.cancel(true);
      throw OtterbotException.unavailable("Could not fetch from " + host + ": interrupted", e);
    } catch (ExecutionException e) {
      throw OtterbotException.unavailable("Could not fetch from " + host + ": the host is unknown", e.getCause());
    } catch (UnknownHostException e) {
      throw OtterbotException.unavailable("Could not fetch from " + host + ": the host is unknown", e);
    }
  }

  private static String requestTarget(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  private Response exchange(Target target, long deadline) {
    try (Socket socket = connect(target, deadline)) {
      OutputStream out = socket.getOutputStream();
      String hostHeader = target.port() == (target.https() ? 443 : 80) ? target.host()
          : target.host() + ":" + target.port();
      String request = "GET " + target.requestTarget() + " HTTP/1.1\r\n"
          + "Host: " + hostHeader + "\r\n"
          + "Accept: " + ACCEPT + "\r\n"
          + "Accept-Encoding: identity\r\n"
          + "User-Agent: OtterBot\r\n"
          + "Connection: close\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return read(new Deadlined(socket, deadline), target.host());
    } catch (SocketTimeoutException e) {
      throw timedOut(target.host(), e);
    } catch (SSLException e) {
      throw OtterbotException.unavailable("Could not fetch from " + target.host() + ": TLS failed ("
          + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw OtterbotException.unavailable("Could not fetch from " + target.host() + ": " + e.getMessage(), e);
    }
  }

  /** Connects to one of the checked addresses, in the resolver's order, and for https adds TLS for the host name. */
  private Socket connect(Target target, long deadline) throws IOException {
    IOException last = null;
    for (InetAddress address : target.addresses()) {
      long left = remainingMillis(deadline, target.host());
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(address, target.port()),
            (int) Math.min(left, options.connectTimeout().toMillis()));
        socket.setSoTimeout((int) remainingMillis(deadline, target.host()));
        if (!target.https()) {
          return socket;
        }
        SSLSocket ssl = (SSLSocket) tls.get().getSocketFactory().createSocket(socket, target.bare(), target.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        // Verify the certificate against the host name, not the address we connected to.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!AddressPolicy.isIpLiteral(target.bare())) {
          params.setServerNames(List.of(new SNIHostName(target.bare())));
        }
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        return ssl;
      } catch (SocketTimeoutException e) {
        socket.close();
        if (System.nanoTime() >= deadline) {
          throw e;
        }
        last = e;
      } catch (SSLException e) {
        // A certificate that does not match is no reason to try the next address of the same host.
        socket.close();
        throw e;
      } catch (IOException e) {
        socket.close();
        last = e;
      }
    }
    throw last != null ? last : new IOException("no address to connect to");
  }

  private Response read(Deadlined in, String host) throws IOException {
    String statusLine = in.line();
    Matcher m = STATUS_LINE.matcher(statusLine);
    if (!m.matches()) {
      throw OtterbotException.unavailable("Could not fetch from " + host + ": the answer is not HTTP/1.1", null);
    }
    int status = Integer.parseInt(m.group(1));
    String reason = m.group(2) == null || m.group(2).isBlank() ? REASONS.getOrDefault(status, "") : m.group(2).strip();
    long length = -1;
    boolean chunked = false;
    String location = null;
    String contentType = null;
    String encoding = null;
    for (int n = 0;; n++) {
      String line = in.line();
      if (line.isEmpty()) {
        break;
      }
      if (n >= MAX_HEADERS) {
        throw OtterbotException.unavailable("Could not fetch from " + host + ": too many response headers", null);
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      switch (name) {
        case "content-length" -> {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw OtterbotException.unavailable("Could not fetch from " + host + ": bad content-length", null);
          }
        }
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
        case "location" -> location = value;
        case "content-type" -> contentType = value;
        case "content-encoding" -> encoding = value.toLowerCase(Locale.ROOT);
        default -> { }
      }
    }
    if (status / 100 != 2) {
      // A redirect's or an error's body is never read.
      return new Response(status, reason, location, new byte[0], StandardCharsets.UTF_8);
    }
    if (encoding != null && !encoding.equals("identity")) {
      throw OtterbotException.unavailable("Could not fetch from " + host + ": the answer is compressed ("
          + encoding + ")", null);
    }
    if (!chunked && length > options.maxBytes()) {
      throw tooLarge(host);
    }
    byte[] body = chunked ? in.chunked(options.maxBytes(), host) : in.body(length, options.maxBytes(), host);
    return new Response(status, reason, location, body, charset(contentType));
  }

  private OtterbotException tooLarge(String host) {
    return OtterbotException.invalid("Refused to fetch from " + host + ": the file is larger than "
        + sizeText(options.maxBytes()));
  }

  private static String sizeText(int bytes) {
    return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
  }

  private static Charset charset(String contentType) {
    if (contentType != null) {
      Matcher m = CHARSET.matcher(contentType);
      if (m.find()) {
        try {
          return Charset.forName(m.group(1));
        } catch (IllegalArgumentException e) {
          // An unknown charset name: fall back to UTF-8, which SKILL.md files are written in.
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  private OtterbotException timedOut(String host, Exception cause) {
    return OtterbotException.unavailable("Could not fetch from " + host + ": timed out after "
        + options.timeout().toMillis() + " ms", cause);
  }

  private long remainingMillis(long deadline, String host) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      throw timedOut(host, null);
    }
    return left;
  }

  private static SSLContext defaultTls() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw OtterbotException.unavailable("Could not fetch: this JVM has no default TLS context", e);
    }
  }

  private static ThreadPoolExecutor lookups() {
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "otterbot-skills-lookup-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    return pool;
  }

  /** One checked hop: where to connect and what to ask for. */
  private record Target(boolean https, String host, String bare, int port, InetAddress[] addresses,
      String requestTarget) {}

  private record Response(int status, String reason, String location, byte[] body, Charset charset) {}

  /**
   * Reads a socket within the fetch's deadline: before every read the socket's timeout is set to the time left, so
   * a server that trickles a byte at a time cannot stretch the fetch past its total either.
   */
  private final class Deadlined {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;

    Deadlined(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.deadline = deadline;
    }

    /** Fills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
      if (pos < end) {
        return true;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("deadline");
      }
      socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      int n = in.read(buffer);
      if (n < 0) {
        return false;
      }
      pos = 0;
      end = n;
      return true;
    }

    /** One header line without its CRLF, at most {@value SafeFetcher#MAX_HEADER_LINE} bytes. */
    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        if (!fill()) {
          throw new IOException("the connection closed in the middle of the answer");
        }
        byte b = buffer[pos++];
        if (b == '\n') {
          byte[] bytes = line.toByteArray();
          int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
        if (line.size() >= MAX_HEADER_LINE) {
          throw new IOException("a header line is longer than " + MAX_HEADER_LINE + " bytes");
        }
        line.write(b);
      }
    }

    /** A body of the given length (-1: until the connection closes), refused once it passes the limit. */
    byte[] body(long length, int limit, String host) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      long wanted = length < 0 ? Long.MAX_VALUE : length;
      copy(body, wanted, limit, host, length >= 0);
      return body.toByteArray();
    }

    byte[] chunked(int limit, String host) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = line();
        int semicolon = sizeLine.indexOf(';');
        String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip();
        long size;
        try {
          size = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("a malformed chunk");
        }
        if (size < 0) {
          throw new IOException("a malformed chunk");
        }
        if (size == 0) {
          // Trailers, if any, up to the empty line; bounded like the headers.
          for (int n = 0; !line().isEmpty(); n++) {
            if (n >= MAX_HEADERS) {
              throw new IOException("too many trailers");
            }
          }
          return body.toByteArray();
        }
        if (body.size() + size > limit) {
          throw tooLarge(host);
        }
        copy(body, size, limit, host, true);
        line(); // the CRLF after the chunk
      }
    }

    private void copy(ByteArrayOutputStream to, long wanted, int limit, String host, boolean exact)
        throws IOException {
      long copied = 0;
      while (copied < wanted) {
        if (!fill()) {
          if (exact) {
            throw new IOException("the connection closed in the middle of the body");
          }
          return;
        }
        int n = (int) Math.min(end - pos, wanted - copied);
        if (to.size() + n > limit) {
          // Stop reading: the rest of the answer is never taken off the socket.
          throw tooLarge(host);
        }
        to.write(buffer, pos, n);
        pos += n;
        copied += n;
      }
    }
  }
}
