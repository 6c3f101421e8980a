package otterbot.server.internal;

import java.lang.invoke.VarHandle;
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
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.messages.XHRPostMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
        bindPoll(client, ctx.channel());
        ctx.pipeline().get(AuthorizeHandler.class).connect(client);
        UpgradeProbes.pollArrived(client, ctx.channel());
      } else {
        // Handled first, then answered, as the reference server does: "ok" tells the client its packets were taken
        // (netty-socketio answers first, so a client's next request could overtake its own close or leave packet).
        // What the packets make the server say goes to the session's poll, never to this request.
        boolean closes = holdsClosePacket(request.content());
        ctx.pipeline().fireChannelRead(new PacketsMessage(client, request.content(), Transport.POLLING));
        if (closes && client.isConnected()) {
          // The close packet was dropped: netty-socketio hands it to the session's client of "/", and a leave (41)
          // handled at the same moment on another event loop had just removed that client, before
          // PortChannelInitializer#onDisconnect put the placeholder back. The client said close, so the session ends.
          LOG.debug("Close packet of session {} arrived while it left its last namespace; closing it", sid);
          client.onChannelDisconnect();
        }
        if (!client.isConnected()) {
          // The packets ended the session (a close packet, 1): as the reference server, answer the poll the client
          // still has open with a NOOP, so it completes; netty-socketio would leave it parked for ever.
          client.send(new Packet(PacketType.NOOP, client.getEngineIOVersion()), Transport.POLLING);
        }
        ctx.channel().writeAndFlush(new XHRPostMessage(origin, sid));
      }
    } finally {
      request.release();
    }
  }

  /**
   * Makes {@code poll} the session's polling channel and answers it at once when packets are waiting.
   *
   * <p>Two races in netty-socketio 2.0.14 lost the tail of a reply on polling (issue 8, item 10: a client got 15 of 20
   * tokens, then neither the rest nor {@code chat:done}). Each poll is its own connection (the answer closes it), so the
   * next poll is usually bound on another event loop than the one that closes the previous poll, and packets are queued
   * from yet other threads (chat, timer):
   *
   * <ol>
   *   <li><b>Release after bind.</b> When the answered poll's connection closes, {@code PollingTransport.channelInactive}
   *       runs {@code ClientHead.releasePollingChannel}: "if the session's polling channel is this one, set it to null",
   *       a check-then-act with no lock. When the next poll is bound between the check and the act (the closing loop
   *       was preempted, which a busy core makes likely), the new poll is overwritten with null: it stays parked, and
   *       every later packet (tokens, {@code chat:done}, even pings) is only queued, because {@code ClientHead.send}
   *       writes to the polling channel only when there is one. The client waits until its ping timeout.
   *       {@link #channelInactive} now releases under the session's lock, and binding takes the same lock.
   *   <li><b>Queue and channel missing each other.</b> {@code ClientHead.send} adds the packet to the queue, then reads the
   *       polling channel (a plain field); binding writes the channel, then looks at the queue. Without a full fence
   *       between write and read on the binding side both may miss each other (store buffering): the sender sees the
   *       old, answered poll and leaves the packet queued, and the new poll saw an empty queue and parks. The packet
   *       waits for the next packet or ping (25 s), and a reply's last packet is {@code chat:done}. After binding we
   *       fence and look at the queue again: either we now see the packet, or the sender's later read sees our poll.
   * </ol>
   */
  static void bindPoll(ClientHead client, Channel poll) {
    synchronized (client) {
      client.bindChannel(poll, Transport.POLLING);
    }
    VarHandle.fullFence();
    if (!client.getPacketsQueue(Transport.POLLING).isEmpty() && poll.attr(EncoderHandler.WRITE_ONCE).get() == null) {
      poll.writeAndFlush(new OutPacketMessage(client, Transport.POLLING)); // PollingEncoder: no-op if answered since
    }
  }

  /**
   * Forgets a closed poll, atomically with respect to {@link #bindPoll} (see there). netty-socketio's
   * {@code PollingTransport} after us then finds the channel no longer registered and does nothing.
   */
  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Channel channel = ctx.channel();
    ClientHead client = sessions.get(channel);
    if (client != null) {
      synchronized (client) {
        if (client.isTransportChannel(channel, Transport.POLLING)) {
          client.releasePollingChannel(channel);
        }
      }
    }
    ctx.fireChannelInactive();
  }

  /**
   * Whether an Engine.IO v4 payload holds a close packet: a packet of the one character {@code 1}, packets being
   * separated by the record separator {@code 0x1e}. Reads without moving the buffer's indexes.
   */
  static boolean holdsClosePacket(ByteBuf payload) {
    int start = payload.readerIndex();
    int end = payload.writerIndex();
    int packetStart = start;
    for (int i = start; i <= end; i++) {
      if (i == end || payload.getByte(i) == 0x1e) {
        if (i - packetStart == 1 && payload.getByte(packetStart) == '1') {
          return true;
        }
        packetStart = i + 1;
      }
    }
    return false;
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
