package otterbot.server.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.Scheduler;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Hands the front's requests to Jetty in process, without a socket (issue 12).
 *
 * <p>Why: forwarding over loopback TCP cost a request two sockets, their syscalls and wake-ups on both sides, and
 * Jetty's selector; measured on the 2-core build machine (2026-12-07, {@code GET /api/agents}, wrk 64 connections),
 * Jetty's own port answered 1.55-1.6x the requests/s of the public port at 60 % of its CPU per request. Felix HTTP
 * adds the connector of every registered {@link ConnectorFactory} to its running Jetty (and removes it when the factory
 * goes or Jetty restarts); this one makes a connector whose end points take the request bytes the front
 * encodes and give Jetty's answer bytes straight back to the front's event loop. Jetty still parses the request and
 * writes the answer, and its thread pool still runs the request, as with a socket: what goes is the socket.
 *
 * <p>The guard ({@link InternalPortGuard}) applies as on the TCP port: the front adds its key to every request either
 * way. Jetty's TCP port stays (Felix HTTP opens it), guarded as before; the front uses it only while this connector
 * is not running.
 */
@Component(service = {ConnectorFactory.class, InProcessJetty.class})
public final class InProcessJetty implements ConnectorFactory {
  private static final Logger LOG = LoggerFactory.getLogger(InProcessJetty.class);

  /** How long the in-process requests running at once may all go without one finishing before another starts. */
  static final long STALL_MILLIS = 25;

  /** The running connector of the current Jetty, or {@code null}. */
  private volatile FrontConnector current;

  @Override
  public Connector createConnector(Server server) {
    return new FrontConnector(server, configuration(server));
  }

  /** Where the front hands its requests now; {@code null} while Jetty is not running (then the front uses TCP). */
  FrontConnector current() {
    return current;
  }

  /** The HTTP settings of Felix's own connector (header sizes, the Server header, customizers): both behave alike. */
  private static HttpConfiguration configuration(Server server) {
    for (Connector connector : server.getConnectors()) {
      HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
      if (http != null) {
        return http.getHttpConfiguration();
      }
    }
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    return config;
  }

  /** Receives Jetty's side of one in-process connection; called on Jetty's threads. */
  interface Sink {
    /** Answer bytes, in order; the sink owns (and releases) the buffer. */
    void bytes(ByteBuf bytes);

    /** Jetty closed the connection or stopped writing to it; called at most once. */
    void closed();
  }

  /** A Jetty connector without a socket: {@link #open} makes a connection, the front feeds it. */
  final class FrontConnector extends AbstractConnector {
    /** Runs the requests on Jetty's pool, a few at a time ({@link DispatchLimiter}); created when started. */
    private volatile DispatchLimiter dispatch;

    FrontConnector(Server server, HttpConfiguration config) {
      // No acceptor threads: there is nothing to accept, connections are opened by the front.
      super(server, null, null, null, 0, new HttpConnectionFactory(config));
      long felixIdle = 0;
      for (Connector connector : server.getConnectors()) {
        if (connector instanceof AbstractConnector other) {
          felixIdle = Math.max(felixIdle, other.getIdleTimeout());
        }
      }
      if (felixIdle > 0) {
        setIdleTimeout(felixIdle);
      }
    }

    @Override
    protected void doStart() throws Exception {
      super.doStart();
      Scheduler scheduler = getScheduler();
      dispatch = new DispatchLimiter(getExecutor(), DispatchLimiter.defaultLimit(), STALL_MILLIS,
          (task, delay) -> scheduler.schedule(task, delay, TimeUnit.MILLISECONDS));
      current = this;
      InProcessJetty.LOG.info("The public port hands requests to Jetty in process"); // not AbstractConnector's LOG
    }

    @Override
    protected void doStop() throws Exception {
      if (current == this) {
        current = null;
      }
      super.doStop();
    }

    @Override
    protected void accept(int acceptorID) {
      throw new UnsupportedOperationException("no acceptors");
    }

    @Override
    public Object getTransport() {
      return null;
    }

    /**
     * A new connection to Jetty whose answers go to {@code sink}; cheap, any thread.
     *
     * @throws IllegalStateException when this connector no longer runs (Jetty stopped or restarted)
     */
    FrontEndPoint open(Sink sink) {
      if (!isRunning()) {
        throw new IllegalStateException(this + " is not running");
      }
      FrontEndPoint endPoint = new FrontEndPoint(this, sink);
      Connection connection = getDefaultConnectionFactory().newConnection(this, endPoint);
      endPoint.setConnection(connection);
      onEndPointOpened(endPoint);
      connection.onOpen();
      return endPoint;
    }

    void closed(FrontEndPoint endPoint) {
      onEndPointClosed(endPoint);
    }

    @Override
    public String toString() {
      return "in-process Jetty connector@" + Integer.toHexString(hashCode());
    }
  }

