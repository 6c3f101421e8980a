package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.Transport;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

class EngineIoChecksTest {
  static final UUID POLLING = UUID.fromString("11111111-2222-3333-4444-555555555555");
  static final UUID UPGRADED = UUID.fromString("66666666-7777-8888-9999-000000000000");
  static final Map<UUID, Transport> LIVE = Map.of(POLLING, Transport.POLLING, UPGRADED, Transport.WEBSOCKET);

  static String check(String uri) {
    return check(HttpMethod.GET, uri);
  }

  static String check(HttpMethod method, String uri) {
    return EngineIoChecks.problem(request(method, uri), LIVE::get);
  }

  static String checkWebSocket(String uri) {
    FullHttpRequest request = request(HttpMethod.GET, uri);
    request.headers().set("Upgrade", "websocket").set("Connection", "keep-alive, Upgrade");
    return EngineIoChecks.problem(request, LIVE::get);
  }

  static FullHttpRequest request(HttpMethod method, String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
  }

  @Test
  void theBodiesAreTheProtocols() {
    assertEquals("{\"code\":0,\"message\":\"Transport unknown\"}", EngineIoChecks.TRANSPORT_UNKNOWN);
    assertEquals("{\"code\":1,\"message\":\"Session ID unknown\"}", EngineIoChecks.UNKNOWN_SESSION);
    assertEquals("{\"code\":2,\"message\":\"Bad handshake method\"}", EngineIoChecks.BAD_HANDSHAKE_METHOD);
    assertEquals("{\"code\":3,\"message\":\"Bad request\"}", EngineIoChecks.BAD_REQUEST);
    assertEquals("{\"code\":5,\"message\":\"Unsupported protocol version\"}", EngineIoChecks.UNSUPPORTED_VERSION);
  }

  @Test
  void handshakesOfEitherTransportPass() {
    assertNull(check("/socket.io/?EIO=4&transport=polling"));
    assertNull(check("/socket.io/?EIO=4&transport=polling&t=PXy1a2b"));
    assertNull(checkWebSocket("/socket.io/?EIO=4&transport=websocket"));
  }

  @Test
  void onlyEngineIoVersionFourIsServed() {
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=3&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=5&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?transport=polling"), "EIO missing");
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=4&EIO=3&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?transport=polling&sid=" + POLLING),
        "also with a session");
  }

  @Test
  void onlyPollingAndWebSocketAreTransports() {
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4&transport=bogus"));
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4&transport=Polling"));
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4&transport=webtransport"));
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4"), "transport missing");
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4&transport=polling&transport=websocket"));
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=4&transport=bogus&sid=" + POLLING));
    // The reference server checks the transport first.
    assertEquals(EngineIoChecks.TRANSPORT_UNKNOWN, check("/socket.io/?EIO=3&transport=bogus"));
  }

  @Test
  void aSessionIdMustBeLive() {
    assertNull(check("/socket.io/?EIO=4&transport=polling&sid=" + POLLING));
    assertNull(check(HttpMethod.POST, "/socket.io/?EIO=4&transport=polling&sid=" + POLLING));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=polling&sid=" + UUID.randomUUID()));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=polling&sid=unknown"));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=polling&sid="));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, checkWebSocket("/socket.io/?EIO=4&transport=websocket&sid=" + POLLING
        + "&sid=x"));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, checkWebSocket("/socket.io/?EIO=4&transport=websocket&sid="
        + UUID.randomUUID()));
  }

  @Test
  void aHandshakeIsAGet() {
    assertEquals(EngineIoChecks.BAD_HANDSHAKE_METHOD, check(HttpMethod.POST, "/socket.io/?EIO=4&transport=polling"));
    assertEquals(EngineIoChecks.BAD_HANDSHAKE_METHOD, check(HttpMethod.PUT, "/socket.io/?EIO=4&transport=polling"));
    assertEquals(EngineIoChecks.BAD_HANDSHAKE_METHOD, check(HttpMethod.OPTIONS, "/socket.io/?EIO=4&transport=polling"));
  }

  @Test
  void badRequests() {
    assertEquals(EngineIoChecks.BAD_REQUEST, check("/socket.io/?EIO=4&transport=websocket"),
        "a WebSocket handshake without the upgrade headers");
    assertEquals(EngineIoChecks.BAD_REQUEST, check("/socket.io/?EIO=4&transport=websocket&sid=" + POLLING),
        "an upgrade without the upgrade headers");
    assertNull(checkWebSocket("/socket.io/?EIO=4&transport=websocket&sid=" + POLLING), "the upgrade itself");
    assertNull(checkWebSocket("/socket.io/?EIO=4&transport=websocket&sid=" + UPGRADED),
        "a second upgrade passes, to be accepted and closed by RepeatedUpgrades (SocketIoProtocolTest)");
    assertEquals(EngineIoChecks.BAD_REQUEST, check("/socket.io/?EIO=4&transport=polling&sid=" + UPGRADED),
        "a poll after the upgrade");
    assertEquals(EngineIoChecks.BAD_REQUEST, check(HttpMethod.PUT, "/socket.io/?EIO=4&transport=polling&sid="
        + POLLING));
    assertEquals(EngineIoChecks.BAD_REQUEST, check(HttpMethod.OPTIONS, "/socket.io/?EIO=4&transport=polling&sid="
        + POLLING));
  }
}
