package otterbot.server.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * The caps on open connections ({@code maxConnections}) and on Engine.IO sessions ({@code maxSessions}) of the public
 * port. One instance per port, shared by every connection's pipeline.
 *
 * <p>An excess connection is answered at once with a prepared {@code 503} (an HTTP client that sends its request reads
 * it as the answer) and closed, before anything is decoded or allocated for it. An excess handshake is refused by the
 * {@link RequestSequencer} with a {@code 503} JSON error. Either logs at most one WARN a minute.
 */
@Sharable
final class Limits extends ChannelInboundHandlerAdapter {
  static final String TOO_MANY_CONNECTIONS = "too many connections, try again later";
  static final String TOO_MANY_SESSIONS = "too many Socket.IO sessions, try again later";

  private static final Logger LOG = LoggerFactory.getLogger(Limits.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("otterbot.refused");
  private static final ByteBuf REFUSAL = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(refusal()));

  private final int maxConnections;
  private final int maxSessions;
  private final IntSupplier sessions;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

  /** @param sessions the number of live Engine.IO sessions right now */
  Limits(int maxConnections, int maxSessions, IntSupplier sessions) {
    this.maxConnections = maxConnections;
    this.maxSessions = maxSessions;
    this.sessions = sessions;
  }

  private static byte[] refusal() {
    byte[] body = JsonErrors.body(TOO_MANY_CONNECTIONS);
    String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
        + "Content-Length: " + body.length + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, all, 0, headBytes.length);
    System.arraycopy(body, 0, all, headBytes.length, body.length);
    return all;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (connections.incrementAndGet() > maxConnections) {
      warn("connections", maxConnections, "maxConnections");
      ctx.channel().attr(REFUSED).set(Boolean.TRUE);
      ctx.channel().config().setAutoRead(false); // not a byte of the request is read or decoded
      // First in the pipeline: the bytes go straight to the socket, past the HTTP encoder.
      ctx.writeAndFlush(REFUSAL.duplicate()).addListener(ChannelFutureListener.CLOSE);
      return; // the rest of the pipeline never hears of this connection
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    connections.decrementAndGet();
    if (ctx.channel().attr(REFUSED).get() == null) {
      super.channelInactive(ctx);
    }
  }

  /** Whether one more Engine.IO session may be opened; logs when not. */
  boolean admitsSession() {
    if (sessions.getAsInt() < maxSessions) {
      return true;
    }
    warn("Socket.IO sessions", maxSessions, "maxSessions");
    return false;
  }

  int openConnections() {
    return connections.get();
  }

  private void warn(String what, int limit, String setting) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn("Refusing {} beyond the limit of {} ({} in etc/otterbot.server.cfg); this is logged at most once a "
          + "minute", what, limit, setting);
    }
  }
}
