package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.corundumstudio.socketio.handler.ClientsBox;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.socket.client.IO;
import io.socket.client.Socket;
import okhttp3.OkHttpClient;

/**
 * Engine.IO v4 as the protocol specifies it, on a real front, with raw HTTP (so every byte is seen), the JDK's
 * WebSocket client (to play the client's side of an upgrade step by step) and the Java Socket.IO client.
 */
class EngineIoProtocolTest {
  /** Not netty-socketio's 64 KiB WebSocket default, and not the front's default either: the setting must be used. */
  private static final int LIMIT = 300 * 1024;
  private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

  private static Front front;

  @BeforeAll
  static void start() {
    front = Front.start(FrontSettings.of("127.0.0.1", 0).withMaxRequestBytes(LIMIT), () -> null);
  }

  @AfterAll
  static void stop() {
    front.close();
  }

  private static RawHttp connect() throws IOException {
    return new RawHttp(front.address());
  }

  private static RawHttp.Response get(String target) throws IOException {
    try (var http = connect()) {
      return http.get(target).read();
    }
  }

  private static RawHttp.Response post(String target, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (var http = connect()) {
      http.send(("POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain;charset=UTF-8\r\n"
          + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      return http.send(bytes).read();
    }
  }

  /** A polling handshake; returns the session id. */
  private static String handshake() throws IOException {
    var open = get("/socket.io/?EIO=4&transport=polling");
    assertEquals(200, open.status(), open.text());
    Matcher sid = SID.matcher(open.text());
    assertTrue(sid.find(), open.text());
    return sid.group(1);
  }

  private static String session(String sid) {
    return "/socket.io/?EIO=4&transport=polling&sid=" + sid;
  }

  private static void assertEngineIoError(RawHttp.Response response, String body) {
    assertEquals(400, response.status(), response.text());
    assertEquals("application/json; charset=utf-8", response.header("content-type"));
    assertEquals(body, response.text());
  }

  // --- the open packet --------------------------------------------------------------------------------------------

  @Test
  void theOpenPacketHasEveryFieldOfTheProtocol() throws Exception {
    var open = get("/socket.io/?EIO=4&transport=polling");
    assertEquals(200, open.status());
    String packet = open.text();
    assertTrue(packet.startsWith("0{"), packet);
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(packet.substring(1));
    assertTrue(json.path("sid").isTextual(), packet);
    assertEquals(List.of("websocket"), List.of(json.path("upgrades").get(0).asText()), packet);
    assertEquals(1, json.path("upgrades").size(), packet);
    assertTrue(json.path("pingInterval").isInt() && json.path("pingInterval").asInt() > 0, packet);
    assertTrue(json.path("pingTimeout").isInt() && json.path("pingTimeout").asInt() > 0, packet);
    assertEquals(LIMIT, json.path("maxPayload").asInt(-1), packet);
  }

  /**
   * maxPayload is the real limit on both transports: a polling POST over it is refused, and a WebSocket message over
   * netty-socketio's own 64 KiB frame limit but within maxPayload arrives (before, the WebSocket was closed with 1009).
   */
  @Test
  void maxPayloadIsWhatTheServerAccepts() throws Exception {
    String sid = handshake();
    var tooLarge = post(session(sid), "4" + "x".repeat(LIMIT));
    assertEquals(413, tooLarge.status(), tooLarge.text());

    CompletableFuture<Integer> received = new CompletableFuture<>();
    front.socketIo().addEventListener("big", String.class, (client, data, ack) -> received.complete(data.length()));
    OkHttpClient okHttp = new OkHttpClient();
    IO.Options options = IO.Options.builder().setTransports(new String[] {"websocket"}).setForceNew(true)
        .setReconnection(false).build();
    options.callFactory = okHttp;
    options.webSocketFactory = okHttp;
    Socket socket = IO.socket(front.url(), options);
    try {
      CompletableFuture<Void> connected = new CompletableFuture<>();
      socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
      socket.connect();
      connected.get(10, TimeUnit.SECONDS);
      int length = LIMIT - 1024; // room for the packet's framing: 42["big","..."]
      socket.emit("big", "y".repeat(length));
      assertEquals(length, received.get(10, TimeUnit.SECONDS));
    } finally {
      socket.close();
      front.socketIo().removeAllListeners("big");
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  /**
   * More packets than netty-socketio puts into one poll answer (50), queued at once: every one arrives, in order. Its
   * encoder took the 51st off the queue and dropped it.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"polling", "websocket"})
  void aBurstOfPacketsArrivesWhole(String transport) throws Exception {
    int count = 300;
    front.socketIo().addEventListener("burst", String.class, (client, data, ack) -> {
      for (int i = 0; i < count; i++) {
        client.sendEvent("n", i);
      }
    });
    OkHttpClient okHttp = new OkHttpClient();
    IO.Options options = IO.Options.builder().setTransports(new String[] {transport}).setForceNew(true)
        .setReconnection(false).build();
    options.callFactory = okHttp;
    options.webSocketFactory = okHttp;
    Socket socket = IO.socket(front.url(), options);
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    socket.on("n", args -> received.add(args[0]));
    try {
      CompletableFuture<Void> connected = new CompletableFuture<>();
      socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
      socket.connect();
      connected.get(10, TimeUnit.SECONDS);
      socket.emit("burst", "go");
      for (int i = 0; i < count; i++) {
        Object next = received.poll(10, TimeUnit.SECONDS);
        assertEquals(i, next, "packet " + i + " of " + count + " over " + transport);
      }
    } finally {
      socket.close();
      front.socketIo().removeAllListeners("burst");
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  // --- errors -----------------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "GET    | /socket.io/?transport=polling                     | 5",
      "GET    | /socket.io/?EIO=3&transport=polling               | 5",
      "GET    | /socket.io/?EIO=5&transport=polling               | 5",
      "GET    | /socket.io/?EIO=4&transport=bogus                 | 0",
      "GET    | /socket.io/?EIO=4                                 | 0",
      "GET    | /socket.io/?EIO=4&transport=polling&sid=unknown   | 1",
      "POST   | /socket.io/?EIO=4&transport=polling               | 2",
      "GET    | /socket.io/?EIO=4&transport=websocket             | 3"})
  void protocolErrorsAreAnsweredAsTheProtocolSpecifies(String method, String target, int code) throws Exception {
    String expected = List.of(EngineIoChecks.TRANSPORT_UNKNOWN, EngineIoChecks.UNKNOWN_SESSION,
        EngineIoChecks.BAD_HANDSHAKE_METHOD, EngineIoChecks.BAD_REQUEST, "", EngineIoChecks.UNSUPPORTED_VERSION)
        .get(code);
    var response = method.equals("GET") ? get(target) : post(target, "");
    assertEngineIoError(response, expected);
  }

  @Test
  void anUnknownSessionIsRefusedForEveryTransportAndMethod() throws Exception {
    String unknown = UUID.randomUUID().toString();
    assertEngineIoError(get(session(unknown)), EngineIoChecks.UNKNOWN_SESSION);
    assertEngineIoError(post(session(unknown), "40"), EngineIoChecks.UNKNOWN_SESSION);
    try (var http = connect()) {
      http.send("GET /socket.io/?EIO=4&transport=websocket&sid=" + unknown + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
      assertEngineIoError(http.read(), EngineIoChecks.UNKNOWN_SESSION);
    }
  }

  @Test
  void aWebSocketIsNeverCompressedEvenWhenTheClientOffersIt() throws Exception {
    try (var http = connect()) {
      http.send(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response upgrade = http.read();
      assertEquals(101, upgrade.status(), upgrade.headers().toString());
      assertEquals(null, upgrade.header("sec-websocket-extensions"), "as Socket.IO 4: perMessageDeflate is off");
    }
  }

  @Test
  void aClosedSessionIsUnknown() throws Exception {
    String sid = handshake();
    assertEquals("ok", post(session(sid), "40").text());
    assertEquals(200, get(session(sid)).status()); // the namespace's connect packet
    assertEquals("ok", post(session(sid), "1").text()); // close
    assertEngineIoError(get(session(sid)), EngineIoChecks.UNKNOWN_SESSION);
    assertEngineIoError(post(session(sid), "40"), EngineIoChecks.UNKNOWN_SESSION);

    // Leaving the last namespace does not end the session (Socket.IO v5; netty-socketio ended it): it can join again.
    String left = handshake();
    assertEquals("ok", post(session(left), "40").text());
    assertEquals("ok", post(session(left), "41").text());
    assertTrue(get(session(left)).text().startsWith("40{"), "the first join's connect packet");
    assertEquals("ok", post(session(left), "40").text());
    assertTrue(get(session(left)).text().startsWith("40{"), "the second join's connect packet");
  }

  /**
   * A session that ends between the front's check and the poll being served (a polling client sends its leave and
   * close packets as two concurrent POSTs) gets the protocol's answer; netty-socketio logged
   * {@code [ERROR] PollingTransport - <sid> is not registered} and answered 500. The race is played here directly on the
   * handler, with a registry that does not know the session.
   */
  @Test
  void aSessionThatEndedJustBeforeItsPollIsServedGetsUnknownSession() {
    for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
      var channel = new EmbeddedChannel(new PollingRequests(new ClientsBox()));
      var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method,
          session(UUID.randomUUID().toString()), Unpooled.copiedBuffer("1", StandardCharsets.UTF_8));
      channel.writeInbound(request);
      FullHttpResponse response = channel.readOutbound();
      assertEquals(400, response.status().code(), method.name());
      assertEquals(EngineIoChecks.UNKNOWN_SESSION, response.content().toString(StandardCharsets.UTF_8));
      assertEquals(0, request.refCnt(), "the request was released");
      assertTrue(!channel.isOpen(), "closed after the answer, as every Engine.IO polling answer");
      response.release();
      channel.finishAndReleaseAll();
    }
  }

  // --- the upgrade from polling to WebSocket ----------------------------------------------------------------------

  /**
   * The order of events that made the default transport sequence (polling, then upgrade) hang: the client's poll is
   * answered by netty-socketio's one NOOP before the client has read {@code 3probe}, so it polls again; then it reads
   * {@code 3probe} and waits for that poll to complete before it sends the upgrade. netty-socketio parked the poll
   * until the next ping (25 s). Every poll during an upgrade must be answered.
   *
   * <p>The read of the second poll is bounded by RawHttp's 5 s socket timeout: without the fix it fails there.
   */
  @Test
  void everyPollIsAnsweredWhileTheClientUpgrades() throws Exception {
    String sid = handshake();
    assertEquals("ok", post(session(sid), "40").text());
    assertTrue(get(session(sid)).text().startsWith("40{"), "the namespace's connect packet");

    try (var firstPoll = connect(); var secondPoll = connect()) {
      firstPoll.get(session(sid)); // parked: nothing to say yet

      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      WebSocket webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + front.address().getPort()
              + "/socket.io/?EIO=4&transport=websocket&sid=" + sid), new Collector(received))
          .get(10, TimeUnit.SECONDS);
      webSocket.sendText("2probe", true).get(10, TimeUnit.SECONDS);
      assertEquals("3probe", received.poll(10, TimeUnit.SECONDS));

      var answered = firstPoll.read();
      assertEquals(200, answered.status());
      assertEquals("6", answered.text(), "netty-socketio's NOOP");

      // The client read that NOOP first and polled again. This poll must be answered too.
      var next = secondPoll.get(session(sid)).read();
      assertEquals(200, next.status());
      assertEquals("6", next.text());

      webSocket.sendText("5", true).get(10, TimeUnit.SECONDS); // upgrade
      // Now on WebSocket: a ping is answered there, and polling is over for this session.
      webSocket.sendText("2", true).get(10, TimeUnit.SECONDS);
      assertEquals("3", received.poll(10, TimeUnit.SECONDS));
      assertEngineIoError(get(session(sid)), EngineIoChecks.BAD_REQUEST);
      webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }
  }

  private static final class Collector implements WebSocket.Listener {
    private final BlockingQueue<String> received;
    private final StringBuilder partial = new StringBuilder();

    Collector(BlockingQueue<String> received) {
      this.received = received;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
