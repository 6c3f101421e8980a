package otterbot.server.internal;

import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;

/** The one error shape of the public port: {@code {"error":"<message>"}}, UTF-8 JSON, never HTML. */
final class JsonErrors {
  static final AsciiString JSON_UTF8 = AsciiString.cached("application/json; charset=utf-8");

  static final String INVALID_PATH = "invalid request path";
  static final String NOT_RUNNING = "the HTTP service is not running";
  /** The REST application is not built yet (or is being rebuilt without our resources); retry shortly. */
  static final String STARTING = "starting";
  static final String UNREACHABLE = "the HTTP service is unreachable";
  static final String NO_ANSWER = "the HTTP service closed the connection without answering";

  private JsonErrors() {}

  /** A complete error response; the caller adds {@code Connection} as the exchange requires. */
  static FullHttpResponse response(HttpResponseStatus status, String message) {
    return json(status, body(message));
  }

  /** A response with a JSON body of another shape, for protocols that prescribe theirs (Engine.IO errors). */
  static FullHttpResponse raw(HttpResponseStatus status, String json) {
    return json(status, json.getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
    var response = new DefaultFullHttpResponse(HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, JSON_UTF8)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  static String tooLarge(int limit) {
    return "request body too large (limit " + limit + " bytes)";
  }

  static byte[] body(String message) {
    var json = new StringBuilder(message.length() + 16).append("{\"error\":\"");
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
