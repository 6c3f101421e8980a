package otterbot.server.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.ReferenceCountUtil;

import otterbot.server.internal.InProcessJetty.FrontConnector;
import otterbot.server.internal.InProcessJetty.FrontEndPoint;

/**
 * Keep-alive connections to the internal HTTP service, one pool per event loop.
 *
 * <p>Why per event loop: a front connection and the backend connection serving it then run on the same thread, so
 * response bytes go from one socket to the other without a thread hop, a lock or a queue, and the pool itself needs
 * no synchronisation. Why a pool rather than one backend connection per front connection: Socket.IO polling clients
 * and many HTTP clients open a new TCP connection per request, and the pool lets those reuse warm connections to
 * Jetty. Idle connections are used last-in first-out, so the hot ones stay hot and the cold ones age out.
 *
 * <p>Everything here runs on {@link #loop}, except {@link #close()}, which hands itself to the loop.
 */
final class BackendPool {
  private static final Logger LOG = LoggerFactory.getLogger(BackendPool.class);

  /**
   * Well below Felix Jetty's idle timeout ({@code org.apache.felix.http.timeout}, 60 s by default), so we stop using a
   * connection before Jetty closes it under us.
   */
  private static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(15);
  /** Idle connections kept per event loop; more than this many concurrent requests just open extra connections. */
  private static final int MAX_IDLE = 64;

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  /** Idle connections; the most recently used is last. */
  private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();
  /** Jetty's in-process connector or its TCP address ({@link #acquire}). */
  private Object target;
  /** The socket address of a TCP target. */
  private InetSocketAddress address;
  private boolean closed;

  BackendPool(EventLoop loop, int connectTimeoutMillis) {
    this.loop = loop;
    this.bootstrap = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("http", codec());
            ch.pipeline().addLast("backend", new BackendConnection(BackendPool.this, target));
          }
        });
  }

  /** Jetty is trusted: skip header validation on its responses; large chunks mean fewer objects per body. */
  private static HttpClientCodec codec() {
    var decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(65536)
        .setMaxChunkSize(65536)
        .setValidateHeaders(false);
    return new HttpClientCodec(decoder, false, false);
  }

  /**
   * An idle, open connection to {@code target}, or {@code null} when a new one must be opened.
   *
   * @param target Jetty's in-process connector, or its address ({@code http://host:port}) while that is not running
   */
  BackendConnection acquire(Object target) {
    retarget(target);
    long now = System.nanoTime();
    BackendConnection connection;
    while ((connection = idle.pollLast()) != null) {
      if (connection.channel().isActive() && now - connection.idleSince < MAX_IDLE_NANOS) {
        return connection;
      }
      connection.channel().close();
    }
    return null;
  }

  /** Opens a connection to {@code target}; its {@link BackendConnection} is the pipeline's last handler. */
  ChannelFuture connect(Object target) {
    retarget(target);
    if (target instanceof FrontConnector connector) {
      return InProcessBackend.open(loop, connector, codec(), new BackendConnection(this, target));
    }
    return bootstrap.connect(address);
  }

  /** Takes a connection back after a complete exchange, or closes it when it cannot serve another request. */
  void release(BackendConnection connection, boolean reusable) {
    Channel channel = connection.channel();
    if (reusable && !closed && channel.isActive() && connection.target.equals(target) && idle.size() < MAX_IDLE) {
      connection.idleSince = System.nanoTime();
      connection.pauseReading(false); // so a close by Jetty is noticed while idle
      idle.addLast(connection);
    } else {
      channel.close();
    }
  }

  /** Closes the idle connections; connections in use are closed when their exchange ends or the loop stops. */
  void close() {
    try {
      loop.execute(() -> {
        closed = true;
        BackendConnection connection;
        while ((connection = idle.poll()) != null) {
          connection.channel().close();
        }
      });
    } catch (RejectedExecutionException e) {
      // the loop is already stopping, and closes every channel registered with it
    }
  }

  private void retarget(Object next) {
    if (next == target || next.equals(target)) {
      return;
    }
    // Jetty moved (restarted, maybe on another port): connections to the old one are useless now.
    target = next;
    address = next instanceof URI uri ? new InetSocketAddress(uri.getHost(), uri.getPort()) : null;
    BackendConnection connection;
    while ((connection = idle.poll()) != null) {
      connection.channel().close();
    }
  }

  /**
   * The end of one backend connection's pipeline: hands response parts to the {@link Forwarder} that currently owns
   * the connection, and takes the connection out of the pool when Jetty closes it while idle.
   */
  static final class BackendConnection extends ChannelInboundHandlerAdapter {
    private final BackendPool pool;
    final Object target;
    private Channel channel;
    /** Jetty's end of an in-process connection; {@code null} on TCP. */
    private FrontEndPoint endPoint;
    private boolean paused;
    /** The exchange using this connection; {@code null} while idle. */
    Forwarder owner;
    long idleSince;

    BackendConnection(BackendPool pool, Object target) {
      this.pool = pool;
      this.target = target;
    }

    Channel channel() {
      return channel;
    }

    void inProcess(FrontEndPoint jetty) {
      this.endPoint = jetty;
    }

    /** Stops or resumes reading Jetty's answer (a slow client); on the loop. */
    void pauseReading(boolean pause) {
      if (pause == paused) {
        return;
      }
      paused = pause;
      if (endPoint != null) {
        endPoint.pause(pause);
      } else {
        channel.config().setAutoRead(!pause);
      }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Here, not in channelActive: the connect listener that sends the first request runs before channelActive.
      channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (owner != null) {
        owner.backendRead(msg);
      } else {
        ReferenceCountUtil.release(msg); // an answer nobody asked for: the connection is out of step
        ctx.close();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (owner != null) {
        owner.backendReadComplete();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Forwarder current = owner;
      owner = null;
      if (current != null) {
        current.backendClosed(this);
      } else {
        pool.idle.remove(this);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("Connection to the HTTP service failed: {}", cause.toString());
      ctx.close(); // channelInactive tells the owner
    }
  }
}
