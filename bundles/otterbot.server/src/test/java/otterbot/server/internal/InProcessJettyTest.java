package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front against a real Jetty through the in-process connector ({@link InProcessJetty}), with no TCP address at
 * all: every answer here came through the connector, and the handler says which connector served it.
 */
class InProcessJettyTest {
  /** More than the loopback socket buffers hold, so that the front has to hold Jetty back. */
  private static final int LARGE = 8 * 1024 * 1024;
  private static final int EVENTS = 5;
  private static final long EVENT_GAP_MILLIS = 200;

  private static Server jetty;
  private static ServerConnector socketConnector;
  private static InProcessJetty factory;
  private static Front front;
  private static HttpClient client;
  /** Requests to /api/wait block until this opens. */
  private static volatile CountDownLatch gate = new CountDownLatch(0);
  private static final AtomicInteger waiting = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    jetty = new Server();
    socketConnector = new ServerConnector(jetty); // stands for Felix's own connector, whose settings are reused
    socketConnector.setHost("127.0.0.1");
    socketConnector.setPort(0);
    jetty.addConnector(socketConnector);
    jetty.setHandler(new TestHandler());
    jetty.start();
    factory = new InProcessJetty();
    addInProcessConnector(); // as Felix's ConnectorFactoryTracker does
    front = Front.start(FrontSettings.of("127.0.0.1", 0), () -> null, factory::current, () -> true, null);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  private static Connector addInProcessConnector() throws Exception {
    Connector connector = factory.createConnector(jetty);
    jetty.addConnector(connector);
    connector.start();
    return connector;
  }

  @AfterAll
  static void stop() throws Exception {
    gate.countDown();
    front.close();
    jetty.stop();
  }

  private static URI uri(String target) {
    return front.url().resolve(target);
  }

