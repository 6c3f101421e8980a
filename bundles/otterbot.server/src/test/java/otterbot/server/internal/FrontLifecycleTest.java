package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Starting, stopping, and what a stopped port leaves behind. */
class FrontLifecycleTest {

  private static List<String> portThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(PortThreads.PREFIX))
        .toList();
  }

  @Test
  void stopIsQuickAndLeavesNoThreads() throws Exception {
    try (var backend = TestBackend.start()) {
      Front front = Front.start(FrontSettings.of("127.0.0.1", 0).withWorkerThreads(4), backend::uri);
      // Use every kind of thread: acceptor, I/O loops (REST and Socket.IO), the Socket.IO timer.
      try (var http = new RawHttp(front.address())) {
        assertEquals(200, http.get("/api/json").read().status());
        assertEquals(200, http.get("/socket.io/?EIO=4&transport=polling").read().status());
      }
      var idle = new RawHttp(front.address()); // a keep-alive connection still open at stop
      assertEquals(200, idle.get("/api/json").read().status());
      for (String role : new String[] {"accept", "io", "timer"}) {
        assertTrue(portThreads().stream().anyMatch(name -> name.startsWith(PortThreads.PREFIX + role + "-")),
            "an otterbot-port-" + role + " thread in " + portThreads());
      }

      long start = System.nanoTime();
      front.close();
      long stopMillis = (System.nanoTime() - start) / 1_000_000;

      assertTrue(stopMillis < 1500, "stopped in " + stopMillis + " ms");
      assertEquals(List.of(), portThreads());
      assertTrue(idle.closedByServer(1000), "open connections are closed");
      idle.close();
      assertThrows(Exception.class, () -> new Socket().connect(front.address(), 500), "the port is released");
    }
  }

  @Test
  void aPortInUseFailsWithTheAddressInTheMessage() throws Exception {
    try (var taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();

      var failure = assertThrows(IllegalStateException.class,
          () -> Front.start(FrontSettings.of("127.0.0.1", port), () -> null));

      assertTrue(failure.getMessage().startsWith("cannot listen on 127.0.0.1:" + port + ": "), failure.getMessage());
      assertEquals(List.of(), portThreads(), "a failed start leaves no threads");
    }
  }

  @Test
  void theSamePortCanBeBoundAgainRightAfterAStop() throws Exception {
    Front first = Front.start(FrontSettings.of("127.0.0.1", 0), () -> null);
    int port = first.address().getPort();
    try (var http = new RawHttp(first.address())) {
      assertEquals(503, http.get("/api/json").read().status());
    }
    first.close();
    Front second = Front.start(FrontSettings.of("127.0.0.1", port), () -> null);
    second.close();
  }

  @Test
  void idleKeepAliveConnectionsAreClosed() throws Exception {
    try (var backend = TestBackend.start()) {
      Front front = Front.start(FrontSettings.of("127.0.0.1", 0).withIdleTimeoutSeconds(1), backend::uri);
      try (var http = new RawHttp(front.address())) {
        assertEquals(200, http.get("/api/json").read().status());
        assertFalse(http.closedByServer(500), "not yet idle for a second");
        assertTrue(http.closedByServer(2000), "closed after a second without requests");
      } finally {
        front.close();
      }
    }
  }

  @Test
  void aWebSocketUpgradeOutlivesTheIdleTimeout() throws Exception {
    Front front = Front.start(FrontSettings.of("127.0.0.1", 0).withIdleTimeoutSeconds(1), () -> null);
    try {
      var messages = new LinkedBlockingQueue<String>();
      WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + front.address().getPort() + "/socket.io/?EIO=4&transport=websocket"),
              new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                  messages.add(data.toString());
                  webSocket.request(1);
                  return null;
                }
              })
          .get(5, TimeUnit.SECONDS);
      String open = messages.poll(5, TimeUnit.SECONDS);
      assertTrue(open != null && open.startsWith("0{") && open.contains("\"sid\""), "open packet: " + open);

      Thread.sleep(2500); // longer than the HTTP idle timeout; WebSocket liveness is Socket.IO's business (pings)
      socket.sendText("40", true).get(5, TimeUnit.SECONDS); // join the default namespace
      String joined = messages.poll(5, TimeUnit.SECONDS);
      assertTrue(joined != null && joined.startsWith("40"), "namespace answer: " + joined);
      assertEquals(1, front.connectedClients());
      socket.abort();
    } finally {
      front.close();
    }
  }

  @Test
  void settingsOutOfRangeAreRefused() {
    var failure = assertThrows(IllegalArgumentException.class,
        () -> FrontSettings.of("127.0.0.1", 0).withMaxRequestBytes(0));
    assertEquals("maxRequestBytes must be between 1 and 2147483647, got 0", failure.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FrontSettings.of(" ", 3001));
    assertThrows(IllegalArgumentException.class, () -> FrontSettings.of("127.0.0.1", 70000));
  }
}
