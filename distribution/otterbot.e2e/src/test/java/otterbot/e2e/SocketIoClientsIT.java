package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import okhttp3.OkHttpClient;

/**
 * Real Socket.IO clients on the public port, the way the web UI and scripts will use it: the Node
 * {@code socket.io-client} 4.8 (run as a separate {@code node} process from {@code src/test/node}, installed by
 * {@code npm ci} in pre-integration-test) and the Java {@code io.socket:socket.io-client} 2.1. Each connects with
 * websocket only, with polling only and (Node) with the default polling-then-upgrade, gets a session id, stays
 * connected and disconnects cleanly. While a client is connected the {@code socket} subsystem of
 * {@code GET /api/health} counts it and REST keeps answering. Engine.IO requests the server must refuse get a 4xx.
 */
class SocketIoClientsIT {
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(30);
  static final Duration JAVA_TIMEOUT = Duration.ofSeconds(10);
  static final String CLIENT_DISCONNECT = "io client disconnect";
  /** How long the client of the health test stays connected. */
  static final int HOLD_MILLIS = 3_000;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static String url;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    Path script = nodeDir().resolve("connect.mjs");
    assertTrue(Files.isRegularFile(script), "no " + script);
    assertTrue(Files.isDirectory(nodeDir().resolve("node_modules").resolve("socket.io-client")),
        "socket.io-client is not installed in " + nodeDir() + ": the build runs `npm ci` there in pre-integration-test"
            + " (outside Maven: cd " + nodeDir() + " && npm ci)");
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
    url = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  // ---------------------------------------------------------------- Node socket.io-client

  @ParameterizedTest(name = "Node socket.io-client, {0}")
  @ValueSource(strings = {"websocket", "polling"})
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void nodeClientConnectsAndDisconnects(String mode) {
    nodeClientRoundTrip(mode);
  }

  /**
   * The browser's default: polling, then an upgrade to websocket. It used to hang in roughly a third of the runs:
   * netty-socketio 2.0.14 sends a single NOOP on polling when the upgrade probe arrives, and when that NOOP reached the
   * client before the probe answer, the client opened a new poll that was parked until the next ping (25 s), while the
   * client waited for that poll to complete before sending the upgrade. The front now answers every poll of an
   * upgrading session at once, as the reference server does (UpgradeProbes in otterbot.server).
   */
  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void nodeClientUpgradesFromPollingToWebsocket() {
    nodeClientRoundTrip("default");
  }

  private void nodeClientRoundTrip(String mode) {
    NodeClient client = NodeClient.start(mode, 500);
    client.awaitExit();
    String expectedTransport = mode.equals("default") ? "websocket" : mode;

    List<JsonNode> events = client.events();
    assertEquals(0, client.exitCode(), () -> (mode.equals("default") && client.first("connect") != null
        && client.first("upgrade") == null
            ? "the client connected on polling but its upgrade to websocket never completed\n" : "the client failed\n")
        + client.explain());
    JsonNode open = client.first("open");
    assertNotNull(open, () -> "no open event\n" + client.explain());
    assertEquals(mode.equals("default") ? "polling" : mode, open.path("transport").asText(), () -> client.explain());

    JsonNode connect = client.first("connect");
    assertNotNull(connect, () -> "no connect event\n" + client.explain());
    assertFalse(connect.path("id").asText("").isBlank(), () -> "connected without an id\n" + client.explain());
    if (!mode.equals("default")) {
      assertEquals(mode, connect.path("transport").asText(), () -> client.explain());
      assertNull(client.first("upgrade"), () -> "upgraded although only " + mode + " was allowed\n" + client.explain());
    } else {
      JsonNode upgrade = client.first("upgrade");
      assertNotNull(upgrade, () -> "the default client never upgraded from polling\n" + client.explain());
      assertEquals(expectedTransport, upgrade.path("transport").asText(), () -> client.explain());
    }

    JsonNode last = events.get(events.size() - 1);
    assertEquals("disconnect", last.path("event").asText(), () -> "the last event is not the disconnect\n" + client.explain());
    assertEquals(CLIENT_DISCONNECT, last.path("reason").asText(), () -> client.explain());
    assertEquals(1, events.stream().filter(e -> e.path("event").asText().equals("connect")).count(),
        () -> "connected more than once\n" + client.explain());
    System.out.printf("[e2e] Node socket.io-client %s: sid %s, %s%n", mode, connect.path("id").asText(),
        events.stream().map(e -> e.path("event").asText()).collect(Collectors.joining(" -> ")));
  }

