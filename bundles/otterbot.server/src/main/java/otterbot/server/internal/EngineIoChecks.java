package otterbot.server.internal;

import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The Engine.IO v4 request checks netty-socketio 2.0.14 does not make, answered as the protocol specifies
 * ({@code 400 {"code":N,"message":...}}): a missing or other {@code EIO} version (it would hand out an EIO 3 session,
 * which our clients cannot use reliably), and a session id that is malformed or unknown (it drops the connection
 * without an answer, or answers 500). A transport it does not know, netty-socketio already answers with 400.
 */
final class EngineIoChecks {
  static final String UNSUPPORTED_VERSION = "{\"code\":5,\"message\":\"Unsupported protocol version\"}";
  static final String UNKNOWN_SESSION = "{\"code\":1,\"message\":\"Session ID unknown\"}";

  private EngineIoChecks() {}

  /**
   * @param uri a Socket.IO request target
   * @param knownSession whether a session id belongs to a connected client
   * @return the error body to answer with 400, or null when the request may go on
   */
  static String problem(String uri, Predicate<UUID> knownSession) {
    var query = new QueryStringDecoder(uri).parameters();
    List<String> eio = query.get("EIO");
    if (eio == null || eio.size() != 1 || !"4".equals(eio.get(0))) {
      return UNSUPPORTED_VERSION;
    }
    List<String> sid = query.get("sid");
    if (sid == null) {
      return null;
    }
    if (sid.size() != 1) {
      return UNKNOWN_SESSION;
    }
    try {
      return knownSession.test(UUID.fromString(sid.get(0))) ? null : UNKNOWN_SESSION;
    } catch (IllegalArgumentException malformed) {
      return UNKNOWN_SESSION;
    }
  }
}
