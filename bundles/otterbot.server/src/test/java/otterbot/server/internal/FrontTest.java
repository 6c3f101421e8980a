package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The public port as a user sees it: a real backend on loopback, real clients, the front in between. */
class FrontTest {
  private static final int LIMIT = 256 * 1024;
  private static final String ONE_PIECE = "ünïcödé ✓ — 日本語";

  private static TestBackend backend;
  private static final AtomicReference<URI> backendAddress = new AtomicReference<>();
  private static final AtomicBoolean apiReady = new AtomicBoolean(true);
  private static Front front;
  private static HttpClient client;

  @BeforeAll
  static void start() throws IOException {
    backend = TestBackend.start();
    backendAddress.set(backend.uri());
    front = Front.start(FrontSettings.of("127.0.0.1", 0).withMaxRequestBytes(LIMIT)
        .withAccess(new Access(List.of("otter.example"), List.of(), null)), backendAddress::get, apiReady::get);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  @AfterAll
  static void stop() {
    front.close();
    backend.close();
  }

  @AfterEach
  void backendIsBack() {
    backendAddress.set(backend.uri());
    apiReady.set(true);
  }

  private static URI uri(String target) {
    return front.url().resolve(target);
  }

  private static RawHttp connect() throws IOException {
    return new RawHttp(front.address());
  }

  // --- round trips ------------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
  void bodiesRoundTripForEveryMethod(String method) throws Exception {
    String json = "{\"text\":\"" + ONE_PIECE + "\",\"method\":\"" + method + "\"}";
    var response = client.send(HttpRequest.newBuilder(uri("/api/echo?x=1&y=%20z"))
        .method(method, BodyPublishers.ofString(json, StandardCharsets.UTF_8))
        .header("Content-Type", "application/json; charset=utf-8")
        .build(), BodyHandlers.ofString(StandardCharsets.UTF_8));

    assertEquals(200, response.statusCode());
    assertEquals(method, response.headers().firstValue("x-echo-method").orElseThrow());
    assertEquals("/api/echo?x=1&y=%20z", response.headers().firstValue("x-echo-target").orElseThrow());
    assertEquals("application/json; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    assertEquals(json, response.body());
  }

  @Test
  void getReturnsUtf8Json() throws Exception {
    var response = client.send(HttpRequest.newBuilder(uri("/api/json")).build(),
        BodyHandlers.ofString(StandardCharsets.UTF_8));

    assertEquals(200, response.statusCode());
    assertEquals("application/json; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    assertEquals(TestBackend.JSON, response.body());
  }

  @Test
  void aThousandSequentialRequestsShareOneConnection() throws Exception {
    try (var http = connect()) {
      for (int i = 0; i < 1000; i++) {
        if (i % 2 == 0) {
          var response = http.get("/api/json").read();
          assertEquals(200, response.status(), "request " + i);
          assertEquals(TestBackend.JSON, response.text(), "request " + i);
        } else {
          String body = "{\"n\":" + i + "}";
          var response = http.postJson("/api/echo", body).read();
          assertEquals(200, response.status(), "request " + i);
          assertEquals(body, response.text(), "request " + i);
        }
      }
      assertFalse(http.closedByServer(50), "the connection stays open");
    }
  }

  @Test
  void httpClientKeepsItsConnectionAlive() throws Exception {
    for (int i = 0; i < 200; i++) {
      var response = client.send(HttpRequest.newBuilder(uri("/api/json")).build(), BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
    }
  }

  @Test
  void twentyClientsAtOnceEachGetTheirOwnAnswers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 20; c++) {
        int clientNumber = c;
        results.add(pool.submit((Callable<Integer>) () -> {
          try (var http = connect()) {
            for (int i = 0; i < 50; i++) {
              String body = "client " + clientNumber + " request " + i + " " + ONE_PIECE;
              byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
              var response = http.send("PUT /echo/" + clientNumber + " HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body)
                  .read();
              assertEquals(200, response.status());
              assertEquals(body, response.text());
            }
          }
          return clientNumber;
        }));
      }
      for (var result : results) {
        result.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLargeBodyArrivesIntact() throws Exception {
    for (String target : new String[] {"/api/large", "/api/large?chunked"}) {
      var response = client.send(HttpRequest.newBuilder(uri(target)).build(), BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      assertArrayEquals(TestBackend.large(), response.body(), target);
    }
  }

  @Test
  void aSlowReaderStillGetsTheWholeBody() throws Exception {
    try (var http = new RawHttp(front.address(), 4096)) {
      http.get("/api/large");
      Thread.sleep(300); // the front's buffer fills and it has to stop reading from the backend
      var response = http.read();
      assertEquals(200, response.status());
      assertArrayEquals(TestBackend.large(), response.body());
      assertEquals(200, http.get("/api/json").read().status(), "the connection is still in step");
    }
  }

  @Test
  void serverSentEventsArriveOneByOne() throws Exception {
    long start = System.nanoTime();
    var response = client.send(HttpRequest.newBuilder(uri("/api/sse")).build(), BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
    var arrivals = new ArrayList<Long>();
    try (Stream<String> lines = response.body()) {
      lines.filter(line -> line.startsWith("data: ")).forEach(line -> arrivals.add(System.nanoTime() - start));
    }
    assertEquals(TestBackend.SSE_EVENTS, arrivals.size());
    long spreadMillis = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
    // Buffered, they would all arrive together at the end; streamed, they arrive ~200 ms apart (800 ms in all).
    assertTrue(spreadMillis >= 500, "events spread over " + spreadMillis + " ms");
  }

  @Test
  void chunkedJsonIsReframedForTheClient() throws Exception {
    try (var http = connect()) {
      var response = http.get("/api/chunked").read();
      assertEquals(200, response.status());
      assertEquals("chunked", response.header("transfer-encoding"));
      assertEquals("{\"parts\":[1,2,3]}", response.text());
      assertEquals(200, http.get("/api/json").read().status());
    }
  }

  // --- headers ----------------------------------------------------------------------------------------------------

  @Test
  void forwardingHeadersAreAddedAndHopByHopHeadersDropped() throws Exception {
    try (var http = connect()) {
      var response = http.send("GET /api/echo HTTP/1.1\r\n"
          + "Host: otter.example:" + front.address().getPort() + "\r\n"
          + "Connection: keep-alive, X-Secret\r\n"
          + "Keep-Alive: timeout=5\r\n"
          + "X-Secret: only for the next hop\r\n"
          + "TE: trailers\r\n"
          + "Proxy-Connection: keep-alive\r\n"
          + "X-Forwarded-For: 6.6.6.6\r\n"
          + "Forwarded: for=6.6.6.6\r\n"
          + "X-Custom: kept\r\n"
          + "\r\n").read();

      assertEquals(200, response.status());
      List<String> names = Arrays.asList(response.header("x-echo-header-names").split(","));
      for (String dropped : new String[] {"connection", "keep-alive", "x-secret", "te", "proxy-connection",
          "forwarded"}) {
        assertFalse(names.contains(dropped), dropped + " must not reach the backend: " + names);
      }
      assertTrue(names.contains("x-custom"), names.toString());
      String host = "otter.example:" + front.address().getPort(); // a name from allowedHosts
      assertEquals(host, response.header("x-echo-host"));
      assertEquals("127.0.0.1", response.header("x-echo-x-forwarded-for"));
      assertEquals(host, response.header("x-echo-x-forwarded-host"));
      assertEquals("http", response.header("x-echo-x-forwarded-proto"));
    }
  }

  @Test
  void headAnswersWithoutBodyAndKeepsTheConnectionInStep() throws Exception {
    try (var http = connect()) {
      var head = http.send("HEAD /api/json HTTP/1.1\r\nHost: localhost\r\n\r\n").read(true);
      assertEquals(200, head.status());
      var next = http.get("/api/json").read();
      assertEquals(200, next.status());
      assertEquals(TestBackend.JSON, next.text());
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (var http = connect()) {
      var response = http.send("GET /api/json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").read();
      assertEquals(200, response.status());
      assertEquals("close", response.header("connection"));
      assertTrue(http.closedByServer(2000));
    }
  }

  @Test
  void http10ClientsGetUnchunkedBodiesAndAClose() throws Exception {
    try (var http = connect()) {
      var response = http.send("GET /api/chunked HTTP/1.0\r\nHost: localhost\r\n\r\n").read();
      assertEquals(200, response.status());
      assertNull(response.header("transfer-encoding"));
      assertEquals("{\"parts\":[1,2,3]}", response.text()); // read until the server closed
    }
    try (var http = connect()) {
      var response = http.send("GET /api/json HTTP/1.0\r\n\r\n").read();
      assertEquals(200, response.status());
      assertEquals(TestBackend.JSON, response.text());
      assertTrue(http.closedByServer(2000));
    }
    try (var http = connect()) {
      var response = http.send("GET /api/json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
      assertEquals("keep-alive", response.header("connection"));
      assertEquals(200, http.send("GET /api/json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().status());
    }
  }

  // --- errors are JSON --------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"/api/agents/%2e%2e/x", "/api/agents/%2E%2E/x", "/api/a%2Fb", "/api/a%2fb", "/api/a%5Cb",
      "/api/%00", "/api/../etc/passwd", "/api/a%zz", "/api/a%2", "/api/./x", "/api/x/..", "/api/..;/x",
      "/api/a\\b", "*", "http://otter.example/api/json", "api/json", "/socket.io/%2e%2e/"})
  void oddTargetsAreRefusedBeforeForwarding(String target) throws Exception {
    try (var http = connect()) {
      var response = http.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
      assertJsonError(response, 400, "invalid request path");
      assertEquals(200, http.get("/api/json").read().status(), "the connection stays usable");
    }
  }

  @Test
  void rawNulAndNonAsciiTargetsAreRefused() throws Exception {
    for (byte[] target : new byte[][] {"/api/a\0b".getBytes(StandardCharsets.ISO_8859_1),
        "/api/ä".getBytes(StandardCharsets.UTF_8)}) {
      try (var http = connect()) {
        var request = new java.io.ByteArrayOutputStream();
        request.writeBytes("GET ".getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(target);
        request.writeBytes(" HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        var response = http.send(request.toByteArray()).read();
        assertEquals(400, response.status());
        assertEquals("application/json; charset=utf-8", response.header("content-type"));
        assertTrue(response.text().startsWith("{\"error\":\""), response.text());
      }
    }
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413() throws Exception {
    byte[] body = new byte[LIMIT + 1];
    Arrays.fill(body, (byte) 'x');
    try (var http = connect()) {
      http.send("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length + "\r\n\r\n");
      http.send(body);
      assertJsonError(http.read(), 413, "request body too large (limit " + LIMIT + " bytes)");
      assertEquals(200, http.get("/api/json").read().status(), "the body was skipped, the connection stays usable");
    }
  }

  @Test
  void aBodyAtTheLimitIsAccepted() throws Exception {
    byte[] body = new byte[LIMIT];
    Arrays.fill(body, (byte) 'y');
    var response = client.send(HttpRequest.newBuilder(uri("/echo"))
        .POST(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertArrayEquals(body, response.body());
  }

  @Test
  void aChunkedUploadIsForwardedWithALength() throws Exception {
    try (var http = connect()) {
      var response = http.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
          + "Content-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
      assertEquals(200, response.status());
      assertEquals("hello world", response.text());
      assertFalse(Arrays.asList(response.header("x-echo-header-names").split(",")).contains("transfer-encoding"));
    }
  }

  @Test
  void aChunkedBodyGrowingOverTheLimitIsRefusedAndTheConnectionClosed() throws Exception {
    try (var http = connect()) {
      http.send("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = "x".repeat(64 * 1024);
      for (int i = 0; i < LIMIT / chunk.length(); i++) {
        http.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
      }
      // Exactly at the limit so far; one more byte is too many. (Nothing is left unread when the server closes, so
      // the close cannot turn into a reset that would swallow the answer.)
      http.send("1\r\nx\r\n");
      assertJsonError(http.read(), 413, "request body too large (limit " + LIMIT + " bytes)");
      assertTrue(http.closedByServer(2000));
    }
  }

  @Test
  void expectContinueIsAnsweredInOrder() throws Exception {
    try (var http = connect()) {
      http.send("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000\r\n"
          + "Expect: 100-continue\r\n\r\n");
      assertJsonError(http.read(), 413, "request body too large (limit " + LIMIT + " bytes)");
    }
    try (var http = connect()) {
      http.send("POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
          + "Expect: 100-continue\r\n\r\n");
      assertEquals(100, http.read().status());
      var response = http.send("hello").read();
      assertEquals(200, response.status());
      assertEquals("hello", response.text());
    }
  }

  @Test
  void backendHtmlErrorsBecomeJson() throws Exception {
    try (var http = connect()) {
      assertJsonError(http.get("/nowhere").read(), 404, "not found"); // the JDK server's own HTML 404
      assertJsonError(http.get("/api/html404").read(), 404, "not found");
      var notAllowed = http.send("DELETE /api/html405 HTTP/1.1\r\nHost: localhost\r\n\r\n").read();
      assertJsonError(notAllowed, 405, "method not allowed");
      assertEquals("GET", notAllowed.header("allow"), "headers that still apply are kept");
      var head = http.send("HEAD /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n").read(true);
      assertEquals(404, head.status());
      assertEquals("application/json; charset=utf-8", head.header("content-type"));
      assertEquals(200, http.get("/api/json").read().status(), "the connection stays in step");
    }
  }

  @Test
  void backendJsonErrorsPassThrough() throws Exception {
    try (var http = connect()) {
      var response = http.get("/api/problem").read();
      assertEquals(422, response.status());
      assertEquals("application/problem+json", response.header("content-type"));
      assertEquals("{\"error\":\"custom problem\"}", response.text());
    }
  }

  @Test
  void jsonErrorsOutsideTheApiAreReplacedWithTheOneShape() throws Exception {
    try (var http = connect()) {
      var response = http.get("/static/x").read();
      assertEquals(404, response.status());
      assertEquals("{\"error\":\"not found\"}", response.text());
    }
  }

  @Test
  void noBackendMeans503() throws Exception {
    backendAddress.set(null);
    try (var http = connect()) {
      assertJsonError(http.get("/api/json").read(), 503, "the HTTP service is not running");
      assertJsonError(http.get("/api/json").read(), 503, "the HTTP service is not running");
    }
  }

  // --- the REST application is not built yet ----------------------------------------------------------------------

  @Test
  void whileTheApiIsStartingApiRequestsGet503AndEverythingElseIsForwarded() throws Exception {
    apiReady.set(false);
    try (var http = connect()) {
      for (String target : new String[] {"/api/x", "/api/json", "/api", "/api?x=1"}) {
        var starting = http.get(target).read();
        assertJsonError(starting, 503, "starting");
        assertEquals("1", starting.header("retry-after"), target);
      }
      var other = http.get("/other").read();
      assertEquals(200, other.status());
      assertEquals("other", other.text());
      var post = http.postJson("/api/echo", "{}").read();
      assertJsonError(post, 503, "starting");
      var head = http.send("HEAD /api/json HTTP/1.1\r\nHost: localhost\r\n\r\n").read(true);
      assertEquals(503, head.status());
      assertEquals("application/json; charset=utf-8", head.header("content-type"));

      apiReady.set(true);
      var json = http.get("/api/json").read();
      assertEquals(200, json.status(), "the same keep-alive connection, in step after every 503");
      assertEquals(TestBackend.JSON, json.text());
      assertEquals("other", http.get("/other").read().text());
    }
  }

  @Test
  void socketIoDoesNotWaitForTheRestApi() throws Exception {
    apiReady.set(false);
    try (var http = connect()) {
      var handshake = http.get("/socket.io/?EIO=4&transport=polling").read();
      assertEquals(200, handshake.status());
      assertTrue(handshake.text().startsWith("0{"), handshake.text());
    }
  }

  @Test
  void aStoppedHttpServiceIsReportedAsSuchEvenWhileTheApiIsStarting() throws Exception {
    apiReady.set(false);
    backendAddress.set(null);
    try (var http = connect()) {
      assertJsonError(http.get("/api/json").read(), 503, "the HTTP service is not running");
    }
  }

  @Test
  void anUnreachableBackendMeans502() throws Exception {
    int closedPort;
    try (var socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    backendAddress.set(URI.create("http://127.0.0.1:" + closedPort));
    try (var http = connect()) {
      assertJsonError(http.get("/api/json").read(), 502, "the HTTP service is unreachable");
      backendAddress.set(backend.uri());
      assertEquals(200, http.get("/api/json").read().status(), "the backend is back");
    }
  }

  @Test
  void nothingEverAnswersWithHtml() throws Exception {
    String[] requests = {
        "GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /api/html404 HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "POST /api/html405 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n",
        "GET /api/%2e%2e/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /socket.io/?EIO=4&transport=carrier-pigeon&sid=x HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "BREW /pot HTTP/1.1\r\nHost: localhost\r\n\r\n"};
    for (String request : requests) {
      try (var http = connect()) {
        var response = http.send(request).read();
        assertTrue(response.status() >= 400, request + " -> " + response.status());
        assertEquals("application/json; charset=utf-8", response.header("content-type"), request);
        assertFalse(response.text().contains("<"), request + " -> " + response.text());
      }
    }
  }

  private static void assertJsonError(RawHttp.Response response, int status, String message) {
    assertEquals(status, response.status(), response.text());
    assertEquals("application/json; charset=utf-8", response.header("content-type"));
    String expected = "{\"error\":\"" + message + "\"}";
    assertEquals(Integer.toString(expected.getBytes(StandardCharsets.UTF_8).length),
        response.header("content-length"));
    if (response.body().length > 0) {
      assertEquals(expected, response.text());
    }
  }

  // --- Socket.IO on the same port ---------------------------------------------------------------------------------

  @Test
  void socketIoHandshakesOnTheSamePort() throws Exception {
    var response = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=4&transport=polling")).build(),
        BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertTrue(response.body().startsWith("0{"), response.body());
    assertTrue(response.body().contains("\"sid\""), response.body());

    // The session the handshake opened is live: a poll with its id is taken (not refused as unknown).
    String sid = response.body().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
    var open = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=4&transport=polling&sid=" + sid))
        .POST(HttpRequest.BodyPublishers.ofString("40")).build(), BodyHandlers.ofString());
    assertEquals(200, open.statusCode(), open.body());
  }

  @Test
  void engineIoProtocolErrorsAreAnsweredWith400() throws Exception {
    var v3 = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=3&transport=polling")).build(),
        BodyHandlers.ofString());
    assertEquals(400, v3.statusCode());
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, v3.body());
    for (String sid : new String[] {"unknown", java.util.UUID.randomUUID().toString()}) {
      var unknown = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=4&transport=polling&sid=" + sid)).build(),
          BodyHandlers.ofString());
      assertEquals(400, unknown.statusCode(), sid);
      assertEquals(EngineIoChecks.UNKNOWN_SESSION, unknown.body());
    }
  }

  @Test
  void restThenSocketIoOnOneKeepAliveConnection() throws Exception {
    try (var http = connect()) {
      assertEquals(TestBackend.JSON, http.get("/api/json").read().text());
      var handshake = http.get("/socket.io/?EIO=4&transport=polling").read();
      assertEquals(200, handshake.status());
      assertTrue(handshake.text().startsWith("0{"), handshake.text());
    }
  }

  @Test
  void pipelinedRestAndSocketIoAnswersNeverInterleave() throws Exception {
    try (var http = connect()) {
      // All in one write: the decoder hands the front all of them at once.
      http.send("GET /api/echo?n=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /api/sse HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /api/echo?n=3 HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertEquals("/api/echo?n=1", http.read().header("x-echo-target"));
      var events = http.read();
      assertEquals(200, events.status());
      assertTrue(events.text().contains("data: event " + TestBackend.SSE_EVENTS), events.text());
      assertEquals("/api/echo?n=3", http.read().header("x-echo-target"));
      var handshake = http.read();
      assertEquals(200, handshake.status());
      assertTrue(handshake.text().startsWith("0{"), handshake.text());
    }
  }

  @Test
  void socketIoClientsAreCounted() throws Exception {
    int before = front.connectedClients();
    var response = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=4&transport=polling")).build(),
        BodyHandlers.ofString());
    String sid = response.body().replaceAll("(?s).*\"sid\":\"([^\"]+)\".*", "$1");
    // EIO=4: the client joins the default namespace with a "40" packet.
    var join = client.send(HttpRequest.newBuilder(uri("/socket.io/?EIO=4&transport=polling&sid=" + sid))
        .POST(BodyPublishers.ofString("40")).build(), BodyHandlers.ofString());
    assertEquals(200, join.statusCode());
    assertEquals("ok", join.body());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (front.connectedClients() <= before && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(front.connectedClients() > before, "connected clients: " + front.connectedClients());
  }
}
