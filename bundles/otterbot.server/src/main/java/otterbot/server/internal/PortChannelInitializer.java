package otterbot.server.internal;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;

import io.netty.channel.ChannelPipeline;

/**
 * netty-socketio's pipeline with the front's handlers added. Per connection, from the socket inwards:
 *
 * <pre>
 * limits             Limits: closes connections beyond maxConnections at once
 * httpDecoder        HttpRequestDecoder                     (netty-socketio)
 * httpAggregator     FrontAggregator: JSON 413, ordered 100  (replaces netty-socketio's)
 * httpEncoder        HttpResponseEncoder                    (netty-socketio)
 * upgradeProbes      UpgradeProbes: notes WebSocket probes, so polls are answered during an upgrade; closes on close
 * socketAuth         SocketAuth: only control packets and CONNECTs until a session has presented the API token
 * binaryPlaceholders BinaryPlaceholders: binary event arguments reach listeners as byte[]
 * packetHandler      InPacketHandler                        (netty-socketio)
 * sequencer          RequestSequencer: one request at a time, Admission (Host, Origin, token, JSON), JSON 400 for
 *                    odd targets and Engine.IO errors, 503 beyond maxSessions
 * authorizeHandler   AuthorizeHandler: Socket.IO handshakes  (netty-socketio)
 * forwarder          Forwarder: everything but /socket.io/ to Jetty
 * pollingRequests    PollingRequests: polls and sends of existing sessions
 * repeatedUpgrades   RepeatedUpgrades: a second WebSocket for a session on WebSocket is accepted and closed
 * namespaceJoins     NamespaceJoins: sessions join a namespace only when the client asks (Socket.IO v5), connect timeout
 * xhrPollingTransport, webSocketTransportCompression, webSocketTransport, socketioEncoder   (netty-socketio)
 * webSocketEncoder   WebSocketEncoder (outbound): writes queued packets with one flush per batch, in place of socketioEncoder
 * pollingEncoder     PollingEncoder (outbound): answers polls without losing packets, in place of socketioEncoder
 * wrongUrlBlocker    SocketIoFallback: JSON 400, closes on unhandled errors (replaces netty-socketio's)
 * </pre>
 *
 * HTTP compression is off in the configuration, so there is no {@code httpCompression} handler.
 */
final class PortChannelInitializer extends SocketIOChannelInitializer {
  static final String SEQUENCER = "sequencer";
  static final String FORWARDER = "forwarder";
  static final String UPGRADE_PROBES = "upgradeProbes";
  static final String POLLING_REQUESTS = "pollingRequests";
  static final String POLLING_ENCODER = "pollingEncoder";
  static final String WEB_SOCKET_ENCODER = "webSocketEncoder";
  static final String LIMITS = "limits";
  static final String SOCKET_AUTH = "socketAuth";
  static final String NAMESPACE_JOINS = "namespaceJoins";
  static final String BINARY_PLACEHOLDERS = "binaryPlaceholders";
  static final String REPEATED_UPGRADES = "repeatedUpgrades";

  private static final Logger LOG = LoggerFactory.getLogger(PortChannelInitializer.class);

  private final int maxRequestBytes;
  private final long idleTimeoutNanos;
  private final Backend backend;
  private final String socketIoPath;
  private final int connectTimeoutMillis;

  /**
   * netty-socketio's own session registry (its private {@code clientsBox}, filled at the handshake, before a client
   * joins a namespace, so {@code SocketIOServer.getClient} would not do), or null should a later netty-socketio rename
   * the field: then every session id counts as live and netty-socketio answers for unknown ones as before.
   */
  private final ClientsBox clientsBox = clientsBox();
  /** For {@link EngineIoChecks}: the transport a live session is on, null for an unknown or closed one. */
  private final Function<UUID, Transport> sessions;
  private final PollingRequests pollingRequests;
  private final Admission admission;
  private final SocketAuth socketAuth;
  private final Limits limits;

  private ClientsBox clientsBox() {
    try {
      return SocketIoInternals.clientsBox(this);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Cannot see netty-socketio's sessions ({}); unknown session ids are left to netty-socketio", e.toString());
      return null;
    }
  }

  PortChannelInitializer(FrontSettings settings, Backend backend, String socketIoPath, PortThreads threads,
      Admission admission, SocketAuth socketAuth) {
    this.admission = admission;
    this.socketAuth = socketAuth;
    this.maxRequestBytes = settings.maxRequestBytes();
    this.idleTimeoutNanos = TimeUnit.SECONDS.toNanos(settings.idleTimeoutSeconds());
    this.backend = backend;
    this.socketIoPath = socketIoPath;
    this.connectTimeoutMillis = settings.engineIo().connectTimeoutMillis();
    if (clientsBox != null) {
      this.sessions = sid -> {
        ClientHead client = clientsBox.get(sid);
        return client != null && client.isConnected() ? client.getCurrentTransport() : null;
      };
      this.pollingRequests = new PollingRequests(clientsBox);
    } else {
      this.sessions = sid -> Transport.POLLING;
      this.pollingRequests = null;
    }
    this.limits = new Limits(settings.maxConnections(), settings.maxSessions(), sessionCount());
    useNamedTimerThread(threads, settings.engineIo().pingIntervalMillis());
  }

