package otterbot.server.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.ReferenceCountUtil;

import otterbot.server.internal.BackendPool.BackendConnection;
import otterbot.server.internal.InProcessJetty.FrontConnector;
import otterbot.server.internal.InProcessJetty.FrontEndPoint;

/**
 * The front's side of an in-process connection to Jetty ({@link InProcessJetty}): a channel with the same pipeline
 * as a TCP backend connection (the HTTP client codec, then the {@link BackendConnection} the {@link Forwarder} talks
 * to), whose bytes go to and come from a Jetty end point instead of a socket. So the forwarder treats both alike.
 *
 * <p>The channel is an {@link EmbeddedChannel}, which runs its pipeline on the calling thread: everything here runs on
 * the front connection's event loop ({@link #loop}). Jetty's answer bytes and its close arrive on Jetty's threads and
 * are handed to that loop in order.
 */
final class InProcessBackend extends ChannelOutboundHandlerAdapter implements InProcessJetty.Sink {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessBackend.class);

  private final EventLoop loop;
  private final EmbeddedChannel channel;
  private final FrontEndPoint endPoint;
  /** Encoded request parts written since the last flush. */
  private final List<ByteBuf> pending = new ArrayList<>(2);

  private InProcessBackend(EventLoop loop, FrontConnector connector, HttpClientCodec codec,
      BackendConnection connection) {
    this.loop = loop;
    this.endPoint = connector.open(this);
    this.channel = new EmbeddedChannel(DefaultChannelId.newInstance(), this, codec, connection);
    connection.inProcess(endPoint);
  }

  /**
   * Opens a connection to {@code connector} for a front connection on {@code loop}; call on that loop.
   *
   * @return a completed future whose channel's last handler is {@code connection}
   */
  static ChannelFuture open(EventLoop loop, FrontConnector connector, HttpClientCodec codec,
      BackendConnection connection) {
    try {
      return new InProcessBackend(loop, connector, codec, connection).channel.newSucceededFuture();
    } catch (IllegalStateException e) {
      // Jetty stopped under us: the forwarder answers 502, as for a refused TCP connection.
      return new EmbeddedChannel(DefaultChannelId.newInstance()).newFailedFuture(e);
    }
  }

  // ---- front -> Jetty (on the loop)

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf bytes) {
      pending.add(bytes);
      promise.trySuccess();
    } else {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new IllegalArgumentException("not bytes: " + msg.getClass().getName()));
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (pending.isEmpty()) {
      return;
    }
    int total = 0;
    for (ByteBuf part : pending) {
      total += part.readableBytes();
    }
    // One copy: Jetty reads the request on its own thread, after netty's buffers are reused.
    byte[] request = new byte[total];
    int at = 0;
    for (ByteBuf part : pending) {
      int length = part.readableBytes();
      part.readBytes(request, at, length);
      at += length;
      part.release();
    }
    pending.clear();
    try {
      endPoint.addInputAndExecute(ByteBuffer.wrap(request));
    } catch (RuntimeException e) {
      // Jetty ended its input (it closed the connection a moment ago): the close reaches the forwarder next.
      LOG.debug("Jetty's in-process connection took no more input: {}", e.toString());
      ctx.close();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    for (ByteBuf part : pending) {
      part.release();
    }
    pending.clear();
    endPoint.close();
    ctx.close(promise);
  }

  // ---- Jetty -> front (on Jetty's threads)

  @Override
  public void bytes(ByteBuf bytes) {
    try {
      loop.execute(() -> deliver(bytes));
    } catch (RejectedExecutionException stopping) {
      bytes.release();
    }
  }

  @Override
  public void closed() {
    try {
      loop.execute(this::close);
    } catch (RejectedExecutionException stopping) {
      // the loop closes its channels as it stops
    }
  }

  private void deliver(ByteBuf bytes) {
    int length = bytes.readableBytes();
    try {
      if (!channel.isOpen()) {
        bytes.release();
        return;
      }
      channel.writeInbound(bytes);
    } catch (RuntimeException e) {
      LOG.debug("Jetty's answer could not be read: {}", e.toString());
      close();
    } finally {
      endPoint.delivered(length);
    }
  }

  private void close() {
    try {
      channel.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing an in-process connection to Jetty: {}", e.toString());
    }
  }
}
