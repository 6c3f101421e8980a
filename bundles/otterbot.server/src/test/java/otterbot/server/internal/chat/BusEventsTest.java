package otterbot.server.internal.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.socket.client.IO;
import io.socket.client.Socket;
import okhttp3.OkHttpClient;

import otterbot.api.orchestration.AgentMessage;
import otterbot.server.internal.Front;
import otterbot.server.internal.FrontSettings;

/**
 * The bus transport on a real public port with the Java Socket.IO client (both transports) and, for the field order
 * the Java client's org.json loses, a raw Engine.IO WebSocket. Waits are bounded (10 s) only so that a broken build
 * fails instead of hanging; no assertion depends on timing.
 */
class BusEventsTest {
  private static final long WAIT_SECONDS = 10;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant CREATED = Instant.parse("2025-03-04T05:06:07.089Z");

  private static Front front;
  private static BusEvents bus;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void start() {
    front = Front.start(FrontSettings.of("127.0.0.1", 0), () -> null);
    bus = new BusEvents(front.socketIo());
  }

  @AfterAll
  static void stop() {
    front.close();
  }

  @AfterEach
  void disconnect() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private static AgentMessage message(long seq, String kind, String to, String correlationId, Object payload,
      String status) {
    return new AgentMessage("msg-" + seq, seq, kind, "coo", to, "thread-1", correlationId, null, "body ✓ " + seq,
        payload, status, AgentMessage.LOCAL, CREATED);
  }

  @Test
  void itsIdIsSocketIo() {
    assertEquals("socket.io", bus.id());
  }

  /** Every socket, on either transport, gets every message, in the order they were sent. */
  @ParameterizedTest
  @ValueSource(strings = {"websocket", "polling"})
  void everySocketGetsEveryMessageInOrder(String transport) throws Exception {
    Client one = connect(transport);
    Client two = connect("websocket");
    int count = 200;
    for (int i = 1; i <= count; i++) {
      bus.send(message(i, AgentMessage.BROADCAST, null, null, null, null));
    }
    for (Client client : List.of(one, two)) {
      for (int i = 1; i <= count; i++) {
        JSONObject received = client.next();
        assertEquals(i, received.getLong("seq"), client.transport);
        assertEquals("body ✓ " + i, received.getString("body"));
      }
    }
  }

  /** Upstream's fields in upstream's order; payload and status left out when null; null to/correlationId kept. */
  @Test
  void theJsonHasUpstreamsFieldsInOrder() throws Exception {
    try (RawSocket raw = RawSocket.connect()) {
      bus.send(message(7, AgentMessage.BROADCAST, null, null, null, null));
      JsonNode plain = raw.nextBusMessage();
      assertEquals(List.of("id", "seq", "kind", "from", "to", "threadId", "correlationId", "rootSpawnId", "body",
          "transport", "createdAt"), names(plain));
      assertEquals("msg-7", plain.path("id").asText());
      assertEquals(7, plain.path("seq").asLong());
      assertTrue(plain.path("seq").isIntegralNumber());
      assertEquals("broadcast", plain.path("kind").asText());
      assertEquals("coo", plain.path("from").asText());
      assertTrue(plain.path("to").isNull());
      assertTrue(plain.path("correlationId").isNull());
      assertTrue(plain.path("rootSpawnId").isNull());
      assertEquals("body ✓ 7", plain.path("body").asText());
      assertEquals("local", plain.path("transport").asText());
      assertEquals("2025-03-04T05:06:07.089Z", plain.path("createdAt").asText());

      bus.send(message(8, AgentMessage.RESPONSE, "writer", "msg-7", Map.of("score", 3, "tags", List.of("a", "b")),
          "idle"));
      JsonNode full = raw.nextBusMessage();
      assertEquals(List.of("id", "seq", "kind", "from", "to", "threadId", "correlationId", "rootSpawnId", "body",
          "payload", "status", "transport", "createdAt"), names(full));
      assertEquals("writer", full.path("to").asText());
      assertEquals("msg-7", full.path("correlationId").asText());
      assertEquals(JSON.readTree("{\"score\":3,\"tags\":[\"a\",\"b\"]}"), full.path("payload"));
      assertEquals("idle", full.path("status").asText());
    }
  }

