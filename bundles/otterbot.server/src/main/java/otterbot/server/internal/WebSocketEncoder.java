package otterbot.server.internal;

import java.io.IOException;
import java.util.Queue;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.PromiseCombiner;

/**
 * Writes a WebSocket session's queued packets, in place of netty-socketio 2.0.14's {@code EncoderHandler}, which
 * flushes after every packet: one {@code write(2)} per frame even when a burst of packets is waiting (a fast model
 * streams tokens faster than the event loop gets to them, and every turn broadcasts {@code agent:status}). Here all the
 * packets in the queue are written, then flushed together: at most {@link #FLUSH_EVERY} frames wait for a flush. A
 * packet alone in the queue is flushed at once, as before; nothing waits for a later packet or a timer.
 *
 * <p>The frames are otherwise netty-socketio's: one text frame per packet, split into 8 KiB fragments when larger than
 * the maximum frame payload, and a binary frame per attachment (for EIO 4 without netty-socketio's EIO 3 type prefix,
 * which a v4 client hands to the application as part of the data). The promise completes as netty-socketio's does: when
 * the binary attachments are written (text frames are not tracked), or at once when there are none.
 *
 * <p>An outbound handler between netty-socketio's {@code socketioEncoder} and the end of the pipeline, where
 * netty-socketio writes its {@link OutPacketMessage}s, so it sees them first.
 */
@Sharable
final class WebSocketEncoder extends ChannelOutboundHandlerAdapter {
  /** Frames written before a flush when the queue holds more. */
  static final int FLUSH_EVERY = 32;
  private static final int FRAGMENT_BYTES = 8192;

  private final PacketEncoder encoder;
  private final int maxFramePayloadLength;

  WebSocketEncoder(PacketEncoder encoder, int maxFramePayloadLength) {
    this.encoder = encoder;
    this.maxFramePayloadLength = maxFramePayloadLength;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws IOException {
    if (!(msg instanceof OutPacketMessage packets) || packets.getTransport() != Transport.WEBSOCKET) {
      ctx.write(msg, promise);
      return;
    }
    Queue<Packet> queue = packets.getClientHead().getPacketsQueue(Transport.WEBSOCKET);
    int unflushed = 0;
    PromiseCombiner attachments = new PromiseCombiner(ctx.executor());
    try {
      Packet packet;
      while ((packet = queue.poll()) != null) {
        unflushed += writeFrames(ctx, packet);
        for (ByteBuf attachment : packet.getAttachments()) {
          ByteBuf frame = encoder.allocateBuffer(ctx.alloc());
          if (!EngineIOVersion.V4.equals(packet.getEngineIOVersion())) {
            frame.writeByte(4); // EIO 3 prefixes binary messages with their packet type; EIO 4 sends the bytes alone
          }
          frame.writeBytes(attachment);
          attachments.add(ctx.write(new BinaryWebSocketFrame(frame)));
          unflushed++;
        }
        if (unflushed >= FLUSH_EVERY) {
          ctx.flush();
          unflushed = 0;
        }
      }
    } finally {
      if (unflushed > 0) {
        ctx.flush();
      }
    }
    attachments.finish(promise);
  }

  /** The packet's text frame (or fragments); returns how many frames were written. */
  private int writeFrames(ChannelHandlerContext ctx, Packet packet) throws IOException {
    ConnectErrors.asObject(packet);
    ByteBuf out = encoder.allocateBuffer(ctx.alloc());
    try {
      encoder.encodePacket(packet, out, ctx.alloc(), true);
    } catch (IOException | RuntimeException e) {
      out.release();
      throw e;
    }
    if (!out.isReadable()) {
      out.release();
      return 0;
    }
    if (out.readableBytes() <= maxFramePayloadLength) {
      ctx.write(new TextWebSocketFrame(out));
      return 1;
    }
    int frames = 1;
    ctx.write(new TextWebSocketFrame(false, 0, out.readRetainedSlice(FRAGMENT_BYTES)));
    while (out.isReadable()) {
      ByteBuf fragment = out.readRetainedSlice(Math.min(out.readableBytes(), FRAGMENT_BYTES));
      ctx.write(new ContinuationWebSocketFrame(!out.isReadable(), 0, fragment));
      frames++;
    }
    out.release();
    return frames;
  }
}
