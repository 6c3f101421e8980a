package otterbot.server.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Tuning of the public port. Where it listens is not here: that comes from {@code --host} and {@code --port}. */
@ObjectClassDefinition(
    name = "OtterBot public port",
    description = "The one public port: Socket.IO on /socket.io/, every other request forwarded to the internal HTTP "
        + "service.")
@interface PublicPortConfiguration {
  @AttributeDefinition(
      name = "Largest request body (bytes)",
      description = "Larger request bodies are refused with 413 before they reach REST or Socket.IO.",
      min = "1")
  int maxRequestBytes() default FrontSettings.DEFAULT_MAX_REQUEST_BYTES;

  @AttributeDefinition(
      name = "Backend connect timeout (ms)",
      description = "How long to wait for a connection to the internal HTTP service before answering 502.",
      min = "1")
  int backendConnectTimeoutMillis() default FrontSettings.DEFAULT_BACKEND_CONNECT_TIMEOUT_MILLIS;

  @AttributeDefinition(
      name = "I/O threads",
      description = "Threads serving connections; 0 means twice the number of processors.",
      min = "0")
  int workerThreads() default 0;

  @AttributeDefinition(
      name = "Idle connection timeout (s)",
      description = "A keep-alive connection with no request in progress is closed after this many seconds. "
          + "Socket.IO connections keep themselves alive with pings.",
      min = "1")
  int idleTimeoutSeconds() default FrontSettings.DEFAULT_IDLE_TIMEOUT_SECONDS;

  @AttributeDefinition(
      name = "Largest number of open connections",
      description = "Connections beyond this are answered with 503 and closed at once.",
      min = "1")
  int maxConnections() default FrontSettings.DEFAULT_MAX_CONNECTIONS;

  @AttributeDefinition(
      name = "Largest number of Socket.IO sessions",
      description = "Engine.IO handshakes beyond this many live sessions are refused with 503.",
      min = "1")
  int maxSessions() default FrontSettings.DEFAULT_MAX_SESSIONS;

  @AttributeDefinition(
      name = "Allowed host names",
      description = "Comma-separated names accepted in the Host header besides those of the bound address "
          + "(127.0.0.1, localhost, [::1]; off loopback also this machine's IP addresses), e.g. otterbot.lan.",
      required = false)
  String allowedHosts() default "";

  @AttributeDefinition(
      name = "Allowed origins",
      description = "Comma-separated exact origins (scheme://host[:port]) whose web pages may use Socket.IO and "
          + "change things through the API, besides the server's own.",
      required = false)
  String allowedOrigins() default "";

  @AttributeDefinition(
      name = "Require the API token on loopback",
      description = "Bound off loopback the token is always required; this requires it on loopback too.")
  boolean requireToken() default false;

  @AttributeDefinition(
      name = "Ping interval (ms)",
      description = "How often the server pings each Socket.IO session (announced to clients in the open packet).",
      min = "1")
  int pingIntervalMillis() default EngineIoTimings.DEFAULT_PING_INTERVAL_MILLIS;

  @AttributeDefinition(
      name = "Ping timeout (ms)",
      description = "How long the server waits for a client's pong before it ends the session.",
      min = "1")
  int pingTimeoutMillis() default EngineIoTimings.DEFAULT_PING_TIMEOUT_MILLIS;

  @AttributeDefinition(
      name = "Connect timeout (ms)",
      description = "How long a new Engine.IO session may go without joining a Socket.IO namespace before it is "
          + "closed; 0 never closes it.",
      min = "0")
  int connectTimeoutMillis() default EngineIoTimings.DEFAULT_CONNECT_TIMEOUT_MILLIS;
}