  /** A payload Jackson cannot write is sent as its text, and does not break the packets around it. */
  @Test
  void aPayloadJacksonCannotWriteDoesNotBreakTheStream() throws Exception {
    Client client = connect("websocket");
    Object unwritable = new Object() {
      @SuppressWarnings("unused")
      public Object getSelf() {
        return this; // a cycle
      }

      @Override
      public String toString() {
        return "unwritable";
      }
    };
    bus.send(message(1, AgentMessage.TOOL, null, null, unwritable, null));
    bus.send(message(2, AgentMessage.TOOL, null, null, null, null));
    JSONObject first = client.next();
    assertEquals(1, first.getLong("seq"));
    assertEquals("unwritable", first.getString("payload"));
    assertEquals(2, client.next().getLong("seq"));
  }

  @Test
  void aClosedTransportSendsNothing() throws Exception {
    BusEvents closed = new BusEvents(front.socketIo());
    closed.close();
    Client client = connect("websocket");
    closed.send(message(1, AgentMessage.BROADCAST, null, null, null, null));
    bus.send(message(2, AgentMessage.BROADCAST, null, null, null, null));
    assertEquals(2, client.next().getLong("seq"), "only the open transport's message arrives");
    assertNull(client.received.poll(200, TimeUnit.MILLISECONDS));
  }

  private static List<String> names(JsonNode node) {
    var names = new ArrayList<String>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private Client connect(String transport) throws Exception {
    Client client = new Client(transport);
    opened.add(client);
    client.connect();
    return client;
  }

  /** The Java Socket.IO client, recording bus:message payloads. */
  private static final class Client implements AutoCloseable {
    final String transport;
    final Socket socket;
    final OkHttpClient okHttp = new OkHttpClient();
    final BlockingQueue<JSONObject> received = new LinkedBlockingQueue<>();

    Client(String transport) {
      this.transport = transport;
      IO.Options options = IO.Options.builder().setTransports(new String[] {transport}).setForceNew(true)
          .setReconnection(false).build();
      options.callFactory = okHttp;
      options.webSocketFactory = okHttp;
      socket = IO.socket(URI.create(front.url().toString()), options);
      socket.on(BusEvents.EVENT, args -> received.add((JSONObject) args[0]));
    }

    void connect() throws InterruptedException {
      CountDownLatch connected = new CountDownLatch(1);
      socket.once(Socket.EVENT_CONNECT, args -> connected.countDown());
      socket.connect();
      assertTrue(connected.await(WAIT_SECONDS, TimeUnit.SECONDS), transport + " client connects");
    }

    JSONObject next() throws InterruptedException {
      JSONObject next = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(next, transport + " client waited in vain for bus:message");
      return next;
    }

    @Override
    public void close() {
      socket.close();
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  /** Engine.IO v4 over a plain WebSocket: the frames as the server wrote them, field order included. */
  private static final class RawSocket implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CountDownLatch connected = new CountDownLatch(1);
    final StringBuilder partial = new StringBuilder();
    WebSocket webSocket;

    static RawSocket connect() throws Exception {
      RawSocket raw = new RawSocket();
      URI uri = URI.create(front.url().toString().replaceFirst("^http", "ws").replaceAll("/$", "")
          + "/socket.io/?EIO=4&transport=websocket");
      raw.webSocket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, raw)
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertTrue(raw.connected.await(WAIT_SECONDS, TimeUnit.SECONDS), "the raw socket connects to the namespace");
      return raw;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        if (frame.startsWith("0")) {
          ws.sendText("40", true);
        } else if (frame.equals("2")) {
          ws.sendText("3", true);
        } else if (frame.startsWith("40")) {
          connected.countDown();
        } else {
          frames.add(frame);
        }
      }
      ws.request(1);
      return null;
    }

    JsonNode nextBusMessage() throws Exception {
      String frame = frames.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(frame, "the raw socket waited in vain for bus:message");
      assertTrue(frame.startsWith("42["), frame);
      JsonNode array = JSON.readTree(frame.substring(2));
      assertEquals(BusEvents.EVENT, array.path(0).asText(), frame);
      return array.path(1);
    }

    @Override
    public void close() throws Exception {
      webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }
}