  @Test
  void requestsGoThroughTheInProcessConnectorAndBodiesRoundTrip() throws Exception {
    // Large enough that the front encodes head and body as separate buffers.
    String json = "{\"text\":\"" + "ünïcödé ✓ ".repeat(30_000) + "\"}";
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      var response = client.send(HttpRequest.newBuilder(uri("/api/echo?x=1"))
          .method(method, BodyPublishers.ofString(json, StandardCharsets.UTF_8))
          .header("Content-Type", "application/json; charset=utf-8")
          .build(), BodyHandlers.ofString(StandardCharsets.UTF_8));

      assertEquals(200, response.statusCode(), method);
      assertEquals(method, response.headers().firstValue("x-echo-method").orElseThrow());
      assertEquals(factory.current().toString(), response.headers().firstValue("x-connector").orElseThrow());
      assertEquals(json, response.body(), method);
    }
    assertTrue(socketConnector.getConnectedEndPoints().isEmpty(), "nothing went over Jetty's socket");
  }

  @Test
  void aSlowReaderStillGetsTheWholeBodyAndTheConnectionStaysInStep() throws Exception {
    for (String target : List.of("/api/large", "/api/large?chunked")) {
      try (var http = new RawHttp(front.address(), 4096)) {
        http.get(target);
        Thread.sleep(300); // the front's buffer fills and Jetty has to wait
        var response = http.read();
        assertEquals(200, response.status(), target);
        assertArrayEquals(large(), response.body(), target);
        assertEquals(200, http.get("/api/echo").read().status(), "the connection is still in step");
      }
    }
  }

  @Test
  void streamedEventsArriveOneByOne() throws Exception {
    long start = System.nanoTime();
    var response = client.send(HttpRequest.newBuilder(uri("/api/sse")).build(), BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    var arrivals = new ArrayList<Long>();
    try (Stream<String> lines = response.body()) {
      lines.filter(line -> line.startsWith("data: ")).forEach(line -> arrivals.add(System.nanoTime() - start));
    }
    assertEquals(EVENTS, arrivals.size());
    long spreadMillis = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
    assertTrue(spreadMillis >= 500, "events spread over " + spreadMillis + " ms, not buffered to the end");
  }

  @Test
  void aThousandRequestsShareOneKeepAliveConnection() throws Exception {
    try (var http = new RawHttp(front.address())) {
      for (int i = 0; i < 1000; i++) {
        String body = "{\"n\":" + i + "}";
        var response = http.postJson("/api/echo", body).read();
        assertEquals(200, response.status(), "request " + i);
        assertEquals(body, response.text(), "request " + i);
      }
    }
  }

  @Test
  void aClientConnectionOutlivesTheJettyConnectionThatJettyClosed() throws Exception {
    try (var http = new RawHttp(front.address())) {
      var response = http.get("/api/close").read();
      assertEquals(200, response.status());
      assertEquals("closing", response.text());
      // Jetty ended the in-process connection; the client's connection goes on with a new one.
      assertEquals(200, http.get("/api/echo").read().status());
    }
  }

  @Test
  void jettysHtmlErrorsBecomeJson() throws Exception {
    var response = client.send(HttpRequest.newBuilder(uri("/api/missing")).build(), BodyHandlers.ofString());
    assertEquals(404, response.statusCode());
    assertEquals("{\"error\":\"not found\"}", response.body());
  }

  @Test
  void twentyClientsAtOnceEachGetTheirOwnAnswers() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 20; c++) {
        int clientNumber = c;
        results.add(pool.submit(() -> {
          try (var http = new RawHttp(front.address())) {
            for (int i = 0; i < 50; i++) {
              String body = "{\"client\":" + clientNumber + ",\"n\":" + i + "}";
              var response = http.postJson("/api/echo", body).read();
              assertEquals(body, response.text());
            }
          }
          return clientNumber;
        }));
      }
      for (Future<Integer> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void requestsThatWaitDoNotHoldUpTheOthers() throws Exception {
    int blocked = 3 * DispatchLimiter.defaultLimit(); // more than may run at once while they make progress
    gate = new CountDownLatch(1);
    waiting.set(0);
    List<RawHttp> clients = new ArrayList<>();
    try {
      for (int i = 0; i < blocked; i++) {
        var http = new RawHttp(front.address());
        clients.add(http);
        http.get("/api/wait");
      }
      // Each stalled round of 25 ms lets one more in, so all reach the handler, and so does this one.
      var response = client.send(HttpRequest.newBuilder(uri("/api/echo")).timeout(Duration.ofSeconds(10)).build(),
          BodyHandlers.ofString());
      assertEquals(200, response.statusCode());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (waiting.get() < blocked && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(blocked, waiting.get(), "every waiting request is being handled");
    } finally {
      gate.countDown();
    }
    for (RawHttp http : clients) {
      assertEquals(200, http.read().status());
      http.close();
    }
  }

  @Test
  void aRestartedJettyIsFoundAgainAndAStoppedOneAnswers503() throws Exception {
    Connector first = factory.current();
    assertEquals(200, client.send(HttpRequest.newBuilder(uri("/api/echo")).build(), BodyHandlers.ofString())
        .statusCode());
    first.stop();
    jetty.removeConnector(first);
    try {
      var response = client.send(HttpRequest.newBuilder(uri("/api/echo")).build(), BodyHandlers.ofString());
      assertEquals(503, response.statusCode(), "no connector and no address: not running");
    } finally {
      addInProcessConnector();
    }
    var response = client.send(HttpRequest.newBuilder(uri("/api/echo")).build(), BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(factory.current().toString(), response.headers().firstValue("x-connector").orElseThrow());
  }

  static byte[] large() {
    byte[] body = new byte[LARGE];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i % 251);
    }
    return body;
  }

  /** Jetty 12's core API, no servlets: what the test needs of a REST application. */
  private static final class TestHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      String path = Request.getPathInContext(request);
      response.getHeaders().put("X-Connector", request.getConnectionMetaData().getConnector().toString());
      switch (path) {
        case "/api/echo" -> {
          ByteBuffer body = Content.Source.asByteBuffer(request);
          response.getHeaders().put("X-Echo-Method", request.getMethod());
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
          response.write(true, body, callback);
        }
        case "/api/large" -> {
          byte[] body = large();
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
          if (!"chunked".equals(request.getHttpURI().getQuery())) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
          }
          try (OutputStream out = Content.Sink.asOutputStream(response)) {
            for (int at = 0; at < body.length; at += 8192) {
              out.write(body, at, Math.min(8192, body.length - at)); // blocks while the client is slow
            }
          }
          callback.succeeded();
        }
        case "/api/sse" -> {
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
          try (OutputStream out = Content.Sink.asOutputStream(response)) {
            for (int i = 0; i < EVENTS; i++) {
              out.write(("data: " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
              Thread.sleep(EVENT_GAP_MILLIS);
            }
          }
          callback.succeeded();
        }
        case "/api/close" -> {
          response.getHeaders().put(HttpHeader.CONNECTION, "close");
          response.write(true, ByteBuffer.wrap("closing".getBytes(StandardCharsets.UTF_8)), callback);
        }
        case "/api/wait" -> {
          waiting.incrementAndGet();
          if (!gate.await(30, TimeUnit.SECONDS)) {
            throw new IOException("the test never opened the gate");
          }
          response.write(true, ByteBuffer.wrap("done".getBytes(StandardCharsets.UTF_8)), callback);
        }
        default -> {
          return false; // Jetty answers 404 with its HTML page
        }
      }
      return true;
    }
  }
}
