package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Engine.IO v4 on the public port of the real server, byte by byte over raw HTTP (and the JDK's WebSocket client for
 * the upgrade): the open packet has every field the protocol requires, protocol errors are answered with 400 and the
 * protocol's JSON body, a polling client's poll is answered while it upgrades, and polling disconnects leave no error
 * in the server log.
 */
class EngineIoProtocolIT {
  /** The public port's default largest request body, which is also the WebSocket message limit. */
  static final int DEFAULT_MAX_PAYLOAD = 2 * 1024 * 1024;
  static final String POLLING = "/socket.io/?EIO=4&transport=polling";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** A polling handshake: the open packet's JSON. */
  static JsonNode open() {
    Http.Response open = http.raw("GET", POLLING, "*/*");
    assertEquals(200, open.status(), () -> server.explain(open));
    assertTrue(open.body().startsWith("0{"), () -> server.explain(open));
    return Http.json(open.body().substring(1));
  }

  static String session(String sid) {
    return POLLING + "&sid=" + sid;
  }

  static Http.Response post(String target, String packets) {
    return http.send("POST", target, packets, "text/plain;charset=UTF-8");
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void theOpenPacketHasEveryFieldTheProtocolRequires() {
    JsonNode open = open();
    assertTrue(open.path("sid").isTextual() && !open.path("sid").asText().isBlank(), open::toString);
    assertEquals("[\"websocket\"]", open.path("upgrades").toString(), open::toString);
    assertTrue(open.path("pingInterval").isInt() && open.path("pingInterval").asInt() > 0, open::toString);
    assertTrue(open.path("pingTimeout").isInt() && open.path("pingTimeout").asInt() > 0, open::toString);
    assertEquals(DEFAULT_MAX_PAYLOAD, open.path("maxPayload").asInt(-1), open::toString);
    System.out.printf("[e2e] Engine.IO open packet: %s%n", open);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
      "GET  | /socket.io/?transport=polling                   | 5 | Unsupported protocol version",
      "GET  | /socket.io/?EIO=3&transport=polling             | 5 | Unsupported protocol version",
      "GET  | /socket.io/?EIO=5&transport=websocket           | 5 | Unsupported protocol version",
      "GET  | /socket.io/?EIO=4&transport=bogus               | 0 | Transport unknown",
      "GET  | /socket.io/?EIO=4                               | 0 | Transport unknown",
      "GET  | /socket.io/?EIO=4&transport=polling&sid=unknown | 1 | Session ID unknown",
      "GET  | /socket.io/?EIO=4&transport=polling&sid=00000000-0000-0000-0000-000000000000 | 1 | Session ID unknown",
      "POST | /socket.io/?EIO=4&transport=polling             | 2 | Bad handshake method",
      "GET  | /socket.io/?EIO=4&transport=websocket           | 3 | Bad request"})
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void protocolErrorsAre400WithTheProtocolsBody(String method, String target, int code, String message) {
    Http.Response answer = http.raw(method, target, "*/*");
    assertEquals(400, answer.status(), () -> server.explain(answer));
    assertEquals("application/json; charset=utf-8", answer.header("content-type"), () -> server.explain(answer));
    JsonNode body = Http.json(answer.body());
    assertEquals(code, body.path("code").asInt(-1), () -> server.explain(answer));
    assertEquals(message, body.path("message").asText(), () -> server.explain(answer));
    assertEquals(2, body.size(), () -> server.explain(answer));
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void aClosedSessionIsUnknown() {
    String sid = open().path("sid").asText();
    assertEquals("ok", post(session(sid), "40").body());
    assertTrue(http.raw("GET", session(sid), "*/*").body().startsWith("40{"), "the namespace's connect packet");
    assertEquals("ok", post(session(sid), "1").body()); // Engine.IO close
    Http.Response poll = http.raw("GET", session(sid), "*/*");
    assertEquals(400, poll.status(), () -> server.explain(poll));
    assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", poll.body(), () -> server.explain(poll));
  }

  /**
   * A polling client that disconnects sends its leave ({@code 41}) and its close ({@code 1}) as two concurrent POSTs.
   * Whichever the server handles first ends the session; the other must be answered as the protocol says, and
   * nothing about it is an error worth logging (netty-socketio logged {@code [ERROR] PollingTransport - <sid> is not
   * registered} for it).
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void pollingDisconnectsLeaveNoErrorInTheLog() throws Exception {
    int before = errorLines().size();
    for (int i = 0; i < 20; i++) {
      String sid = open().path("sid").asText();
      assertEquals("ok", post(session(sid), "40").body());
      var leave = CompletableFuture.supplyAsync(() -> post(session(sid), "41"));
      var close = CompletableFuture.supplyAsync(() -> post(session(sid), "1"));
      for (Http.Response answer : List.of(leave.get(20, TimeUnit.SECONDS), close.get(20, TimeUnit.SECONDS))) {
        assertTrue(answer.status() == 200 && answer.body().equals("ok")
            || answer.status() == 400 && answer.body().equals("{\"code\":1,\"message\":\"Session ID unknown\"}"),
            () -> server.explain(answer));
      }
      Http.Response gone = http.raw("GET", session(sid), "*/*");
      assertEquals(400, gone.status(), () -> server.explain(gone));
    }
    List<String> errors = errorLines();
    assertEquals(before, errors.size(), () -> "new ERROR lines in the server log:\n"
        + String.join("\n", errors.subList(before, errors.size())));
  }

  /**
   * A client that goes away without closing (a browser tab killed, a laptop's network gone) resets its connection.
   * That is how connections end, not a server error: netty-socketio logged each reset as an {@code [ERROR]} with a stack
   * trace (fifty of them when fifty chat clients stopped at once).
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void connectionsResetByTheirClientsLeaveNoErrorInTheLog() throws Exception {
    int before = errorLines().size();
    String host = "Host: " + server.host() + ":" + server.port() + "\r\n";
    for (int i = 0; i < 10; i++) {
      // An open WebSocket session, and a request cut off halfway, each ended with a reset (linger 0) instead of a FIN.
      try (var socket = new Socket(server.host(), server.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n" + host
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        var answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        assertTrue(answer.readLine().startsWith("HTTP/1.1 101"), "upgraded");
        socket.setSoLinger(true, 0);
      }
      try (var socket = new Socket(server.host(), server.port())) {
        socket.getOutputStream().write(("GET /api/agents HTTP/1.1\r\n" + host).getBytes(StandardCharsets.US_ASCII));
        socket.setSoLinger(true, 0);
      }
    }
    // The resets are read on the port's event loops; the server answers requests throughout, and logs nothing.
    for (int i = 0; i < 10; i++) {
      Http.Response agents = http.raw("GET", "/api/agents", "application/json");
      assertEquals(200, agents.status(), () -> server.explain(agents));
      ServerProcess.pause(100);
    }
    List<String> errors = errorLines();
    assertEquals(before, errors.size(), () -> "new ERROR lines in the server log:\n"
        + String.join("\n", errors.subList(before, errors.size())));
  }

  static List<String> errorLines() {
    return server.logText().lines().filter(line -> line.contains("[ERROR]") || line.contains("is not registered"))
        .collect(Collectors.toCollection(ArrayList::new));
  }

  /**
   * The step of a polling-to-WebSocket upgrade that hung: the poll answered by the probe's NOOP reaches the client
   * before {@code 3probe}, so the client polls again, and waits for that poll before it sends the upgrade. That poll
   * must be answered (with a NOOP), not parked until the next ping. The reads are bounded by the test's timeout.
   */
  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aPollDuringTheUpgradeIsAnswered() throws Exception {
    String sid = open().path("sid").asText();
    assertEquals("ok", post(session(sid), "40").body());
    assertTrue(http.raw("GET", session(sid), "*/*").body().startsWith("40{"), "the namespace's connect packet");

    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket webSocket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket&sid=" + sid),
            new WebSocket.Listener() {
              final StringBuilder partial = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                  received.add(partial.toString());
                  partial.setLength(0);
                }
                ws.request(1);
                return null;
              }
            })
        .get(10, TimeUnit.SECONDS);
    webSocket.sendText("2probe", true).get(10, TimeUnit.SECONDS);
    assertEquals("3probe", received.poll(10, TimeUnit.SECONDS));
    // netty-socketio's own NOOP, for the poll the client had open at the probe (here: none, so the next one gets it).
    assertEquals("6", http.raw("GET", session(sid), "*/*").body());
    // The client's next poll, before it read 3probe.
    Http.Response next = http.raw("GET", session(sid), "*/*");
    assertEquals(200, next.status(), () -> server.explain(next));
    assertEquals("6", next.body(), () -> server.explain(next));

    webSocket.sendText("5", true).get(10, TimeUnit.SECONDS); // upgrade
    webSocket.sendText("2", true).get(10, TimeUnit.SECONDS); // a ping, answered on the WebSocket now
    assertEquals("3", received.poll(10, TimeUnit.SECONDS));
    Http.Response afterUpgrade = http.raw("GET", session(sid), "*/*");
    assertEquals(400, afterUpgrade.status(), () -> server.explain(afterUpgrade));
    assertEquals("{\"code\":3,\"message\":\"Bad request\"}", afterUpgrade.body(), () -> server.explain(afterUpgrade));
    webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
  }
}
