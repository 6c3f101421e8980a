package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the front uses and loses its connections to the backend. */
class BackendConnectionTest {
  private static final int IO_THREADS = 2;

  private static QuirkyBackend backend;
  private static Front front;

  @BeforeAll
  static void start() throws IOException {
    backend = new QuirkyBackend();
    front = Front.start(FrontSettings.of("127.0.0.1", 0).withWorkerThreads(IO_THREADS), backend::uri);
  }

  @AfterAll
  static void stop() throws IOException {
    front.close();
    backend.close();
  }

  private static RawHttp connect() throws IOException {
    return new RawHttp(front.address());
  }

  @Test
  void clientsThatConnectPerRequestShareWarmBackendConnections() throws Exception {
    int before = backend.connections();
    for (int i = 0; i < 40; i++) {
      try (var http = connect()) {
        var response = http.send("GET /keep HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").read();
        assertEquals(200, response.status());
      }
    }
    // Forty front connections, spread over the I/O threads; each thread's pool keeps its backend connection.
    int opened = backend.connections() - before;
    assertTrue(opened <= IO_THREADS, opened + " backend connections for 40 requests");
  }

  @Test
  void aReusedConnectionThatDiesUnansweredIsRetriedOnceForAGet() throws Exception {
    try (var http = connect()) {
      assertEquals("{\"request\":1}", http.get("/once").read().text());
      // The pooled connection is closed by the backend on this request; the front resends it on a new one.
      var response = http.get("/once").read();
      assertEquals(200, response.status());
      assertEquals("{\"request\":1}", response.text());
    }
  }

  @Test
  void aPostIsNotSentTwice() throws Exception {
    try (var http = connect()) {
      assertEquals(200, http.get("/once").read().status());
      var response = http.send("POST /once HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}").read();
      assertEquals(502, response.status());
      assertEquals("application/json; charset=utf-8", response.header("content-type"));
      assertEquals("{\"error\":\"" + JsonErrors.NO_ANSWER + "\"}", response.text());
      assertEquals(200, http.get("/keep").read().status(), "the client connection is fine");
    }
  }

  @Test
  void aBackendThatClosesWithoutAnsweringMeans502() throws Exception {
    try (var http = connect()) {
      var response = http.get("/silent").read();
      assertEquals(502, response.status());
      assertEquals("{\"error\":\"" + JsonErrors.NO_ANSWER + "\"}", response.text());
    }
  }

  @Test
  void aResponseCutShortClosesTheClientConnection() throws Exception {
    try (var http = connect()) {
      http.get("/truncated");
      // The head went out before the backend died, so all the front can do is close: the client sees 10 of the
      // promised 100 bytes and then the end of the connection.
      assertThrows(IOException.class, () -> {
        var response = http.read();
        if (response.body().length < 100) {
          throw new java.io.EOFException("truncated: " + response.body().length + " bytes");
        }
      });
      assertTrue(http.closedByServer(2000));
    }
  }
}