  /**
   * A polling client that goes away must not leave its connection behind: netty-socketio parks long-polls, and a
   * front that stopped reading while one was parked never saw the client's FIN (CLOSE-WAIT, one file descriptor per
   * vanished client, for ever). Counted through /proc, so Linux only, like the machines this project runs on.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void pollingClientsThatLeaveDoNotLeakConnections() throws Exception {
    java.nio.file.Path fds = java.nio.file.Path.of("/proc", Long.toString(server.pid()), "fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(fds), "needs /proc (Linux)");
    for (int i = 0; i < 2; i++) { // warm-up: pools and lazily opened files settle
      NodeClient.start("polling", 200).awaitExit();
    }
    long before = openFiles(fds);
    for (int i = 0; i < 8; i++) {
      NodeClient client = NodeClient.start("polling", 200);
      client.awaitExit();
      assertEquals(0, client.exitCode(), () -> client.explain());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long after = openFiles(fds);
    while (after > before + 3 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      after = openFiles(fds);
    }
    assertTrue(after <= before + 3, "open files grew from " + before + " to " + after + " after 8 polling clients left");
  }

  private static long openFiles(java.nio.file.Path fds) throws java.io.IOException {
    try (var list = java.nio.file.Files.list(fds)) {
      return list.count();
    }
  }

  @Test
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  void healthCountsAConnectedNodeClientAndRestKeepsAnswering() {
    int before = connectedClients(http.get("/api/health"));
    NodeClient client = NodeClient.start("websocket", HOLD_MILLIS);
    try {
      server.eventually("the Node client connects", NODE_TIMEOUT, () -> client.first("connect") != null || client.exited(),
          client::explain);
      assertNotNull(client.first("connect"), () -> "the client did not connect\n" + client.explain());

      List<String> seen = new ArrayList<>();
      server.eventually("GET /api/health reports the connected client", Duration.ofSeconds(2), () -> {
        Http.Response health = http.get("/api/health");
        int count = connectedClients(health);
        seen.add(Integer.toString(count));
        return count >= 1 && count > before;
      }, () -> "connectedClients seen: " + seen + "\n" + client.explain());

      // REST answers while the Socket.IO connection is open on the same port: for 2 s of the client's 3 s hold.
      int answered = 0;
      long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < until && !client.exited() && client.first("disconnect") == null) {
        Http.Response agents = http.get("/api/agents");
        assertTrue(http.expect(agents, 200).isArray(), () -> server.explain(agents));
        Http.Response health = http.get("/api/health");
        assertTrue(connectedClients(health) >= 1, () -> "connectedClients dropped below 1 while the client was still"
            + " connected\n" + client.explain() + "\n" + server.explain(health));
        answered++;
        ServerProcess.pause(100);
      }
      assertTrue(answered >= 5,
          "REST was asked only " + answered + " times while the client was connected\n" + client.explain());
      System.out.printf("[e2e] connectedClients %s while a Node client held its connection; REST answered %d rounds%n",
          seen, answered);
    } finally {
      client.awaitExit();
    }
    assertEquals(0, client.exitCode(), () -> "the client failed\n" + client.explain());
    JsonNode disconnect = client.first("disconnect");
    assertNotNull(disconnect, () -> client.explain());
    assertEquals(CLIENT_DISCONNECT, disconnect.path("reason").asText(), () -> client.explain());
    // The server forgets the client once it has disconnected.
    server.eventually("GET /api/health stops counting the disconnected client", Duration.ofSeconds(5),
        () -> connectedClients(http.get("/api/health")) <= before, () -> http.get("/api/health").toString());
  }

  static int connectedClients(Http.Response health) {
    JsonNode socket = http.expect(health, 200).path("subsystems").path("socket");
    assertEquals("up", socket.path("status").asText(), () -> server.explain(health));
    assertTrue(socket.path("connectedClients").isInt(), () -> "no connectedClients\n" + server.explain(health));
    return socket.path("connectedClients").asInt();
  }

  // ---------------------------------------------------------------- Java io.socket:socket.io-client

  @ParameterizedTest(name = "Java socket.io-client, {0}")
  @ValueSource(strings = {"websocket", "polling"})
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void javaClientConnectsAndDisconnects(String transport) throws Exception {
    OkHttpClient okHttp = new OkHttpClient.Builder().readTimeout(1, TimeUnit.MINUTES).build();
    IO.Options options = IO.Options.builder()
        .setTransports(new String[] {transport})
        .setReconnection(false)
        .setForceNew(true)
        .setTimeout(JAVA_TIMEOUT.toMillis())
        .build();
    options.callFactory = okHttp;
    options.webSocketFactory = okHttp;
    Socket socket = IO.socket(URI.create(url), options);
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch connected = new CountDownLatch(1);
    CountDownLatch disconnected = new CountDownLatch(1);
    AtomicReference<Object> disconnectReason = new AtomicReference<>();
    socket.io().on(Manager.EVENT_TRANSPORT, args -> events.add("transport " + ((Transport) args[0]).name));
    socket.on(Socket.EVENT_CONNECT, args -> {
      events.add("connect " + socket.id());
      connected.countDown();
    });
    socket.on(Socket.EVENT_CONNECT_ERROR, args -> events.add("connect_error " + describe(args)));
    socket.on(Socket.EVENT_DISCONNECT, args -> {
      events.add("disconnect " + describe(args));
      disconnectReason.set(args.length > 0 ? args[0] : null);
      disconnected.countDown();
    });
    try {
      socket.connect();
      assertTrue(connected.await(JAVA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
          () -> "the Java client did not connect with " + transport + " within " + JAVA_TIMEOUT.toSeconds() + " s; events "
              + events + "\n" + server.logTail());
      assertTrue(socket.connected(), () -> "events " + events);
      assertNotNull(socket.id(), () -> "connected without an id; events " + events);
      assertFalse(socket.id().isBlank(), () -> "events " + events);
      assertEquals(List.of("transport " + transport), events.stream().filter(e -> e.startsWith("transport ")).toList(),
          () -> "events " + events);

      Thread.sleep(500);
      assertTrue(socket.connected(), () -> "the connection did not last 500 ms; events " + events + "\n" + server.logTail());
      String id = socket.id();
      socket.disconnect();
      assertTrue(disconnected.await(5, TimeUnit.SECONDS), () -> "no disconnect event; events " + events);
      assertEquals(CLIENT_DISCONNECT, disconnectReason.get(), () -> "events " + events);
      assertFalse(socket.connected(), () -> "events " + events);
      assertFalse(events.stream().anyMatch(e -> e.startsWith("connect_error")), () -> "events " + events);
      System.out.printf("[e2e] Java socket.io-client %s: sid %s, %s%n", transport, id, events);
    } finally {
      socket.close();
      okHttp.dispatcher().executorService().shutdown();
      okHttp.connectionPool().evictAll();
    }
  }

  static String describe(Object[] args) {
    return java.util.Arrays.stream(args)
        .map(a -> a instanceof Throwable t ? t.toString() + (t.getCause() != null ? " caused by " + t.getCause() : "")
            : String.valueOf(a))
        .collect(Collectors.joining(", "));
  }

  // ---------------------------------------------------------------- protocol errors

  /** Engine.IO requests that no supported client sends: each must be refused with a 4xx, promptly. */
  @ParameterizedTest(name = "GET {0}")
  @ValueSource(strings = {
      "/socket.io/?EIO=3&transport=polling",
      "/socket.io/?EIO=4&transport=bogus",
      "/socket.io/?EIO=4&transport=polling&sid=unknown"})
  @Timeout(value = 15, unit = TimeUnit.SECONDS)
  void protocolErrorsGetA4xx(String target) {
    Http.Response answer = http.raw("GET", target, "*/*");
    System.out.printf("[e2e] GET %s -> %s%n", target,
        answer.status() < 0 ? "no HTTP answer (connection closed)" : "HTTP " + answer.status() + " [Content-Type: "
            + answer.header("content-type") + "] " + answer.body());
    assertTrue(answer.status() >= 400 && answer.status() < 500,
        () -> "expected a 4xx, got " + (answer.status() < 0 ? "no HTTP answer at all" : "HTTP " + answer.status()) + "\n"
            + server.explain(answer));
    Http.Response health = http.get("/api/health");
    assertEquals(200, health.status(), () -> server.explain(health));
  }

