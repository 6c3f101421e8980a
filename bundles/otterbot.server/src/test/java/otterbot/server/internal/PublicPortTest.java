package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;
import otterbot.api.runtime.ServerEnvironment;

/** The DS component without a framework: constructor injection means plain calls. */
class PublicPortTest {

  private static final ServerEnvironment ENVIRONMENT = new ServerEnvironment() {
    @Override public Path home() { return Path.of("data"); }
    @Override public Path etcDirectory() { return home().resolve("etc"); }
    @Override public Path deployDirectory() { return home().resolve("deploy"); }
    @Override public Path databaseDirectory() { return home().resolve("db"); }
    @Override public String host() { return "127.0.0.1"; }
    @Override public int port() { return 0; }
  };

  @SuppressWarnings("all")
  private static final PublicPortConfiguration DEFAULTS = new PublicPortConfiguration() {
    @Override public int maxRequestBytes() { return FrontSettings.DEFAULT_MAX_REQUEST_BYTES; }
    @Override public int backendConnectTimeoutMillis() { return 2000; }
    @Override public int workerThreads() { return 0; }
    @Override public int idleTimeoutSeconds() { return 60; }
    @Override public int maxConnections() { return FrontSettings.DEFAULT_MAX_CONNECTIONS; }
    @Override public int maxSessions() { return FrontSettings.DEFAULT_MAX_SESSIONS; }
    @Override public String allowedHosts() { return ""; }
    @Override public String allowedOrigins() { return ""; }
    @Override public boolean requireToken() { return false; }
    @Override public int pingIntervalMillis() { return EngineIoTimings.DEFAULT_PING_INTERVAL_MILLIS; }
    @Override public int pingTimeoutMillis() { return EngineIoTimings.DEFAULT_PING_TIMEOUT_MILLIS; }
    @Override public int connectTimeoutMillis() { return EngineIoTimings.DEFAULT_CONNECT_TIMEOUT_MILLIS; }
    @Override public Class<? extends Annotation> annotationType() { return PublicPortConfiguration.class; }
  };

  @Test
  void followsTheHttpServiceRuntimeAndReportsHealth() throws Exception {
    try (var backend = TestBackend.start()) {
      var port = new PublicPort(ENVIRONMENT, new ApiGate(), new InternalPortGuard(), new InProcessJetty(), DEFAULTS);
      try {
        var socket = new SocketHealthCheck(port).check();
        var http = new HttpHealthCheck(port);
        assertTrue(socket.isUp());
        // Health never reveals URLs or ports.
        assertEquals(Map.of("connectedClients", 0), socket.details());
        assertEquals(Health.DOWN, http.check().status());

        try (var client = new RawHttp(port.front().address())) {
          assertEquals(503, client.get("/api/json").read().status());

          Map<String, Object> runtime = Map.of("service.id", 7L,
              HttpEndpoints.ENDPOINT_PROPERTY, new String[] {"http://127.0.0.1:" + backend.port() + "/"});
          port.bindHttpServiceRuntime(runtime);
          assertEquals(Map.of(), http.check().details());
          assertEquals(200, client.get("/api/json").read().status());

          // A greedy rebind: the new runtime is bound before the old one is unbound.
          Map<String, Object> replacement = Map.of("service.id", 8L,
              HttpEndpoints.ENDPOINT_PROPERTY, "http://127.0.0.1:1/");
          port.bindHttpServiceRuntime(replacement);
          port.unbindHttpServiceRuntime(runtime);
          assertEquals(502, client.get("/api/json").read().status(), "forwards to the replacement (port 1)");

          port.updatedHttpServiceRuntime(Map.of("service.id", 8L,
              HttpEndpoints.ENDPOINT_PROPERTY, "http://127.0.0.1:" + backend.port() + "/"));
          assertEquals(200, client.get("/api/json").read().status());

          port.unbindHttpServiceRuntime(replacement);
          assertFalse(http.check().isUp());
          assertEquals(503, client.get("/api/json").read().status());
        }
      } finally {
        port.deactivate();
      }
    }
  }

  @Test
  void holdsApiRequestsBackWhileTheApiHealthCheckIsDown() throws Exception {
    try (var backend = TestBackend.start()) {
      var gate = new ApiGate();
      Map<String, Object> api = Map.of("service.id", 9L, HealthCheck.SUBSYSTEM, "api");
      gate.bindApiHealth(() -> Health.down("starting", Map.of()), api);
      var port = new PublicPort(ENVIRONMENT, gate, new InternalPortGuard(), new InProcessJetty(), DEFAULTS);
      try (var client = new RawHttp(port.front().address())) {
        port.bindHttpServiceRuntime(Map.of("service.id", 7L,
            HttpEndpoints.ENDPOINT_PROPERTY, "http://127.0.0.1:" + backend.port() + "/"));
        var starting = client.get("/api/json").read();
        assertEquals(503, starting.status());
        assertEquals("{\"error\":\"starting\"}", starting.text());
        assertEquals(200, client.get("/other").read().status());

        gate.updatedApiHealth(() -> Health.up(Map.of()), api);
        assertEquals(200, client.get("/api/json").read().status());
      } finally {
        port.deactivate();
      }
    }
  }
}