  /** The number of live Engine.IO sessions; 0 (no session cap) should a later netty-socketio hide it. */
  private java.util.function.IntSupplier sessionCount() {
    if (clientsBox != null) {
      try {
        java.util.Map<?, ?> live = SocketIoInternals.sessions(clientsBox);
        return live::size;
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("Cannot count netty-socketio's sessions ({}); maxSessions is not enforced", e.toString());
      }
    }
    return () -> 0;
  }

  Limits limits() {
    return limits;
  }

  /** Made in {@link #start}, from the server's configuration as it runs (netty-socketio copies the one we gave it). */
  private PollingEncoder pollingEncoder;
  private WebSocketEncoder webSocketEncoder;
  private NamespaceJoins namespaceJoins;
  private RepeatedUpgrades repeatedUpgrades;

  @Override
  public void start(Configuration configuration, NamespacesHub namespacesHub) {
    super.start(configuration, namespacesHub);
    if (clientsBox != null) {
      repeatedUpgrades = new RepeatedUpgrades(clientsBox, configuration.getMaxFramePayloadLength());
      try {
        namespaceJoins = new NamespaceJoins(namespacesHub, clientsBox, SocketIoInternals.scheduler(this),
            connectTimeoutMillis);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn("Cannot see netty-socketio's timer ({}); sessions join / as netty-socketio does", e.toString());
      }
    }
    var packetEncoder = new PacketEncoder(configuration, configuration.getJsonSupport());
    pollingEncoder = new PollingEncoder(packetEncoder);
    webSocketEncoder = new WebSocketEncoder(packetEncoder, configuration.getMaxFramePayloadLength());
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    pipeline.addFirst(LIMITS, limits);
    pipeline.replace(HTTP_AGGREGATOR, HTTP_AGGREGATOR, new FrontAggregator(maxRequestBytes));
    pipeline.addBefore(PACKET_HANDLER, UPGRADE_PROBES, UpgradeProbes.INSTANCE);
    pipeline.addBefore(PACKET_HANDLER, SOCKET_AUTH, socketAuth);
    pipeline.addBefore(PACKET_HANDLER, BINARY_PLACEHOLDERS, BinaryPlaceholders.INSTANCE);
    pipeline.addBefore(AUTHORIZE_HANDLER, SEQUENCER,
        new RequestSequencer(maxRequestBytes, idleTimeoutNanos, socketIoPath, sessions, admission, limits));
    pipeline.addAfter(AUTHORIZE_HANDLER, FORWARDER, new Forwarder(backend, socketIoPath));
    if (pollingRequests != null) {
      pipeline.addBefore(XHR_POLLING_TRANSPORT, POLLING_REQUESTS, pollingRequests);
    }
    if (namespaceJoins != null) {
      pipeline.addBefore(XHR_POLLING_TRANSPORT, NAMESPACE_JOINS, namespaceJoins);
    }
    if (repeatedUpgrades != null) {
      pipeline.addBefore(XHR_POLLING_TRANSPORT, REPEATED_UPGRADES, repeatedUpgrades);
    }
    pipeline.addAfter(SOCKETIO_ENCODER, POLLING_ENCODER, pollingEncoder);
    pipeline.addAfter(SOCKETIO_ENCODER, WEB_SOCKET_ENCODER, webSocketEncoder);
    pipeline.replace(WRONG_URL_HANDLER, WRONG_URL_HANDLER, SocketIoFallback.INSTANCE);
  }

  /**
   * Called by netty-socketio when a session has no namespace client left: when the session ends, and also when the
   * client leaves its last namespace ({@code 41}), which netty-socketio 2.0.14 takes as the end of the session (it is
   * forgotten while its connection stays open, and no longer pinged). In Socket.IO v5 leaving a namespace leaves the
   * Engine.IO session open, so the client can join again; only the end of a session is passed on.
   */
  @Override
  public void onDisconnect(ClientHead client) {
    if (client.isConnected() && EngineIOVersion.V4.equals(client.getEngineIOVersion())) {
      if (namespaceJoins != null) {
        namespaceJoins.addPlaceholder(client); // so its pongs and close packet are still heard
      }
      return;
    }
    super.onDisconnect(client);
  }

  /**
   * netty-socketio creates its timer (pings, timeouts) with an anonymous thread factory, so its thread would be the one
   * port thread without our name, and with a fixed 100 ms tick (see {@link PortTimer}). If the field cannot be swapped
   * we keep its timer, which works and is still stopped by {@code stop()}.
   */
  private void useNamedTimerThread(PortThreads threads, int pingIntervalMillis) {
    var named = new PortTimer(threads.factory("timer"), pingIntervalMillis);
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
