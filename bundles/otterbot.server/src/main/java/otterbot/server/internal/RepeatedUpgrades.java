package otterbot.server.internal;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;

/**
 * A second WebSocket for a session that is upgrading to WebSocket (its first WebSocket is open) or already on WebSocket
 * is accepted and closed at once, as the Engine.IO reference server does, and the session goes on undisturbed on its
 * first WebSocket. netty-socketio 2.0.14 would bind the new WebSocket in place of the first one. (Refusing it with 400, as {@link EngineIoChecks} does other bad
 * requests, is what a browser reports the same way, but the Node {@code ws} client then raises an error event instead of
 * a close, and the protocol test suite waits for the close.)
 *
 * <p>It sits before netty-socketio's WebSocket transport; {@link EngineIoChecks} has checked the request's form.
 */
@Sharable
final class RepeatedUpgrades extends ChannelInboundHandlerAdapter {
  /** Store key of the session's WebSocket: the one it upgraded to, or is upgrading to. */
  static final String WEBSOCKET = "otterbot.engineio.websocket";

  private final ClientsBox sessions;
  private final int maxFramePayloadLength;

  RepeatedUpgrades(ClientsBox sessions, int maxFramePayloadLength) {
    this.sessions = sessions;
    this.maxFramePayloadLength = maxFramePayloadLength;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ClientHead client = msg instanceof FullHttpRequest request ? upgrading(request) : null;
    if (client == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    Channel first = client.getStore().get(WEBSOCKET);
    if (client.getCurrentTransport() != Transport.WEBSOCKET && (first == null || !first.isActive())) {
      client.getStore().set(WEBSOCKET, ctx.channel());
      ctx.fireChannelRead(msg);
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    try {
      Channel channel = ctx.channel();
      String location = "ws://" + request.headers().get(HttpHeaderNames.HOST) + request.uri();
      WebSocketServerHandshaker handshaker =
          new WebSocketServerHandshakerFactory(location, null, true, maxFramePayloadLength).newHandshaker(request);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
        return;
      }
      handshaker.handshake(channel, request).addListener(done -> {
        if (done.isSuccess()) {
          handshaker.close(channel, new CloseWebSocketFrame());
        } else {
          channel.close();
        }
      });
    } finally {
      request.release();
    }
  }

  /** The live session a WebSocket request with a session id is for, or null for any other request. */
  private ClientHead upgrading(FullHttpRequest request) {
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    List<String> transport = query.get("transport");
    List<String> sid = query.get("sid");
    if (transport == null || !"websocket".equals(transport.get(0)) || sid == null || sid.size() != 1) {
      return null;
    }
    try {
      ClientHead client = sessions.get(UUID.fromString(sid.get(0)));
      return client != null && client.isConnected() ? client : null;
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }
}
