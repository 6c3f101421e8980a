package otterbot.server.internal;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.AuthorizeHandler;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.messages.XHRPostMessage;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Serves the polls ({@code GET}) and sends ({@code POST}) of an existing Engine.IO session in place of netty-socketio's
 * {@code PollingTransport}, which keeps the handshake and everything else.
 *
 * <p>Why: {@code PollingTransport} looks the session up when the request arrives and logs
 * {@code [ERROR] PollingTransport - <sid> is not registered. Closing connection} (and answers 500) when it is gone.
 * {@link EngineIoChecks} already refuses unknown sessions with 400 before that, but a session can end between that
 * check and the transport's look-up: on a polling disconnect the client sends {@code 41} (leave, which removes the
 * session) and {@code 1} (close) as two concurrent POSTs, handled on two event loops. Whichever way that race went, the
 * outcome is the same and harmless (the session is over), yet one way logged an ERROR. Here the session is looked up
 * once and that one answer decides: a session that is gone gets the protocol's 400 {@code "Session ID unknown"}, with
 * no log line above debug. Everything else is what {@code PollingTransport} 2.0.14 does for these requests, except that
 * a POST is answered after its packets were handled, not before.
 *
 * <p>A poll is also where {@link UpgradeProbes} keeps an upgrading client's polling going.
 *
 * <p>Requests with the EIO 3 parameters {@code j} (JSONP), {@code b64} or {@code disconnect}, which our clients never
 * send, are left to netty-socketio.
 */
@Sharable
final class PollingRequests extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(PollingRequests.class);

  private final ClientsBox sessions;

  PollingRequests(ClientsBox sessions) {
    this.sessions = sessions;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    UUID sid = sessionPoll(request);
    if (sid == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      ClientHead client = sessions.get(sid);
      if (client == null || !client.isConnected()) {
        LOG.debug("Polling {} for session {}, which has just ended", request.method(), sid);
        FullHttpResponse response = JsonErrors.raw(HttpResponseStatus.BAD_REQUEST, EngineIoChecks.UNKNOWN_SESSION);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      String origin = request.headers().get(HttpHeaderNames.ORIGIN);
      ctx.channel().attr(EncoderHandler.ORIGIN).set(origin);
      ctx.channel().attr(EncoderHandler.USER_AGENT).set(request.headers().get(HttpHeaderNames.USER_AGENT));
      if (HttpMethod.GET.equals(request.method())) {
        client.bindChannel(ctx.channel(), Transport.POLLING);
        ctx.pipeline().get(AuthorizeHandler.class).connect(client);
        UpgradeProbes.pollArrived(client, ctx.channel());
      } else {
        // Handled first, then answered, as the reference server does: "ok" tells the client its packets were taken
        // (netty-socketio answers first, so a client's next request could overtake its own close or leave packet).
        // What the packets make the server say goes to the session's poll, never to this request.
        ctx.pipeline().fireChannelRead(new PacketsMessage(client, request.content(), Transport.POLLING));
        ctx.channel().writeAndFlush(new XHRPostMessage(origin, sid));
      }
    } finally {
      request.release();
    }
  }

  /** The session id of a polling GET or POST this handler serves, or null to leave the request to netty-socketio. */
  static UUID sessionPoll(FullHttpRequest request) {
    if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.POST.equals(request.method())) {
      return null;
    }
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    List<String> transport = query.get("transport");
    List<String> sid = query.get("sid");
    if (transport == null || !"polling".equals(transport.get(0)) || sid == null || sid.size() != 1
        || query.containsKey("j") || query.containsKey("b64") || query.containsKey("disconnect")) {
      return null;
    }
    try {
      return UUID.fromString(sid.get(0));
    } catch (IllegalArgumentException malformed) {
      return null; // EngineIoChecks refuses these before they get here
    }
  }
}
