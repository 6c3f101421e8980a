package otterbot.server.internal;

import java.nio.charset.StandardCharsets;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;

import com.corundumstudio.socketio.handler.EncoderHandler;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Sees every Engine.IO packet that arrives on a WebSocket, for two things netty-socketio 2.0.14 does not do: it closes
 * the WebSocket when a packet ended the session (the client's close packet), and it keeps the polling transport
 * cycling while a client upgrades to WebSocket, as the Engine.IO reference server does.
 *
 * <p>The upgrade: a client on polling opens a WebSocket and sends {@code 2probe}; the server answers {@code 3probe} on
 * it. The client then pauses polling, which waits for its poll in flight to complete, and only then sends {@code 5}
 * (upgrade) on the WebSocket. So every poll the client has open during that window must be answered, or the upgrade
 * never completes. The reference server sends a NOOP ({@code 6}) on polling every 100 ms from the probe to the upgrade.
 * netty-socketio 2.0.14 sends exactly one NOOP when the probe arrives. When that NOOP reaches the client before
 * {@code 3probe} (they travel on two connections, so either may come first), the client, still fully on polling, opens
 * the next poll; then {@code 3probe} arrives, the client waits for that poll to complete, and netty-socketio parks it
 * until the next ping, 25 s later: the client's connect timeout fires first. That was the intermittent hang of the
 * default (polling, then websocket) transport order.
 *
 * <p>This handler notes, per session, that a probe arrived on the WebSocket (and forgets it at the upgrade), and
 * {@link #pollArrived} answers every poll of such a session with a NOOP as soon as it is parked. The mark lives in the
 * session's own store, so it goes away with the session.
 *
 * <p>Answering at once rather than every 100 ms costs at most a few extra polls: a client that read the NOOP before
 * {@code 3probe} polls again and gets the next NOOP straight away, until it reads {@code 3probe} (one round trip later)
 * and pauses. A client that never completes the upgrade keeps polling like that until netty-socketio's upgrade timeout
 * (10 s) ends the session, as it would have anyway.
 *
 * <p>It sits before netty-socketio's {@code packetHandler}, where the WebSocket transport's {@link PacketsMessage}s pass
 * (one Engine.IO packet per WebSocket message, already reassembled from frames).
 */
@Sharable
final class UpgradeProbes extends ChannelInboundHandlerAdapter {
  static final UpgradeProbes INSTANCE = new UpgradeProbes();
  /** Store key of the mark; the value is the probing WebSocket channel. */
  static final String PROBED = "otterbot.engineio.probed";

  private static final byte[] PROBE = "2probe".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UPGRADE = "5".getBytes(StandardCharsets.US_ASCII);

  private UpgradeProbes() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof PacketsMessage packets) || packets.getTransport() != Transport.WEBSOCKET) {
      ctx.fireChannelRead(msg);
      return;
    }
    ClientHead client = packets.getClient();
    ByteBuf content = packets.getContent();
    if (equals(content, PROBE)) {
      client.getStore().set(PROBED, ctx.channel());
    } else if (equals(content, UPGRADE)) {
      client.getStore().del(PROBED);
    }
    ctx.fireChannelRead(msg);
    if (!client.isConnected() && ctx.channel().isActive()) {
      // The packet ended the session (a close packet, 1). netty-socketio forgets the session but leaves its WebSocket
      // open; the protocol closes the transport, and the client waits for that. With a close frame, as the reference
      // server does, so the client sees a clean close rather than a dropped connection.
      ctx.channel().writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Compares without moving the reader index: netty-socketio decodes the same buffer next. */
  private static boolean equals(ByteBuf content, byte[] expected) {
    if (content.readableBytes() != expected.length) {
      return false;
    }
    int start = content.readerIndex();
    for (int i = 0; i < expected.length; i++) {
      if (content.getByte(start + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Called once netty-socketio has bound a poll ({@code GET}) to its session: if the session is between probe and upgrade
   * and the poll is still parked (nothing was queued for it), answers it with a NOOP.
   */
  static void pollArrived(ClientHead client, Channel poll) {
    Channel probe = client.getStore().get(PROBED);
    if (probe != null && probe.isActive() && client.getCurrentTransport() == Transport.POLLING
        && poll.attr(EncoderHandler.WRITE_ONCE).get() == null) {
      // Queued and written on the poll now bound to the session. Should another packet have answered the poll in the
      // meantime, the NOOP waits in the queue and goes out with the next answer (or on the WebSocket after the
      // upgrade); clients ignore NOOPs.
      client.send(new Packet(PacketType.NOOP, client.getEngineIOVersion()), Transport.POLLING);
    }
  }
}
