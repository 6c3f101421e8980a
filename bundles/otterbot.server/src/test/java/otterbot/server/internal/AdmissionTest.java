package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Host, Origin and content-type rules of the public port on loopback (no token), as a browser, an attacker's page
 * and curl meet them: a real front, a real backend, raw HTTP.
 */
class AdmissionTest {
  private static TestBackend backend;
  private static Front front;
  private static int port;

  @BeforeAll
  static void start() throws IOException {
    backend = TestBackend.start();
    front = Front.start(FrontSettings.of("127.0.0.1", 0)
        .withAccess(new Access(List.of("otterbot.lan"), List.of("https://app.example"), null)), backend::uri);
    port = front.address().getPort();
  }

  @AfterAll
  static void stop() {
    front.close();
    backend.close();
  }

  private static RawHttp.Response request(String head) throws IOException {
    try (var http = new RawHttp(front.address())) {
      return http.send(head + "\r\n").read();
    }
  }

  private static void assertError(RawHttp.Response response, int status, String message) {
    assertEquals(status, response.status(), response::text);
    assertEquals("application/json; charset=utf-8", response.header("content-type"));
    assertEquals("{\"error\":\"" + message + "\"}", response.text());
  }

  // --- Host -------------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "localhost", "LocalHost", "[::1]", "otterbot.lan", "127.0.0.1:PORT",
      "localhost:PORT", "[::1]:PORT", "otterbot.lan:PORT"})
  void namesOfTheBoundAddressAndConfiguredOnesAreAccepted(String host) throws Exception {
    var response = request("GET /api/echo HTTP/1.1\r\nHost: " + host.replace("PORT", "" + port) + "\r\n");
    assertEquals(200, response.status(), response::text);
  }

  /** DNS rebinding: the attacker's name resolves to 127.0.0.1, and the browser sends that name. */
  @ParameterizedTest
  @ValueSource(strings = {"evil.example", "evil.example:PORT", "localhost:1", "127.0.0.1:80", "localhost.evil.example",
      "127.0.0.2", "[::2]", "::1", "", "localhost:", "localhost:PORTx", "192.168.1.10"})
  void anyOtherHostIs421ForRestAndSocketIo(String host) throws Exception {
    String value = host.replace("PORT", "" + port);
    assertError(request("GET /api/echo HTTP/1.1\r\nHost: " + value + "\r\n"), 421, Admission.UNKNOWN_HOST);
    assertError(request("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: " + value + "\r\n"), 421,
        Admission.UNKNOWN_HOST);
    assertError(request("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + value + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"), 421, Admission.UNKNOWN_HOST);
  }

  @Test
  void http11WithoutHostIs400AndHttp10WithoutHostIsServed() throws Exception {
    assertError(request("GET /api/echo HTTP/1.1\r\n"), 400, Admission.MISSING_HOST);
    assertError(request("GET /api/echo HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n"), 400,
        "more than one Host header");
    var http10 = request("GET /api/echo HTTP/1.0\r\n");
    assertEquals(200, http10.status());
    assertEquals("127.0.0.1:" + port, http10.header("x-echo-host"), "the front's own address stands in");
  }

  @Test
  void theBoundHostItselfIsAcceptedButNeverTheWildcard() throws Exception {
    try (Front other = Front.start(FrontSettings.of("127.0.0.2", 0), backend::uri);
        var http = new RawHttp(other.address())) {
      int otherPort = other.address().getPort();
      assertEquals(200, http.send("GET /api/echo HTTP/1.1\r\nHost: 127.0.0.2:" + otherPort + "\r\n\r\n").read()
          .status());
      assertEquals(421, http.send("GET /api/echo HTTP/1.1\r\nHost: 127.0.0.3:" + otherPort + "\r\n\r\n").read()
          .status());
    }
    var wildcard = new Admission("0.0.0.0", Access.DEFAULT.withToken(ApiToken.of("t")));
    assertFalse(wildcard.acceptsAuthority("0.0.0.0:" + port, port, false));
    assertTrue(wildcard.acceptsAuthority("127.0.0.1:" + port, port, false));
    assertFalse(wildcard.acceptsAuthority("evil.example:" + port, port, false));
  }

  // --- Origin -----------------------------------------------------------------------------------------------------

  private static final String HANDSHAKE = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n";
  private static final String WEBSOCKET = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      + "Sec-WebSocket-Version: 13\r\n";

  @ParameterizedTest
  @ValueSource(strings = {"https://evil.example", "null", "http://evil.example:PORT", "http://localhost:1",
      "https://localhost:PORT", "http://localhost", "http://127.0.0.1.evil.example:PORT", "file://"})
  void aForeignOriginIs403OnEverySocketIoRequestAndEveryMutatingApiRequest(String origin) throws Exception {
    String header = "Origin: " + origin.replace("PORT", "" + port) + "\r\n";
    assertError(request(HANDSHAKE + header), 403, Admission.FOREIGN_ORIGIN);
    assertError(request(WEBSOCKET + header), 403, Admission.FOREIGN_ORIGIN);
    String sid = sessionId();
    assertError(request("GET /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n"
        + header), 403, Admission.FOREIGN_ORIGIN);
    assertError(request("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n"
        + header + "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n40"), 403, Admission.FOREIGN_ORIGIN);
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      assertError(request(method + " /api/echo HTTP/1.1\r\nHost: localhost\r\n" + header
          + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), 403, Admission.FOREIGN_ORIGIN);
    }
    // A cross-origin read is the browser's business (no CORS headers: the page cannot read the answer).
    assertEquals(200, request("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n" + header).status());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Origin: http://localhost:PORT\r\n", "Origin: http://127.0.0.1:PORT\r\n",
      "Origin: http://[::1]:PORT\r\n", "Origin: http://otterbot.lan:PORT\r\n", "Origin: HTTP://LOCALHOST:PORT\r\n",
      "Origin: https://app.example\r\n"})
  void theServersOwnOriginAConfiguredOneOrNoneIsAccepted(String header) throws Exception {
    String origin = header.replace("PORT", "" + port);
    var handshake = request(HANDSHAKE + origin);
    assertEquals(200, handshake.status(), handshake::text);
    assertTrue(handshake.text().startsWith("0{"), handshake.text());
    var upgrade = request(WEBSOCKET + origin);
    assertEquals(101, upgrade.status());
    var post = request("POST /api/echo HTTP/1.1\r\nHost: localhost\r\n" + origin
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(200, post.status());
  }

  private static String sessionId() throws IOException {
    String open = request(HANDSHAKE).text();
    return open.replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
  }

  // --- JSON means JSON --------------------------------------------------------------------------------------------

  /** What {@code fetch(url, {mode: 'no-cors', method: 'POST', body})} can send cross-site without a preflight. */
  @ParameterizedTest
  @ValueSource(strings = {"", "Content-Type: text/plain\r\n", "Content-Type: text/plain;charset=utf-8\r\n",
      "Content-Type: application/x-www-form-urlencoded\r\n", "Content-Type: multipart/form-data; boundary=x\r\n",
      "Content-Type: application/jsonp\r\n", "Content-Type: text/json\r\n"})
  void aBodyThatIsNotDeclaredJsonIs415ForEveryApiRoute(String type) throws Exception {
    for (String method : List.of("POST", "PUT", "PATCH")) {
      for (String target : List.of("/api/echo", "/api/setup-state/complete", "/api")) {
        assertError(request(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + type
            + "Content-Length: 2\r\n\r\n{}"), 415, Admission.NOT_JSON);
      }
    }
    assertError(request("POST /api/echo HTTP/1.1\r\nHost: localhost\r\n" + type + "\r\n"), 415, Admission.NOT_JSON);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8",
      "application/merge-patch+json"})
  void jsonIsAccepted(String type) throws Exception {
    var response = request("PATCH /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + type
        + "\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(200, response.status());
    assertEquals("{}", response.text());
  }

  @Test
  void readsDeletesAndPagesOutsideTheApiNeedNoContentType() throws Exception {
    assertEquals(200, request("DELETE /api/echo HTTP/1.1\r\nHost: localhost\r\n").status());
    assertEquals(200, request("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
        + "Content-Length: 2\r\n\r\nhi").status());
  }

  // --- what the backend is told -----------------------------------------------------------------------------------

  @Test
  void withoutATokenRequirementEveryForwardedRequestIsAuthorizedWhateverTheClientClaims() throws Exception {
    var response = request("GET /api/echo HTTP/1.1\r\nHost: localhost\r\nX-Otterbot-Authorized: false\r\n");
    assertEquals("true", response.header("x-echo-x-otterbot-authorized"));
  }

  @Test
  void theRefusalKeepsTheConnectionUsable() throws Exception {
    try (var http = new RawHttp(front.address())) {
      assertEquals(421, http.send("GET /api/echo HTTP/1.1\r\nHost: evil.example\r\n\r\n").read().status());
      assertEquals(415, http.send("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}")
          .read().status());
      assertEquals(200, http.get("/api/json").read().status());
    }
  }

  @Test
  void aRefusedHeadRequestGetsNoBodyAndTheConnectionStaysInStep() throws Exception {
    try (var http = new RawHttp(front.address())) {
      var refused = http.send("HEAD /api/echo HTTP/1.1\r\nHost: evil.example\r\n\r\n").read(true);
      assertEquals(421, refused.status());
      assertEquals(200, http.get("/api/json").read().status());
    }
  }

  @Test
  void aForeignRequestNeverReachesTheBackend() throws Exception {
    int before = backend.requests();
    request("POST /api/echo HTTP/1.1\r\nHost: evil.example:" + port + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\n\r\n{}");
    request("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    request("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(before, backend.requests());
  }
}
