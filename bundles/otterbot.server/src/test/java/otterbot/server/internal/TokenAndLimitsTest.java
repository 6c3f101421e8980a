package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API token (required here on loopback, as {@code requireToken=true} does) on REST and on Socket.IO, and the
 * connection and session caps, seen from raw HTTP and raw Engine.IO polling.
 */
class TokenAndLimitsTest {
  private static final String TOKEN = "s3cret-token";

  private static TestBackend backend;
  private static Front front;
  private static final List<String> probes = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    backend = TestBackend.start();
    front = Front.start(FrontSettings.of("127.0.0.1", 0).withAccess(Access.DEFAULT.withToken(ApiToken.of(TOKEN))),
        backend::uri);
    front.socketIo().addEventListener("probe", String.class, (client, data, ack) -> probes.add(data));
  }

  @AfterAll
  static void stop() {
    front.close();
    backend.close();
  }

  private static RawHttp.Response request(Front on, String head) throws IOException {
    try (var http = new RawHttp(on.address())) {
      return http.send(head + "\r\n").read();
    }
  }

  private static RawHttp.Response request(String head) throws IOException {
    return request(front, head);
  }

  // --- REST -------------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"", "Authorization: Bearer wrong\r\n", "Authorization: Bearer " + TOKEN + "x\r\n",
      "Authorization: Basic " + TOKEN + "\r\n", "Authorization: " + TOKEN + "\r\n", "Authorization: Bearer\r\n",
      "X-Otterbot-Authorized: true\r\n"})
  void withoutTheTokenRestIs401(String header) throws Exception {
    for (String head : List.of("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n" + header,
        "POST /api/echo HTTP/1.1\r\nHost: localhost\r\n" + header
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        "POST /api/health HTTP/1.1\r\nHost: localhost\r\n" + header
            + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        "GET /other HTTP/1.1\r\nHost: localhost\r\n" + header)) {
      var response = request(head);
      assertEquals(401, response.status(), head);
      assertEquals("Bearer", response.header("www-authenticate"));
      assertEquals("{\"error\":\"" + Admission.UNAUTHORIZED_MESSAGE + "\"}", response.text());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer ", "bearer ", "BEARER  "})
  void withTheTokenTheRequestIsForwardedAsAuthorized(String scheme) throws Exception {
    var response = request("GET /api/echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + scheme + TOKEN + "\r\n"
        + "X-Otterbot-Authorized: false\r\n");
    assertEquals(200, response.status());
    assertEquals("true", response.header("x-echo-x-otterbot-authorized"));
  }

  @Test
  void healthAnswersWithoutTheTokenButIsToldTheClientIsNotAuthorized() throws Exception {
    var anonymous = request("GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Otterbot-Authorized: true\r\n");
    assertEquals(200, anonymous.status());
    assertEquals("false", anonymous.header("x-echo-x-otterbot-authorized"), "a client cannot vouch for itself");
    var authorized = request("GET /api/health HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN + "\r\n");
    assertEquals("true", authorized.header("x-echo-x-otterbot-authorized"));
  }

  // --- Socket.IO --------------------------------------------------------------------------------------------------

  /** One Engine.IO session over raw polling. */
  private static final class Polling {
    final String sid;

    Polling(String extraHeaders) throws IOException {
      var open = request("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders);
      assertEquals(200, open.status(), open::text);
      sid = open.text().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
    }

    void send(String payload) throws IOException {
      byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      var response = request("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + bytes.length + "\r\n\r\n" + payload);
      assertEquals(200, response.status(), response::text);
    }

    /** What is queued for the session (a poll returns at once when something is). */
    String poll() throws IOException {
      var response = request("GET /socket.io/?EIO=4&transport=polling&sid=" + sid
          + " HTTP/1.1\r\nHost: localhost\r\n");
      assertEquals(200, response.status(), response::text);
      return response.text();
    }
  }

  private static final String REFUSED = "44{\"message\":\"" + SocketAuth.REFUSED + "\"}";

  /** {@code agent:status} to every client, as the chat adapter sends it. */
  private static void broadcastStatus(String status) {
    var executor = java.util.concurrent.Executors.newCachedThreadPool();
    try (var chat = new otterbot.server.internal.chat.ChatEvents(front.socketIo(), () -> null, executor)) {
      chat.statusChanged("coo", status);
    } finally {
      executor.shutdown();
    }
  }

  @Test
  void aClientWithoutTheTokenGetsConnectErrorAndNeitherBroadcastsNorItsEventsGetThrough() throws Exception {
    var session = new Polling("");
    session.send("40");
    assertEquals(REFUSED, session.poll());

    session.send("42[\"probe\",\"unauthorized\"]");
    broadcastStatus("thinking");
    // Broadcast first, then a refusal: had the broadcast reached the session, the poll would start with it.
    session.send("40{\"token\":\"wrong\"}\u001e42[\"probe\",\"unauthorized\"]");
    assertEquals(REFUSED, session.poll());
    session.send("40{\"token\":" + TOKEN.length() + "}");
    assertEquals(REFUSED, session.poll());
    assertFalse(probes.contains("unauthorized"), probes.toString());
  }

  @Test
  void theTokenInTheConnectPayloadAuthorizesTheSession() throws Exception {
    var session = new Polling("");
    session.send("40{\"token\":\"" + TOKEN + "\"}\u001e42[\"probe\",\"with auth\"]");
    String connected = session.poll();
    assertTrue(connected.startsWith("40{\"sid\":"), connected);
    assertTrue(probes.contains("with auth"), probes.toString());

    broadcastStatus("working");
    String status = session.poll();
    assertTrue(status.contains("42[\"agent:status\",{\"agentId\":\"coo\",\"status\":\"working\"}]"), status);
  }

  @Test
  void theTokenAsBearerHeaderOnTheHandshakeAuthorizesTheSession() throws Exception {
    var session = new Polling("Authorization: Bearer " + TOKEN + "\r\n");
    session.send("40");
    String connected = session.poll();
    assertTrue(connected.startsWith("40{\"sid\":"), connected);
    session.send("42[\"probe\",\"with header\"]");
    assertTrue(probes.contains("with header"), probes.toString());
  }

  @Test
  void aFrontOffLoopbackWithoutATokenDoesNotStart() {
    assertThrows(IllegalArgumentException.class, () -> Front.start(FrontSettings.of("0.0.0.0", 0), () -> null));
  }

  // --- caps -------------------------------------------------------------------------------------------------------

  @Test
  void connectionsBeyondTheCapAreAnswered503AndClosed() throws Exception {
    try (Front small = Front.start(FrontSettings.of("127.0.0.1", 0).withLimits(2, 100), backend::uri);
        var first = new RawHttp(small.address());
        var second = new RawHttp(small.address())) {
      assertEquals(200, first.get("/api/json").read().status());
      assertEquals(200, second.get("/api/json").read().status());
      try (var third = new RawHttp(small.address())) {
        var refused = third.read();
        assertEquals(503, refused.status());
        assertEquals("{\"error\":\"" + Limits.TOO_MANY_CONNECTIONS + "\"}", refused.text());
        assertTrue(third.closedByServer(2000));
      }
      assertEquals(200, first.get("/api/json").read().status(), "the connections within the cap are unaffected");
      second.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (small.openConnections() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      try (var again = new RawHttp(small.address())) {
        assertEquals(200, again.get("/api/json").read().status(), "a closed connection frees its place");
      }
    }
  }

  @Test
  void handshakesBeyondTheSessionCapAre503() throws Exception {
    try (Front small = Front.start(FrontSettings.of("127.0.0.1", 0).withLimits(100, 1), backend::uri)) {
      String handshake = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n";
      assertEquals(200, request(small, handshake).status());
      var refused = request(small, handshake);
      assertEquals(503, refused.status());
      assertEquals("{\"error\":\"" + Limits.TOO_MANY_SESSIONS + "\"}", refused.text());
      assertEquals(200, request(small, "GET /api/json HTTP/1.1\r\nHost: localhost\r\n").status(), "REST is not capped");
    }
  }
}
