package otterbot.server.internal;

import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import java.io.IOException;
import java.util.Queue;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Writes the answer to a poll: every packet queued for the session, in one Engine.IO payload. In place of
 * netty-socketio 2.0.14's {@code EncoderHandler} for polling, which loses packets: it encodes at most 50 packets per
 * answer, but takes the 51st off the queue before it checks the limit, and drops it. A burst of more than 50 packets
 * (a fast model streams hundreds of {@code chat:stream} tokens while the client's next poll is on its way) lost every
 * 51st. Here the limit is left out, as in the reference server, which sends its whole buffer with each poll.
 *
 * <p>Otherwise the answer is exactly netty-socketio's (headers, one answer per poll, then close). Sessions that asked
 * for base64 payloads ({@code b64}, an EIO 3 client's option) are still answered by netty-socketio.
 *
 * <p>An outbound handler between netty-socketio's {@code socketioEncoder} and the end of the pipeline, where
 * netty-socketio writes its {@link OutPacketMessage}s, so it sees them first.
 */
@Sharable
final class PollingEncoder extends ChannelOutboundHandlerAdapter {
  private static final String CONTENT_TYPE = "application/octet-stream";

  private final PacketEncoder encoder;

  PollingEncoder(PacketEncoder encoder) {
    this.encoder = encoder;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws IOException {
    if (!(msg instanceof OutPacketMessage packets) || packets.getTransport() != Transport.POLLING
        || Boolean.TRUE.equals(ctx.channel().attr(EncoderHandler.B64).get())) {
      ctx.write(msg, promise);
      return;
    }
    Channel channel = ctx.channel();
    Queue<Packet> queue = packets.getClientHead().getPacketsQueue(Transport.POLLING);
    // As netty-socketio: nothing to say, or this poll has been answered already (one answer per request).
    if (!channel.isActive() || queue.isEmpty() || !channel.attr(EncoderHandler.WRITE_ONCE).compareAndSet(null, true)) {
      promise.trySuccess();
      return;
    }
    queue.forEach(ConnectErrors::asObject);
    ByteBuf payload = encoder.allocateBuffer(ctx.alloc());
    try {
      encoder.encodePackets(queue, payload, ctx.alloc(), Integer.MAX_VALUE);
    } catch (IOException | RuntimeException e) {
      payload.release();
      throw e;
    }
    HttpResponse response = new DefaultHttpResponse(HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .add(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE)
        .add(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE) // RequestSequencer makes it "close"
        .add(HttpHeaderNames.SET_COOKIE, "io=" + packets.getSessionId());
    HttpUtil.setContentLength(response, payload.readableBytes());
    ctx.write(response);
    if (payload.isReadable()) {
      ctx.write(new DefaultHttpContent(payload));
    } else {
      payload.release();
    }
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, promise).addListener(ChannelFutureListener.CLOSE);
  }
}