  /**
   * One in-process connection. Request bytes come in through {@link #addInputAndExecute(ByteBuffer)}, which runs
   * Jetty's parsing on Jetty's thread pool (never on the front's event loop, which must not wait for a request to be
   * handled); answer bytes are copied out in {@link #flush} and handed to the sink. Flush takes nothing, and Jetty
   * waits as it would on a full socket, while {@link #pause paused} (a slow client) and while more than
   * {@link #MAX_IN_FLIGHT} bytes are on their way to the front's loop (Jetty writes faster than the loop hands bytes
   * on: without this bound a large answer would pile up in the loop's queue before the pause could act).
   */
  static final class FrontEndPoint extends ByteArrayEndPoint {
    private static final SocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    static final int MAX_IN_FLIGHT = 256 * 1024;

    private final FrontConnector connector;
    private final Sink sink;
    private final AtomicBoolean sinkClosed = new AtomicBoolean();
    private volatile boolean paused;
    /** Bytes handed to the sink and not yet {@link #delivered}. */
    private final AtomicLong inFlight = new AtomicLong();

    FrontEndPoint(FrontConnector connector, Sink sink) {
      super(connector.getScheduler(), connector.getIdleTimeout());
      this.connector = connector;
      this.sink = sink;
    }

    /** Jetty's reading and handling of a request: bounded ({@link DispatchLimiter}). */
    @Override
    protected void execute(Runnable task) {
      if (connector.isRunning()) {
        connector.dispatch.execute(task);
      } else {
        close(); // Jetty is stopping: the front learns it from the close (and answers 502 or retries elsewhere)
      }
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
      if (!isOpen()) {
        throw new IOException("CLOSED");
      }
      if (isOutputShutdown()) {
        throw new IOException("OSHUT");
      }
      int total = 0;
      for (ByteBuffer buffer : buffers) {
        total += buffer.remaining();
      }
      if (total == 0) {
        return true;
      }
      if (paused || inFlight.get() >= MAX_IN_FLIGHT) {
        return false; // Jetty waits for completeWrite(), called when the client or the loop has caught up
      }
      // A heap copy, not a pooled buffer: this runs on any of Jetty's many threads, and netty's pool would give each
      // of them a cache of its own and contend on its arenas; the front's loop moves the bytes to its socket.
      byte[] copy = new byte[total];
      int at = 0;
      for (ByteBuffer buffer : buffers) {
        int length = buffer.remaining();
        buffer.get(copy, at, length);
        at += length;
      }
      notIdle();
      inFlight.addAndGet(total);
      sink.bytes(Unpooled.wrappedBuffer(copy));
      return true;
    }

    /**
     * A write is pending now (flush took nothing: paused, or too much on its way). Should the pause have ended or the
     * loop have caught up in the meantime, that found no pending write to complete, so complete it here.
     */
    @Override
    protected void onIncompleteFlush() {
      if (!paused && inFlight.get() < MAX_IN_FLIGHT) {
        resume();
      }
    }

    /** Holds Jetty's writes back while the client reads more slowly than Jetty writes; any thread. */
    void pause(boolean pause) {
      paused = pause;
      if (!pause && inFlight.get() < MAX_IN_FLIGHT) {
        resume(); // else the delivery that brings the bytes under the bound resumes
      }
    }

    /** The front's loop has passed on {@code bytes} of {@link Sink#bytes}; any thread. */
    void delivered(int bytes) {
      long now = inFlight.addAndGet(-bytes);
      if (now < MAX_IN_FLIGHT && now + bytes >= MAX_IN_FLIGHT && !paused) {
        resume(); // this delivery brought the bytes under the bound, which a waiting write may be waiting for
      }
    }

    /**
     * On Jetty's pool, not the caller's thread: completing a write runs its callback, which may go on writing the
     * answer (a streamed one) and must not do so on the front's event loop.
     */
    private void resume() {
      try {
        // Straight to the pool, not through the limiter: the writer it wakes may be what holds a slot of it.
        connector.getExecutor().execute(getWriteFlusher()::completeWrite);
      } catch (RejectedExecutionException stopping) {
        close(); // Jetty's pool is stopping: the answer cannot be finished
      }
    }

    @Override
    public void doShutdownOutput() {
      super.doShutdownOutput();
      closeSink(); // the answer ends here: a response without a length is delimited by this
    }

    @Override
    public void onClose(Throwable cause) {
      Connection connection = getConnection();
      if (connection != null) {
        connection.onClose(cause);
      }
      connector.closed(this);
      super.onClose(cause);
      closeSink();
    }

    private void closeSink() {
      if (sinkClosed.compareAndSet(false, true)) {
        sink.closed();
      }
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return LOOPBACK;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
      return LOOPBACK;
    }
  }
}
