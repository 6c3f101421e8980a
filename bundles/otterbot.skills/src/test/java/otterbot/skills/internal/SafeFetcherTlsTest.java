package otterbot.skills.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import otterbot.api.OtterbotException;
import otterbot.api.OtterbotException.Kind;

/**
 * https through the pinned address: the socket goes to 127.0.0.1, while TLS still checks the certificate against the
 * URL's host name. {@code tls/skills-test.p12} is a self-signed test certificate for {@code skills.test} only
 * (keytool -genkeypair -keyalg EC -dname CN=skills.test -ext SAN=dns:skills.test, password changeit); it protects
 * nothing.
 */
class SafeFetcherTlsTest {
  static final String SKILL = "---\nname: tls\n---\nOver TLS.\n";
  HttpsServer server;
  int port;
  SSLContext clientTls;
  final Map<String, String> hosts = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("tls/skills-test.p12")) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "changeit".toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("skills", keys.getCertificate("skills"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext("/skill.md", ex -> {
      hosts.put("host", ex.getRequestHeaders().getFirst("host"));
      byte[] body = SKILL.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  SafeFetcher fetcher(Duration timeout) {
    return fetcher(timeout, () -> clientTls);
  }

  SafeFetcher fetcher(Duration timeout, Supplier<SSLContext> tls) {
    // Both test names point at the loopback server, so neither reaches DNS; literals need no lookup.
    SafeFetcher.Resolver resolver = host -> switch (host) {
      case "skills.test", "other.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
      default -> InetAddress.getAllByName(host);
    };
    return new SafeFetcher(SafeFetcher.Options.defaults().withAllow(List.of("127.0.0.1/32")).withTimeout(timeout),
        resolver, tls);
  }

  SafeFetcher fetcher() {
    return fetcher(Duration.ofSeconds(10));
  }

  @Test
  void httpsToThePinnedAddressVerifiesTheCertificateForTheHostName() {
    assertEquals(SKILL, fetcher().get("https://skills.test:" + port + "/skill.md"));
    assertEquals("skills.test:" + port, hosts.get("host"));
  }

  /**
   * The skill service makes its fetcher when it starts; the JVM's default TLS context (reading the trust store) is
   * made at the first https fetch instead, so a start does not wait for it (issue 12).
   */
  @Test
  void theTlsContextIsTakenAtTheFirstHttpsFetchAndNotWhenTheFetcherIsMade() {
    AtomicInteger taken = new AtomicInteger();
    SafeFetcher fetcher = fetcher(Duration.ofSeconds(10), () -> {
      taken.incrementAndGet();
      return clientTls;
    });
    assertEquals(0, taken.get(), "taken when the fetcher was made");
    assertEquals(SKILL, fetcher.get("https://skills.test:" + port + "/skill.md"));
    assertEquals(1, taken.get());
  }

  @Test
  void aCertificateForAnotherNameIsRefusedAlthoughTheAddressIsTheSame() {
    for (String url : List.of("https://other.test:" + port + "/skill.md", "https://127.0.0.1:" + port + "/skill.md")) {
      OtterbotException e = assertThrows(OtterbotException.class, () -> fetcher().get(url), url);
      assertEquals(Kind.UNAVAILABLE, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains(": TLS failed"), e.getMessage());
    }
    assertTrue(hosts.isEmpty(), "no request was sent");
  }

  @Test
  void httpsToAPlainHttpServerFailsCleanly() throws IOException {
    var plain = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    plain.start();
    try {
      // The plain server waits for a request line that never comes; the fetch's own deadline ends the handshake.
      OtterbotException e = assertThrows(OtterbotException.class,
          () -> fetcher(Duration.ofMillis(800)).get("https://skills.test:" + plain.getAddress().getPort() + "/"));
      assertEquals(Kind.UNAVAILABLE, e.kind(), e.getMessage());
    } finally {
      plain.stop(0);
    }
  }
}
