package otterbot.server.internal;

/**
 * What the public port needs to start. Free of OSGi so tests start a {@link Front} directly.
 *
 * @param host bind address
 * @param port TCP port; 0 picks a free one (tests)
 * @param maxRequestBytes largest request body accepted, for REST and Socket.IO alike
 * @param backendConnectTimeoutMillis how long to wait for a connection to the internal HTTP service
 * @param workerThreads I/O threads; 0 lets Netty choose (twice the processors)
 * @param idleTimeoutSeconds a keep-alive connection with no request in flight is closed after this long
 * @param maxConnections open connections beyond this are closed at once
 * @param maxSessions Engine.IO handshakes beyond this many live sessions are refused with 503
 * @param access accepted Host names and origins, and the API token if one is required
 * @param engineIo ping and connect timings of Socket.IO sessions
 */
public record FrontSettings(
    String host, int port, int maxRequestBytes, int backendConnectTimeoutMillis, int workerThreads,
    int idleTimeoutSeconds, int maxConnections, int maxSessions, Access access, EngineIoTimings engineIo) {

  public static final int DEFAULT_MAX_REQUEST_BYTES = 2 * 1024 * 1024;
  public static final int DEFAULT_BACKEND_CONNECT_TIMEOUT_MILLIS = 2000;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  /** Twice the 5,000 idle connections the benchmark holds. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_SESSIONS = 10_000;

  /** @throws IllegalArgumentException naming the first setting that is out of range */
  public FrontSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    check("port", port, 0, 65535);
    check("maxRequestBytes", maxRequestBytes, 1, Integer.MAX_VALUE);
    check("backendConnectTimeoutMillis", backendConnectTimeoutMillis, 1, Integer.MAX_VALUE);
    check("workerThreads", workerThreads, 0, 1024);
    check("idleTimeoutSeconds", idleTimeoutSeconds, 1, Integer.MAX_VALUE);
    check("maxConnections", maxConnections, 1, Integer.MAX_VALUE);
    check("maxSessions", maxSessions, 1, Integer.MAX_VALUE);
    if (access == null) {
      throw new IllegalArgumentException("access must not be null");
    }
    if (engineIo == null) {
      throw new IllegalArgumentException("engineIo must not be null");
    }
  }

  /** The defaults for everything but the address. */
  public static FrontSettings of(String host, int port) {
    return new FrontSettings(host, port, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_BACKEND_CONNECT_TIMEOUT_MILLIS, 0,
        DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SESSIONS, Access.DEFAULT,
        EngineIoTimings.DEFAULTS);
  }

  public FrontSettings withMaxRequestBytes(int bytes) {
    return new FrontSettings(host, port, bytes, backendConnectTimeoutMillis, workerThreads, idleTimeoutSeconds,
        maxConnections, maxSessions, access, engineIo);
  }

  public FrontSettings withIdleTimeoutSeconds(int seconds) {
    return new FrontSettings(host, port, maxRequestBytes, backendConnectTimeoutMillis, workerThreads, seconds,
        maxConnections, maxSessions, access, engineIo);
  }

  public FrontSettings withWorkerThreads(int threads) {
    return new FrontSettings(host, port, maxRequestBytes, backendConnectTimeoutMillis, threads, idleTimeoutSeconds,
        maxConnections, maxSessions, access, engineIo);
  }

  public FrontSettings withLimits(int connections, int sessions) {
    return new FrontSettings(host, port, maxRequestBytes, backendConnectTimeoutMillis, workerThreads,
        idleTimeoutSeconds, connections, sessions, access, engineIo);
  }

  public FrontSettings withAccess(Access newAccess) {
    return new FrontSettings(host, port, maxRequestBytes, backendConnectTimeoutMillis, workerThreads,
        idleTimeoutSeconds, maxConnections, maxSessions, newAccess, engineIo);
  }

  public FrontSettings withEngineIo(EngineIoTimings timings) {
    return new FrontSettings(host, port, maxRequestBytes, backendConnectTimeoutMillis, workerThreads,
        idleTimeoutSeconds, maxConnections, maxSessions, access, timings);
  }

  static void check(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
  }
}
