package otterbot.server.internal;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import com.corundumstudio.socketio.scheduler.HashedWheelTimeoutScheduler;

import io.netty.channel.ChannelPipeline;

/**
 * netty-socketio's pipeline with the front's handlers added. Per connection, from the socket inwards:
 *
 * <pre>
 * httpDecoder        HttpRequestDecoder                     (netty-socketio)
 * httpAggregator     FrontAggregator: JSON 413, ordered 100  (replaces netty-socketio's)
 * httpEncoder        HttpResponseEncoder                    (netty-socketio)
 * packetHandler      InPacketHandler                        (netty-socketio)
 * sequencer          RequestSequencer: one request at a time, JSON 400 for odd targets
 * authorizeHandler   AuthorizeHandler: Socket.IO handshakes  (netty-socketio)
 * forwarder          Forwarder: everything but /socket.io/ to Jetty
 * xhrPollingTransport, webSocketTransportCompression, webSocketTransport, socketioEncoder   (netty-socketio)
 * wrongUrlBlocker    SocketIoFallback: JSON 400, closes on unhandled errors (replaces netty-socketio's)
 * </pre>
 *
 * HTTP compression is off in the configuration, so there is no {@code httpCompression} handler.
 */
final class PortChannelInitializer extends SocketIOChannelInitializer {
  static final String SEQUENCER = "sequencer";
  static final String FORWARDER = "forwarder";

  private static final Logger LOG = LoggerFactory.getLogger(PortChannelInitializer.class);

  private final int maxRequestBytes;
  private final long idleTimeoutNanos;
  private final Backend backend;
  private final String socketIoPath;

  /**
   * Whether an Engine.IO session id is live: netty-socketio's own session registry (its private {@code clientsBox},
   * filled at the handshake, before a client joins a namespace, so {@code SocketIOServer.getClient} would not do).
   * Should a later netty-socketio rename the field, every id counts as known and netty-socketio answers as before.
   */
  private final java.util.function.Predicate<java.util.UUID> knownSession = sessionRegistry();

  private java.util.function.Predicate<java.util.UUID> sessionRegistry() {
    try {
      var field = com.corundumstudio.socketio.SocketIOChannelInitializer.class.getDeclaredField("clientsBox");
      field.setAccessible(true);
      var box = (com.corundumstudio.socketio.handler.ClientsBox) field.get(this);
      return sid -> box.get(sid) != null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Cannot see netty-socketio's sessions ({}); unknown session ids are left to netty-socketio", e.toString());
      return sid -> true;
    }
  }

  PortChannelInitializer(FrontSettings settings, Backend backend, String socketIoPath, PortThreads threads) {
    this.maxRequestBytes = settings.maxRequestBytes();
    this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(settings.idleTimeoutSeconds());
    this.backend = backend;
    this.socketIoPath = socketIoPath;
    useNamedTimerThread(threads);
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    pipeline.replace(HTTP_AGGREGATOR, HTTP_AGGREGATOR, new FrontAggregator(maxRequestBytes));
    pipeline.addBefore(AUTHORIZE_HANDLER, SEQUENCER, new RequestSequencer(maxRequestBytes, idleTimeoutNanos, socketIoPath, knownSession));
    pipeline.addAfter(AUTHORIZE_HANDLER, FORWARDER, new Forwarder(backend, socketIoPath));
    pipeline.replace(WRONG_URL_HANDLER, WRONG_URL_HANDLER, SocketIoFallback.INSTANCE);
  }

  /**
   * netty-socketio creates its timer (pings, timeouts) with an anonymous thread factory, so its thread would be the one
   * port thread without our name. If the field cannot be swapped we keep its timer, which works and is still stopped
   * by {@code stop()}.
   */
  private void useNamedTimerThread(PortThreads threads) {
    var named = new HashedWheelTimeoutScheduler(threads.factory("timer"));
    try {
      CancelableScheduler original = SocketIoInternals.scheduler(this);
      SocketIoInternals.setScheduler(this, named);
      original.shutdown(); // never started: no thread to stop, but Netty reports a timer that is never stopped as a leak
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("Keeping netty-socketio's own timer thread: {}", e.toString());
      named.shutdown();
    }
  }
}
