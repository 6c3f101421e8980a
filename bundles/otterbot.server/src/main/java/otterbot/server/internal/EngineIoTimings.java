package otterbot.server.internal;

/**
 * The Engine.IO and Socket.IO timings of the public port. The defaults are netty-socketio's, which the server has
 * always used; the Socket.IO protocol test suites want much shorter ones (see the {@code otterbot.socketio.conformance}
 * fixture's configuration).
 *
 * @param pingIntervalMillis how often the server pings (announced in the open packet)
 * @param pingTimeoutMillis how long after a ping the server waits for the pong before it ends the session (announced)
 * @param connectTimeoutMillis how long a new Engine.IO session may go without joining a Socket.IO namespace before the
 *     server closes it, as the reference server's {@code connectTimeout}; 0 (the default) never closes it
 */
public record EngineIoTimings(int pingIntervalMillis, int pingTimeoutMillis, int connectTimeoutMillis) {
  public static final int DEFAULT_PING_INTERVAL_MILLIS = 25_000;
  public static final int DEFAULT_PING_TIMEOUT_MILLIS = 60_000;
  public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 0;
  public static final EngineIoTimings DEFAULTS = new EngineIoTimings(DEFAULT_PING_INTERVAL_MILLIS,
      DEFAULT_PING_TIMEOUT_MILLIS, DEFAULT_CONNECT_TIMEOUT_MILLIS);

  /** @throws IllegalArgumentException naming the first setting that is out of range */
  public EngineIoTimings {
    FrontSettings.check("pingIntervalMillis", pingIntervalMillis, 1, Integer.MAX_VALUE);
    FrontSettings.check("pingTimeoutMillis", pingTimeoutMillis, 1, Integer.MAX_VALUE);
    FrontSettings.check("connectTimeoutMillis", connectTimeoutMillis, 0, Integer.MAX_VALUE);
  }
}
