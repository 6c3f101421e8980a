package otterbot.server.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HttpRequestDecoderConfiguration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;

import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.Future;

import otterbot.server.internal.InProcessJetty.FrontConnector;

/**
 * The public port: netty-socketio owns the socket, Socket.IO is served on {@code /socket.io/}, and every other request
 * is forwarded to the internal HTTP service. A plain object, started and closed by the {@link PublicPort} component and
 * directly by tests.
 */
public final class Front implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Front.class);
  private static final String SOCKET_IO_CONTEXT = "/socket.io";

  private final PortServer server;
  private final PortThreads threads;
  private final Backend backend;
  private final URI url;
  private final InetSocketAddress address;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Limits limits;

  private Front(PortServer server, PortThreads threads, Backend backend, String host, InetSocketAddress address,
      Limits limits) {
    this.limits = limits;
    this.server = server;
    this.threads = threads;
    this.backend = backend;
    this.address = address;
    this.url = URI.create("http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort());
  }

  /**
   * Binds the port and starts serving, forwarding {@code /api} requests unconditionally; returns once the port is
   * bound.
   *
   * @see #start(FrontSettings, Supplier, BooleanSupplier)
   */
  public static Front start(FrontSettings settings, Supplier<URI> backendAddress) {
    return start(settings, backendAddress, () -> true);
  }

  /**
   * Binds the port and starts serving; returns once the port is bound.
   *
   * @param backendAddress the internal HTTP service ({@code http://host:port}), read for every forwarded request;
   *     {@code null} while it is not running, which the front answers with 503
   * @param apiReady read for every {@code /api} request; while {@code false} (the REST application is not built yet)
   *     the front answers them with {@code 503 {"error":"starting"}} instead of forwarding
   * @throws IllegalStateException when the port cannot be bound, naming the address
   */
  public static Front start(FrontSettings settings, Supplier<URI> backendAddress, BooleanSupplier apiReady) {
    return start(settings, backendAddress, apiReady, null);
  }

  /**
   * Binds the port and starts serving; returns once the port is bound.
   *
   * @param backendKey sent with every forwarded request so that Jetty's {@link InternalPortGuard} lets it in;
   *     {@code null} sends none (a backend without the guard)
   * @see #start(FrontSettings, Supplier, BooleanSupplier)
   */
  public static Front start(FrontSettings settings, Supplier<URI> backendAddress, BooleanSupplier apiReady,
      String backendKey) {
    return start(settings, backendAddress, () -> null, apiReady, backendKey);
  }

  /**
   * Binds the port and starts serving; returns once the port is bound.
   *
   * @param inProcess Jetty's in-process connector, read for every forwarded request: while it runs, requests go
   *     there instead of to {@code backendAddress}
   * @see #start(FrontSettings, Supplier, BooleanSupplier, String)
   */
  static Front start(FrontSettings settings, Supplier<URI> backendAddress, Supplier<FrontConnector> inProcess,
      BooleanSupplier apiReady, String backendKey) {
    if (settings.access().token() == null && !Admission.isLoopback(settings.host())) {
      throw new IllegalArgumentException("bound off loopback (" + settings.host() + "), the port needs an API token");
    }
    var threads = new PortThreads();
    var backend = new Backend(backendAddress, inProcess, apiReady, settings.backendConnectTimeoutMillis(),
        backendKey);
    var admission = new Admission(settings.host(), settings.access());
    var socketAuth = new SocketAuth(admission);
    var initializer = new PortChannelInitializer(settings, backend, SOCKET_IO_CONTEXT + "/", threads, admission,
        socketAuth);
    var configuration = configuration(settings);
    configuration.setAuthorizationListener(socketAuth);
    var server = new PortServer(configuration, settings.workerThreads(), threads, initializer);
    String where = settings.host() + ":" + settings.port();
    Future<Void> bound;
    try {
      bound = server.startAsync().awaitUninterruptibly();
    } catch (RuntimeException e) {
      stop(server, threads);
      throw new IllegalStateException("cannot listen on " + where + ": " + reason(e), e);
    }
    if (!bound.isSuccess()) {
      stop(server, threads);
      throw new IllegalStateException("cannot listen on " + where + ": " + reason(bound.cause()), bound.cause());
    }
    // startAsync() returns the bind future; its channel knows the real port when the settings asked for port 0.
    InetSocketAddress address = bound instanceof ChannelFuture channelFuture
        ? (InetSocketAddress) channelFuture.channel().localAddress()
        : new InetSocketAddress(settings.host(), settings.port());
    var front = new Front(server, threads, backend, settings.host(), address, initializer.limits());
    LOG.info("OtterBot listening on {}", front.url);
    if (!Admission.isLoopback(settings.host())) {
      LOG.warn("OtterBot is reachable from the network on {}: every client needs the API token from {}", front.url,
          settings.access().token().source());
    }
    return front;
  }

  private static String reason(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static Configuration configuration(FrontSettings settings) {
    var config = new Configuration();
    config.setHostname(settings.host());
    config.setPort(settings.port());
    config.setContext(SOCKET_IO_CONTEXT);
    config.setBossThreads(1);
    config.setPingInterval(settings.engineIo().pingIntervalMillis());
    config.setPingTimeout(settings.engineIo().pingTimeoutMillis());
    config.setWorkerThreads(settings.workerThreads());
    // Without this netty-socketio answers 400 to everything outside /socket.io/ before our forwarder sees it.
    config.setAllowCustomRequests(true);
    // One limit for what a client may send, whatever the transport: a polling POST body, and a WebSocket message
    // (netty-socketio's default is 64 KiB there). The open packet announces it as maxPayload, as Engine.IO v4 requires.
    config.setMaxHttpContentLength(settings.maxRequestBytes());
    config.setMaxFramePayloadLength(settings.maxRequestBytes());
    // Events whose argument was encoded ahead of time (RawJson, the chat's streamed tokens) are copied, not re-serialised.
    config.setJsonSupport(new RawJsonSupport(OpenPacket.jsonSupport(settings.maxRequestBytes())));
    // Same-origin only: with CORS on and no origin set, netty-socketio reflects any Origin with credentials allowed.
    config.setEnableCors(false);
    config.setOrigin(null);
    // Compression would hold server-sent events back in the deflater, and it pairs responses with requests in a way
    // that breaks on the sequencer's own 413 answers. Jetty can compress what it sends if that is ever wanted.
    config.setHttpCompression(false);
    // No permessage-deflate on WebSockets, as Socket.IO 4 (perMessageDeflate: false by default): netty-socketio agreed
    // to it with every client that offered it (browsers and Node's ws do), which kept a zlib deflater and inflater per
    // connection and deflated every streamed token frame (issue 12: most of 80 KiB per idle connection, and a tenth
    // of a chat's server CPU). Chat frames are small JSON; the gain was never worth it.
    config.setWebsocketCompression(false);
    // No product banner in the Server header (and no scan of every manifest on the class path to build it).
    config.setAddVersionHeader(false);
    // Session ids come from the server only; by default netty-socketio adopts an "io" cookie the client sends.
    config.setRandomSession(true);
    // A client that resets its connection is not a server error (netty-socketio logged a stack trace for each).
    config.setExceptionListener(new PortExceptions());
    // Jetty's default header limit is 8 KiB; the line limit is raised to match it, and larger body pieces mean fewer
    // buffers to aggregate for big uploads.
    config.setHttpRequestDecoderConfiguration(new HttpRequestDecoderConfiguration(8192, 16384, 65536));
    var socket = new SocketConfig();
    socket.setReuseAddress(true); // rebind at once after a restart, even with connections in TIME_WAIT
    socket.setTcpNoDelay(true);
    config.setSocketConfig(socket);
    return config;
  }

  /** {@code http://host:port} as bound. */
  public URI url() {
    return url;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** Open connections on the port, Socket.IO and REST. */
  public int openConnections() {
    return limits.openConnections();
  }

  /** Socket.IO clients connected to the default namespace. */
  public int connectedClients() {
    return server.getAllClients().size();
  }

  /**
   * The Socket.IO server, for adding event listeners: the chat adapter registers its {@code chat:*} listeners here
   * (netty-socketio accepts listeners on a running server).
   */
  public SocketIOServer socketIo() {
    return server;
  }

  /** Stops accepting, closes every connection and waits for the port's threads to end (well under a second). */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      backend.close();
      stop(server, threads);
      LOG.debug("Stopped listening on {}", url);
    }
  }

  private static void stop(PortServer server, PortThreads threads) {
    try {
      server.stop();
    } catch (RuntimeException e) {
      LOG.warn("Stopping the public port failed", e);
    }
    if (!threads.awaitTermination(1000)) {
      LOG.warn("Some {}* threads did not end within a second", PortThreads.PREFIX);
    }
  }
}
