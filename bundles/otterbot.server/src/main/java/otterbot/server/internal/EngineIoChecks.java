package otterbot.server.internal;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.corundumstudio.socketio.Transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The Engine.IO v4 request checks netty-socketio 2.0.14 does not make (or makes with an ERROR in the log), answered as
 * the protocol and its reference server do: {@code 400 {"code":N,"message":...}}. In the reference server's order:
 *
 * <ol>
 *   <li>{@code transport} missing, repeated or neither {@code polling} nor {@code websocket}: 0 "Transport unknown"
 *       (netty-socketio answers a handshake so, but logs an ERROR, and leaves the same with a {@code sid} unanswered);
 *   <li>{@code EIO} missing, repeated or not 4: 5 "Unsupported protocol version" (netty-socketio would hand out an EIO 3
 *       session, which our clients cannot use reliably; the reference server treats a missing EIO as 3);
 *   <li>a {@code sid} that is malformed, unknown or of a closed session: 1 "Session ID unknown" (netty-socketio drops the
 *       connection without an answer, or answers 500 and logs an ERROR);
 *   <li>with a session: a polling request other than GET or POST, a polling request for a session that has upgraded to
 *       WebSocket, a WebSocket request without the WebSocket upgrade headers: 3 "Bad request" (a second WebSocket for
 *       a session already on WebSocket is accepted and closed, see {@link RepeatedUpgrades});
 *   <li>without a session (a handshake): any method but GET: 2 "Bad handshake method" (netty-socketio would open a
 *       session for a POST and never send its open packet); a WebSocket handshake without the upgrade headers:
 *       3 "Bad request".
 * </ol>
 */
final class EngineIoChecks {
  static final String TRANSPORT_UNKNOWN = error(0, "Transport unknown");
  static final String UNKNOWN_SESSION = error(1, "Session ID unknown");
  static final String BAD_HANDSHAKE_METHOD = error(2, "Bad handshake method");
  static final String BAD_REQUEST = error(3, "Bad request");
  static final String UNSUPPORTED_VERSION = error(5, "Unsupported protocol version");

  private static final String POLLING = "polling";
  private static final String WEBSOCKET = "websocket";

  private EngineIoChecks() {}

  private static String error(int code, String message) {
    return "{\"code\":" + code + ",\"message\":\"" + message + "\"}";
  }

  /**
   * @param request a Socket.IO request (its target is for the Socket.IO path)
   * @param sessions the transport a live session is currently on, or null when the id is unknown or the session closed
   * @return the error body to answer with 400, or null when the request may go on
   */
  static String problem(HttpRequest request, Function<UUID, Transport> sessions) {
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    String transport = single(query, "transport");
    if (!POLLING.equals(transport) && !WEBSOCKET.equals(transport)) {
      return TRANSPORT_UNKNOWN;
    }
    if (!"4".equals(single(query, "EIO"))) {
      return UNSUPPORTED_VERSION;
    }
    boolean websocket = WEBSOCKET.equals(transport);
    List<String> sidValues = query.get("sid");
    if (sidValues == null) {
      if (!HttpMethod.GET.equals(request.method())) {
        return BAD_HANDSHAKE_METHOD;
      }
      return websocket && !isWebSocketUpgrade(request) ? BAD_REQUEST : null;
    }
    Transport current = sidValues.size() == 1 ? session(sidValues.get(0), sessions) : null;
    if (current == null) {
      return UNKNOWN_SESSION;
    }
    if (websocket) {
      // Only one upgrade per session; a second WebSocket for a session on WebSocket is accepted and closed at once by
      // RepeatedUpgrades, as the reference server does.
      return !isWebSocketUpgrade(request) ? BAD_REQUEST : null;
    }
    boolean getOrPost = HttpMethod.GET.equals(request.method()) || HttpMethod.POST.equals(request.method());
    // A client that upgraded stopped polling; a poll now would take packets meant for the WebSocket.
    return !getOrPost || current == Transport.WEBSOCKET ? BAD_REQUEST : null;
  }

  private static Transport session(String sid, Function<UUID, Transport> sessions) {
    try {
      return sessions.apply(UUID.fromString(sid));
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  /** The one value of a query parameter, or null when it is missing or repeated. */
  private static String single(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values != null && values.size() == 1 ? values.get(0) : null;
  }

  private static boolean isWebSocketUpgrade(HttpRequest request) {
    return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
        && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }
}
