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
