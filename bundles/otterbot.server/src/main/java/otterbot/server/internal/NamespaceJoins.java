package otterbot.server.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.transport.NamespaceClient;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Socket.IO v5 namespace joins as the protocol has them: a session joins a namespace when, and only when, the client
 * sends CONNECT for it ({@code 40}, {@code 40/custom,{...}}), and the connect listeners run then, after the server's
 * CONNECT answer and with the client's payload in the handshake data.
 *
 * <p>netty-socketio 2.0.14 joins every new session to {@code /} as soon as a transport is bound, before the client has
 * said anything (an EIO 3 habit): connect listeners of {@code /} run before the client's CONNECT and without its
 * payload, a client that only wants {@code /custom} is in {@code /} as well, and the protocol's connect timeout cannot
 * be told from a joined session. Its transports call {@code AuthorizeHandler.connect(client)} for that, which does
 * nothing when the session already has a client of {@code /}. So at the handshake, before the transport binds, this
 * handler gives the session a placeholder client of {@code /} (noted in the session's store): the early join becomes a
 * no-op, and the client's CONNECT for {@code /} replaces the placeholder with a real client and joins it. (Like the
 * early join it replaces, the placeholder receives {@code /} broadcasts; a Socket.IO client holds those back until it
 * has joined.)
 *
 * <p>With a connect timeout configured, a session that has joined no namespace by then is closed (Engine.IO close
 * packet, then the transport), as the reference server's {@code connectTimeout} does.
 *
 * <p>It sits after netty-socketio's {@code authorizeHandler}, which creates the session of a handshake and notes it on
 * the channel, and before the transports, which bind it.
 */
@Sharable
final class NamespaceJoins extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceJoins.class);
  /** Store key of the placeholder client of {@code /}. */
  static final String PLACEHOLDER = "otterbot.socketio.placeholder";

  private final NamespacesHub namespaces;
  private final ClientsBox sessions;
  private final CancelableScheduler scheduler;
  private final int connectTimeoutMillis;

  NamespaceJoins(NamespacesHub namespaces, ClientsBox sessions, CancelableScheduler scheduler,
      int connectTimeoutMillis) {
    this.namespaces = namespaces;
    this.sessions = sessions;
    this.scheduler = scheduler;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request && isHandshake(request)) {
      ClientHead client = ctx.channel().attr(ClientHead.CLIENT).get();
      if (client != null && EngineIOVersion.V4.equals(client.getEngineIOVersion())
          && client.getNamespaces().isEmpty()) {
        addPlaceholder(client);
        if (connectTimeoutMillis > 0) {
          scheduler.schedule(() -> closeIfNotJoined(client), connectTimeoutMillis, MILLISECONDS);
        }
      }
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Gives the session a placeholder client of {@code /}: at the handshake (see above), and when the client has left its
   * last namespace but the session goes on ({@code PortChannelInitializer#onDisconnect}). netty-socketio hands even
   * Engine.IO packets (pong, close, upgrade) to the session's client of their namespace, {@code /}, and drops them when
   * there is none: without the placeholder a session that left every namespace could no longer answer pings or close.
   */
  void addPlaceholder(ClientHead client) {
    client.getStore().set(PLACEHOLDER, client.addNamespaceClient(namespaces.get(Namespace.DEFAULT_NAME)));
  }

  private static boolean isHandshake(FullHttpRequest request) {
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    return !query.containsKey("sid");
  }

  /** Whether the session has joined a namespace: it has a client that is not the placeholder. */
  static boolean joinedAny(ClientHead client) {
    NamespaceClient placeholder = client.getStore().get(PLACEHOLDER);
    for (Namespace namespace : client.getNamespaces()) {
      if (client.getChildClient(namespace) != placeholder) {
        return true;
      }
    }
    return false;
  }

  private void closeIfNotJoined(ClientHead client) {
    if (sessions.get(client.getSessionId()) != client || !client.isConnected() || joinedAny(client)) {
      return;
    }
    LOG.debug("Session {} joined no namespace within {} ms; closing it", client.getSessionId(), connectTimeoutMillis);
    boolean webSocket = client.getCurrentTransport() == Transport.WEBSOCKET;
    ChannelFuture sent = client.send(new Packet(PacketType.CLOSE, client.getEngineIOVersion()));
    if (sent != null && webSocket) {
      // With a close frame after the close packet, as the reference server closes a WebSocket.
      sent.addListener(done -> sent.channel().writeAndFlush(new CloseWebSocketFrame())
          .addListener(ChannelFutureListener.CLOSE));
    } else if (sent != null) {
      sent.addListener(ChannelFutureListener.CLOSE);
    }
    client.onChannelDisconnect();
  }
}