  // ---------------------------------------------------------------- the Node client process

  static Path nodeDir() {
    return Path.of(System.getProperty("otterbot.e2e.node.dir", "src/test/node")).toAbsolutePath().normalize();
  }

  /** {@code node connect.mjs <url> <mode> <holdMillis>} as a child process, its output collected line by line. */
  static final class NodeClient {
    private final Process process;
    private final List<String> command;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private NodeClient(Process process, List<String> command) {
      this.process = process;
      this.command = command;
      this.reader = new Thread(this::read, "node-client-output");
      reader.setDaemon(true);
      reader.start();
    }

    static NodeClient start(String mode, int holdMillis) {
      List<String> command = List.of(System.getProperty("otterbot.e2e.node", "node"), "connect.mjs", url, mode,
          Integer.toString(holdMillis));
      ProcessBuilder builder = new ProcessBuilder(command).directory(nodeDir().toFile()).redirectErrorStream(true);
      builder.environment().remove("DEBUG");
      try {
        return new NodeClient(builder.start(), command);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run " + command + " in " + nodeDir()
            + ": these tests need Node.js 20 (node and npm) on the PATH", e);
      }
    }

    private void read() {
      try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.add(line);
        }
      } catch (IOException e) {
        output.add("(cannot read the output: " + e + ")");
      }
    }

    /** Waits for the process to end (it times itself out after 10 s; this kills it after 30 s) and its output. */
    void awaitExit() {
      try {
        if (!process.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          output.add("(killed by the test after " + NODE_TIMEOUT.toSeconds() + " s)");
        }
        reader.join(5_000);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    boolean exited() {
      return !process.isAlive();
    }

    int exitCode() {
      return process.exitValue();
    }

    /** The JSON lines so far. */
    List<JsonNode> events() {
      var events = new ArrayList<JsonNode>();
      for (String line : output) {
        if (line.startsWith("{")) {
          try {
            events.add(Http.JSON.readTree(line));
          } catch (IOException e) {
            fail("not a JSON line: " + line + "\n" + explain());
          }
        }
      }
      return events;
    }

    /** The first event of that name so far, or null. */
    JsonNode first(String event) {
      return events().stream().filter(e -> e.path("event").asText().equals(event)).findFirst().orElse(null);
    }

    /** The command, its exit code and all its output, then the server log tail. */
    String explain() {
      return "----- " + String.join(" ", command) + " (" + (process.isAlive() ? "running" : "exit code " + process.exitValue())
          + ") -----\n" + String.join("\n", output) + "\n----- end of client output -----\n" + server.logTail();
    }
  }
}
