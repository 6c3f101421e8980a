package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.MultiTypeEventListener;

/**
 * Socket.IO v5 on the front as the protocol (and its official test suite) has it, played packet by packet with the
 * JDK's WebSocket client: namespace joins only on the client's CONNECT, the CONNECT_ERROR shape, leaving a namespace,
 * the connect timeout, the close packet, binary arguments, a second WebSocket for an upgraded session, and the ping
 * and connect settings. The listeners here stand in for what a {@code SocketIoExtension} adds.
 */
class SocketIoProtocolTest {
  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");
  private static final int PING_INTERVAL = 200;
  private static final int CONNECT_TIMEOUT = 1500;

  /** No connect timeout here: a slow test machine must not close a session the test has not joined yet. */
  private static Front front;
  /** With a connect timeout, for the two tests of it. */
  private static Front timing;
  /** Arguments of every "echo" event the server received, as the listener got them. */
  private static final BlockingQueue<List<Object>> echoed = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    front = Front.start(FrontSettings.of("127.0.0.1", 0)
        .withEngineIo(new EngineIoTimings(PING_INTERVAL, 5_000, 0)), () -> null);
    timing = Front.start(FrontSettings.of("127.0.0.1", 0)
        .withEngineIo(new EngineIoTimings(PING_INTERVAL, 5_000, CONNECT_TIMEOUT)), () -> null);
    var main = front.socketIo().getNamespace("");
    main.addConnectListener(SocketIoProtocolTest::joined);
    front.socketIo().addNamespace("/custom").addConnectListener(SocketIoProtocolTest::joined);
    main.addMultiTypeEventListener("echo", (MultiTypeEventListener) (client, args, ack) -> {
      echoed.add(args.getArgs());
      client.sendEvent("echo", args.getArgs().toArray());
    }, Object.class, Object.class, Object.class);
  }

  private static void joined(SocketIOClient client) {
    Object auth = client.getHandshakeData().getAuthToken();
    client.sendEvent("joined", auth != null ? auth : Map.of());
  }

  @AfterAll
  static void stop() {
    front.close();
    timing.close();
  }

  @Test
  void aNamespaceIsJoinedWhenTheClientConnectsAndItsListenersSeeThePayload() throws Exception {
    try (var socket = Socket.open(null)) {
      socket.send("40{\"token\":\"t1\"}");
      // Before, netty-socketio joined / when the WebSocket opened: "joined" came first, without the payload.
      assertTrue(socket.next().startsWith("40{\"sid\":"));
      assertEquals("42[\"joined\",{\"token\":\"t1\"}]", socket.next());
      socket.send("40/custom,");
      assertTrue(socket.next().startsWith("40/custom,{\"sid\":"));
      assertEquals("42/custom,[\"joined\",{\"token\":\"t1\"}]", socket.next());
    }
  }

  @Test
  void anUnknownNamespaceIsRefusedWithAnErrorObject() throws Exception {
    try (var socket = Socket.open(null)) {
      socket.send("40/random,");
      assertEquals("44/random,{\"message\":\"Invalid namespace\"}", socket.next());
    }
  }

  /** Before, leaving the last namespace ended the session in netty-socketio (no more pings, no rejoining). */
  @Test
  void leavingTheOnlyNamespaceKeepsTheSession() throws Exception {
    try (var socket = Socket.open(null)) {
      socket.send("40");
      assertTrue(socket.next().startsWith("40{"));
      assertEquals("42[\"joined\",{}]", socket.next());
      socket.send("41");
      socket.nextPing(); // the session is still pinged, and its pongs are heard
      socket.send("40");
      assertTrue(socket.next().startsWith("40{"), "and can join again");
      socket.send("41");
      socket.send("1");
      socket.awaitClose(); // and its close packet too
    }
  }

  @Test
  void aSessionThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout() throws Exception {
    try (var socket = Socket.open(timing, null)) {
      socket.awaitClose(); // bounded by 10 s; the timeout is 1.5 s
    }
  }

  @Test
  void aSessionThatJoinedStaysOpenPastTheConnectTimeout() throws Exception {
    try (var socket = Socket.open(timing, null)) {
      socket.send("40");
      assertTrue(socket.next().startsWith("40{"));
      // Answer pings for longer than the connect timeout: 10 pings at 200 ms.
      for (int i = 0; i < 10; i++) {
        socket.nextPing();
      }
      socket.send("3"); // still open: the send would fail on a closed WebSocket
      assertTrue(!socket.closed.isDone(), "not closed");
    }
  }

  @Test
  void theClosePacketClosesTheWebSocket() throws Exception {
    try (var socket = Socket.open(null)) {
      socket.send("40");
      assertTrue(socket.next().startsWith("40{"));
      socket.send("1");
      socket.awaitClose();
    }
  }

  @Test
  void binaryArgumentsReachListenersAsBytesAndGoBackAsBinaryMessages() throws Exception {
    try (var socket = Socket.open(null)) {
      socket.send("40");
      assertTrue(socket.next().startsWith("40{"));
      assertEquals("42[\"joined\",{}]", socket.next());
      echoed.clear();
      socket.send("451-[\"echo\",\"AQID\",{\"_placeholder\":true,\"num\":0}]");
      socket.sendBinary(new byte[] {1, 2, 3});
      List<Object> args = echoed.poll(10, TimeUnit.SECONDS);
      assertEquals("AQID", args.get(0), "a string stays a string, even if it looks like base64");
      assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) args.get(1));
      assertEquals("451-[\"echo\",\"AQID\",{\"_placeholder\":true,\"num\":0}]", socket.next());
      // EIO 4 sends the bytes alone; netty-socketio prefixed them with 4, EIO 3's message type.
      assertArrayEquals(new byte[] {1, 2, 3}, socket.nextBinary());
    }
  }

  @Test
  void aSecondWebSocketForAnUpgradedSessionIsClosedAndTheFirstGoesOn() throws Exception {
    var open = new RawHttp(front.address()).get("/socket.io/?EIO=4&transport=polling").read();
    Matcher sid = SID.matcher(open.text());
    assertTrue(sid.find(), open.text());
    try (var first = Socket.open(sid.group(1))) {
      first.send("2probe");
      assertEquals("3probe", first.next());
      first.send("5");
      try (var second = Socket.open(sid.group(1))) {
        second.awaitClose();
      }
      first.send("40");
      assertTrue(first.next().startsWith("40{"), "the session goes on on its first WebSocket");
    }
  }

  @Test
  void theOpenPacketAnnouncesTheConfiguredTimingsAndTheDefaultsAreUnchanged() throws Exception {
    var configured = new RawHttp(front.address()).get("/socket.io/?EIO=4&transport=polling").read().text();
    assertTrue(configured.contains("\"pingInterval\":200,\"pingTimeout\":5000"), configured);
    try (Front defaults = Front.start(FrontSettings.of("127.0.0.1", 0), () -> null)) {
      var open = new RawHttp(defaults.address()).get("/socket.io/?EIO=4&transport=polling").read().text();
      assertTrue(open.contains("\"pingInterval\":25000,\"pingTimeout\":60000"), open);
    }
  }

  /** One WebSocket on the front, its text and binary messages in order of arrival. */
  private static final class Socket implements AutoCloseable {
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private WebSocket webSocket;

    /** Opens a WebSocket (a new session without a sid) and, for a new session, reads its open packet. */
    static Socket open(String sid) throws Exception {
      return open(front, sid);
    }

    static Socket open(Front on, String sid) throws Exception {
      var socket = new Socket();
      socket.webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + on.address().getPort() + "/socket.io/?EIO=4&transport=websocket"
              + (sid != null ? "&sid=" + sid : "")), socket.listener())
          .get(10, TimeUnit.SECONDS);
      if (sid == null) {
        assertTrue(socket.next().startsWith("0{"), "the open packet");
      }
      return socket;
    }

    private WebSocket.Listener listener() {
      return new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();
        private final List<ByteBuffer> binary = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            received.add(text.toString());
            text.setLength(0);
          }
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
          binary.add(ByteBuffer.allocate(data.remaining()).put(data).flip());
          if (last) {
            int size = binary.stream().mapToInt(ByteBuffer::remaining).sum();
            ByteBuffer all = ByteBuffer.allocate(size);
            binary.forEach(all::put);
            binary.clear();
            received.add(all.array());
          }
          ws.request(1);
          return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
          closed.complete(statusCode);
          return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
          closed.complete(-1);
        }
      };
    }

    void send(String text) throws Exception {
      webSocket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    void sendBinary(byte[] bytes) throws Exception {
      webSocket.sendBinary(ByteBuffer.wrap(bytes), true).get(10, TimeUnit.SECONDS);
    }

    /**
     * The next text message but pings (answered) and NOOPs (the upgrade moves the NOOP netty-socketio queues on polling
     * for a probe to the WebSocket); fails after 10 s or on a binary one.
     */
    String next() throws Exception {
      String message;
      while ((message = nextText()).equals("2") || message.equals("6")) {
        if (message.equals("2")) {
          send("3");
        }
      }
      return message;
    }

    /** Waits for the next ping and answers it; fails on anything else. */
    void nextPing() throws Exception {
      assertEquals("2", nextText());
      send("3");
    }

    private String nextText() throws InterruptedException {
      Object message = received.poll(10, TimeUnit.SECONDS);
      assertTrue(message instanceof String, () -> "expected a text message, got " + describe(message));
      return (String) message;
    }

    byte[] nextBinary() throws InterruptedException {
      Object message = received.poll(10, TimeUnit.SECONDS);
      assertTrue(message instanceof byte[], () -> "expected a binary message, got " + describe(message));
      return (byte[]) message;
    }

    /** Waits (at most 10 s) until the server closed the WebSocket. */
    void awaitClose() throws Exception {
      closed.get(10, TimeUnit.SECONDS);
    }

    private static String describe(Object message) {
      return message instanceof byte[] bytes ? "binary " + java.util.Arrays.toString(bytes)
          : message == null ? "nothing within 10 s" : "\"" + message + "\"";
    }

    @Override
    public void close() {
      webSocket.abort();
    }
  }
}
