package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import otterbot.api.OtterbotException;
import otterbot.api.OtterbotException.Kind;

/**
 * Every test talks to a real server on 127.0.0.1 or to nothing at all: names that stand for remote or private hosts
 * are answered by a fake resolver, and refused addresses are never connected to.
 */
class SafeFetcherTest {
  static final String SKILL = "---\nname: demo\ndescription: A demo skill\n---\nSay hello.\n";

  HttpServer server;
  final ExecutorService handlers = Executors.newCachedThreadPool();
  String base;
  final Map<String, String> requestHeaders = new ConcurrentHashMap<>();
  final AtomicInteger loopHits = new AtomicInteger();
  final CountDownLatch release = new CountDownLatch(1);

  /** Resolves the test names without DNS and counts the lookups; everything else goes to the system (literals). */
  final AtomicInteger lookups = new AtomicInteger();
  final Map<String, String> names = new ConcurrentHashMap<>(Map.of(
      "skills.test", "127.0.0.1", "metadata.test", "169.254.169.254", "mixed.test", "93.184.216.34,10.0.0.1"));
  final SafeFetcher.Resolver resolver = host -> {
    lookups.incrementAndGet();
    String answer = names.get(host);
    if (answer == null) {
      return InetAddress.getAllByName(host);
    }
    String[] parts = answer.split(",");
    InetAddress[] out = new InetAddress[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = InetAddress.getByName(parts[i]);
    }
    return out;
  };

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/skill.md", ex -> {
      ex.getRequestHeaders().forEach((k, v) -> requestHeaders.put(k.toLowerCase(), String.join(",", v)));
      send(ex, 200, "text/markdown; charset=utf-8", SKILL.getBytes(StandardCharsets.UTF_8), false);
    });
    server.createContext("/chunked.md",
        ex -> send(ex, 200, "text/plain", SKILL.getBytes(StandardCharsets.UTF_8), true));
    server.createContext("/latin1.md", ex -> send(ex, 200, "text/plain; charset=ISO-8859-1",
        "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1), false));
    server.createContext("/r1", ex -> redirect(ex, 302, "/r2"));
    server.createContext("/", ex -> {
      if (!ex.getRequestURI().getPath().equals("/")) {
        send(ex, 404, "text/plain", new byte[0], false);
        return;
      }
      redirect(ex, 303, "skill.md"); // relative to a URL without a path
    });
    server.createContext("/r2", ex -> redirect(ex, 301, base + "/skill.md"));
    server.createContext("/loop", ex -> {
      loopHits.incrementAndGet();
      redirect(ex, 307, "/loop");
    });
    server.createContext("/to-private", ex -> redirect(ex, 302, "http://10.0.0.1/skill.md"));
    server.createContext("/to-metadata", ex -> redirect(ex, 302, "http://metadata.test/latest/meta-data/"));
    server.createContext("/to-ftp", ex -> redirect(ex, 302, "ftp://127.0.0.1/skill.md"));
    server.createContext("/missing", ex -> send(ex, 404, "text/plain", "no".getBytes(StandardCharsets.UTF_8), false));
    server.createContext("/big", ex -> send(ex, 200, "text/plain", new byte[300 * 1024], false));
    server.createContext("/big-chunked", ex -> send(ex, 200, "text/plain", new byte[300 * 1024], true));
    server.createContext("/slow", ex -> {
      ex.getResponseHeaders().set("content-type", "text/plain");
      ex.sendResponseHeaders(200, 100);
      OutputStream out = ex.getResponseBody();
      out.write("only ten b".getBytes(StandardCharsets.UTF_8));
      out.flush();
      try {
        release.await(10, TimeUnit.SECONDS); // the other 90 bytes never come
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
    });
    server.setExecutor(handlers); // the slow handler must not hold up the others
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }

  static void send(HttpExchange ex, int status, String type, byte[] body, boolean chunked) throws IOException {
    ex.getResponseHeaders().set("content-type", type);
    ex.sendResponseHeaders(status, chunked ? 0 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    } catch (IOException e) {
      // The fetcher stops reading an oversized body and hangs up: expected.
    }
  }

  static void redirect(HttpExchange ex, int status, String location) throws IOException {
    ex.getResponseHeaders().set("location", location);
    ex.sendResponseHeaders(status, -1);
    ex.close();
  }

  SafeFetcher fetcher(List<String> allow) {
    return fetcher(SafeFetcher.Options.defaults().withAllow(allow));
  }

  SafeFetcher fetcher(SafeFetcher.Options options) {
    return new SafeFetcher(options, resolver, SafeFetcherTest::sslContext);
  }

  static OtterbotException refused(SafeFetcher fetcher, String url, Kind kind) {
    OtterbotException e = assertThrows(OtterbotException.class, () -> fetcher.get(url), url);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void loopbackIsRefusedByDefault() {
    OtterbotException e = refused(fetcher(List.of()), base + "/skill.md", Kind.INVALID);
    assertEquals("Refused to fetch from 127.0.0.1: it resolves to a loopback address (127.0.0.1), which only the "
        + "fetch allow-list can permit", e.getMessage());
    assertTrue(requestHeaders.isEmpty(), "nothing was sent");
  }

  @Test
  void theAllowListLetsALoopbackMirrorServeSkills() {
    assertEquals(SKILL, fetcher(List.of("127.0.0.1/32")).get(base + "/skill.md"));
    assertEquals("text/markdown,text/plain,*/*", requestHeaders.get("accept"));
    assertEquals("127.0.0.1:" + server.getAddress().getPort(), requestHeaders.get("host"));
  }

  @Test
  void aHostNameOnTheAllowListIsFetchedAndKeepsItsHostHeader() {
    String url = "http://skills.test:" + server.getAddress().getPort() + "/skill.md";
    refused(fetcher(List.of()), url, Kind.INVALID);
    assertEquals(SKILL, fetcher(List.of("skills.test")).get(url));
    assertEquals("skills.test:" + server.getAddress().getPort(), requestHeaders.get("host"));
  }

  @Test
  void localhostIsRefusedBecauseItResolvesToLoopback() {
    OtterbotException e = refused(fetcher(List.of()), "http://localhost:" + server.getAddress().getPort() + "/skill.md",
        Kind.INVALID);
    assertTrue(e.getMessage().startsWith("Refused to fetch from localhost: it resolves to a loopback address"),
        e.getMessage());
  }

  @Test
  void ipv6AndIpv4MappedLoopbackLiteralsAreRefused() {
    int port = server.getAddress().getPort();
    OtterbotException v6 = refused(fetcher(List.of("127.0.0.1/32")), "http://[::1]:" + port + "/", Kind.INVALID);
    assertTrue(v6.getMessage().contains("loopback"), v6.getMessage());
    OtterbotException mapped = refused(fetcher(List.of()), "http://[::ffff:127.0.0.1]:" + port + "/", Kind.INVALID);
    assertTrue(mapped.getMessage().contains("loopback"), mapped.getMessage());
    refused(fetcher(List.of()), "http://[::ffff:a9fe:a9fe]/", Kind.INVALID); // 169.254.169.254
    refused(fetcher(List.of()), "http://[fd00::1]/", Kind.INVALID);
    refused(fetcher(List.of()), "http://0.0.0.0:" + port + "/", Kind.INVALID);
  }

  @Test
  void everyResolvedAddressIsCheckedNotOnlyTheFirst() {
    OtterbotException e = refused(fetcher(List.of()), "http://mixed.test/skill.md", Kind.INVALID);
    assertTrue(e.getMessage().contains("a private address (10.0.0.1)"), e.getMessage());
  }

  @Test
  void onlyHttpAndHttpsAreFetched() {
    SafeFetcher fetcher = fetcher(List.of("127.0.0.1/32"));
    OtterbotException ftp = refused(fetcher, "ftp://127.0.0.1/skill.md", Kind.INVALID);
    assertEquals("Refused to fetch from 127.0.0.1: only http and https URLs are fetched, not ftp:", ftp.getMessage());
    OtterbotException file = refused(fetcher, "file:///etc/passwd", Kind.INVALID);
    assertEquals("Refused to fetch this URL: only http and https URLs are fetched, not file:", file.getMessage());
    refused(fetcher, "gopher://127.0.0.1:70/", Kind.INVALID);
    refused(fetcher, "/skill.md", Kind.INVALID);
    refused(fetcher, "", Kind.INVALID);
    refused(fetcher, "http://exa mple.com/", Kind.INVALID);
  }

  @Test
  void credentialsInTheUrlAreRefusedAndNeverRepeated() {
    OtterbotException e = refused(fetcher(List.of("127.0.0.1/32")),
        "http://alice:s3cret@127.0.0.1:" + server.getAddress().getPort() + "/skill.md?token=t0ken", Kind.INVALID);
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertFalse(e.getMessage().contains("alice"), e.getMessage());
    assertFalse(e.getMessage().contains("t0ken"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
  }

  @Test
  void redirectsAreFollowedAndEachHopIsResolvedOnce() {
    names.put("skills.test", "127.0.0.1");
    String url = "http://skills.test:" + server.getAddress().getPort() + "/r1";
    assertEquals(SKILL, fetcher(List.of("127.0.0.1/32")).get(url));
    // r1 and r2 on skills.test, then skill.md on the literal 127.0.0.1 (a literal is "resolved" without DNS).
    assertEquals(3, lookups.get());
  }

  @Test
  void aRelativeRedirectFromAUrlWithoutAPathStaysOnTheHost() {
    assertEquals(SKILL, fetcher(List.of("127.0.0.1/32")).get(base));
  }

  @Test
  void aRedirectToAPrivateAddressIsRefusedWithoutConnecting() {
    SafeFetcher fetcher = fetcher(List.of("127.0.0.1/32"));
    long start = System.nanoTime();
    OtterbotException e = refused(fetcher, base + "/to-private", Kind.INVALID);
    assertEquals("Refused to fetch from 10.0.0.1: it resolves to a private address (10.0.0.1), which only the "
        + "fetch allow-list can permit", e.getMessage());
    // A connection attempt to 10.0.0.1 would take the connect timeout (5 s) to fail here.
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "no connection was attempted");

    OtterbotException metadata = refused(fetcher, base + "/to-metadata", Kind.INVALID);
    assertTrue(metadata.getMessage().startsWith("Refused to fetch from metadata.test: it resolves to a link-local "
        + "address (169.254.169.254)"), metadata.getMessage());
    refused(fetcher, base + "/to-ftp", Kind.INVALID);
  }

  @Test
  void moreThanFiveRedirectsAreRefused() {
    OtterbotException e = refused(fetcher(List.of("127.0.0.1/32")), base + "/loop", Kind.INVALID);
    assertEquals("Refused to fetch from 127.0.0.1: more than 5 redirects", e.getMessage());
    assertEquals(6, loopHits.get(), "the first request and five redirects");
  }

  @Test
  void aNon2xxAnswerFailsWithUpstreamsMessage() {
    OtterbotException e = refused(fetcher(List.of("127.0.0.1/32")), base + "/missing", Kind.UNAVAILABLE);
    assertEquals("Fetch failed: 404 Not Found", e.getMessage());
    SafeFetcher.StatusException status = (SafeFetcher.StatusException) e;
    assertEquals(404, status.status());
    assertEquals("Not Found", status.reasonPhrase());
  }

  @Test
  void anOversizedBodyIsRefusedWhetherItsLengthIsAnnouncedOrNot() {
    SafeFetcher fetcher = fetcher(List.of("127.0.0.1/32"));
    OtterbotException announced = refused(fetcher, base + "/big", Kind.INVALID);
    assertEquals("Refused to fetch from 127.0.0.1: the file is larger than 256 KiB", announced.getMessage());
    OtterbotException chunked = refused(fetcher, base + "/big-chunked", Kind.INVALID);
    assertEquals("Refused to fetch from 127.0.0.1: the file is larger than 256 KiB", chunked.getMessage());
  }

  @Test
  void chunkedBodiesAndDeclaredCharsetsAreDecoded() {
    SafeFetcher fetcher = fetcher(List.of("127.0.0.1/32"));
    assertEquals(SKILL, fetcher.get(base + "/chunked.md"));
    assertEquals("caf\u00e9", fetcher.get(base + "/latin1.md"));
  }

  @Test
  void aSlowBodyTimesOutWithinTheTotalTime() {
    SafeFetcher fetcher = fetcher(SafeFetcher.Options.defaults().withAllow(List.of("127.0.0.1/32"))
        .withTimeout(Duration.ofMillis(700)));
    long start = System.nanoTime();
    OtterbotException e = refused(fetcher, base + "/slow", Kind.UNAVAILABLE);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals("Could not fetch from 127.0.0.1: timed out after 700 ms", e.getMessage());
    assertTrue(tookMs >= 600 && tookMs < 3000, "took " + tookMs + " ms");
  }

  @Test
  void aHangingNameLookupEndsAtTheDeadline() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    SafeFetcher fetcher = new SafeFetcher(SafeFetcher.Options.defaults().withTimeout(Duration.ofMillis(500)), host -> {
      try {
        answer.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new java.net.UnknownHostException(host);
    }, SafeFetcherTest::sslContext);
    long start = System.nanoTime();
    try {
      OtterbotException e = refused(fetcher, "http://slow-dns.test/skill.md", Kind.UNAVAILABLE);
      assertEquals("Could not fetch from slow-dns.test: the name lookup timed out", e.getMessage());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
    } finally {
      answer.countDown();
    }
  }

  @Test
  void anUnknownHostIsUnavailable() {
    SafeFetcher fetcher = new SafeFetcher(SafeFetcher.Options.defaults(), host -> {
      throw new java.net.UnknownHostException(host);
    }, SafeFetcherTest::sslContext);
    OtterbotException e = refused(fetcher, "http://nowhere.test/skill.md", Kind.UNAVAILABLE);
    assertEquals("Could not fetch from nowhere.test: the host is unknown", e.getMessage());
  }

  static SSLContext sslContext() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aClosedPortIsUnavailable() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    OtterbotException e = refused(fetcher(List.of("127.0.0.1/32")), "http://127.0.0.1:" + port + "/", Kind.UNAVAILABLE);
    assertTrue(e.getMessage().startsWith("Could not fetch from 127.0.0.1: "), e.getMessage());
  }
}
