package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code node chat.mjs <url> <transport> <sockets>}: the real Node {@code socket.io-client} 4.8 (installed by
 * {@code npm ci} in {@code src/test/node}) with one or more independent connections, driven through its standard
 * input. Each connection is a {@link ChatClient} ({@link #socket}).
 */
final class NodeChat implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final List<String> command;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private final OutputStream stdin;
  private final Supplier<String> serverLog;
  private volatile boolean ready;

  private NodeChat(Process process, List<String> command, int count, String transport, Supplier<String> serverLog) {
    this.process = process;
    this.command = command;
    this.serverLog = serverLog;
    this.stdin = process.getOutputStream();
    for (int n = 0; n < count; n++) {
      sockets.add(new Socket(n, "Node socket.io-client " + transport + (count > 1 ? " #" + n : "")));
    }
    Thread reader = new Thread(this::read, "node-chat-output");
    reader.setDaemon(true);
    reader.start();
  }

  static Path nodeDir() {
    return Path.of(System.getProperty("otterbot.e2e.node.dir", "src/test/node")).toAbsolutePath().normalize();
  }

  /** Starts the client with {@code count} connections and waits until all are connected. */
  static NodeChat connect(ServerProcess server, String transport, int count) {
    NodeChat chat = launch(server, transport, count, null);
    chat.awaitReady();
    return chat;
  }

  /**
   * Starts the client with one connection that sends {@code token} in its handshake {@code auth} payload (none when
   * null), and waits until it is either connected or refused ({@link Socket#connectError}).
   */
  static NodeChat attempt(ServerProcess server, String transport, String token) {
    NodeChat chat = launch(server, transport, 1, token);
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    Socket socket = chat.socket(0);
    while (!socket.connected && socket.connectError == null) {
      if (System.nanoTime() > deadline || !chat.process.isAlive()) {
        chat.close();
        fail("the Node client neither connected nor was refused\n" + chat.explain());
      }
      ServerProcess.pause(20);
    }
    return chat;
  }

  private static NodeChat launch(ServerProcess server, String transport, int count, String token) {
    Path dir = nodeDir();
    assertTrue(Files.isRegularFile(dir.resolve("chat.mjs")), "no chat.mjs in " + dir);
    assertTrue(Files.isDirectory(dir.resolve("node_modules").resolve("socket.io-client")),
        "socket.io-client is not installed in " + dir + ": the build runs `npm ci` there in pre-integration-test"
            + " (outside Maven: cd " + dir + " && npm ci)");
    List<String> command = List.of(System.getProperty("otterbot.e2e.node", "node"), "chat.mjs",
        "http://127.0.0.1:" + server.port(), transport, Integer.toString(count));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
        .redirectError(ProcessBuilder.Redirect.PIPE);
    builder.environment().remove("DEBUG");
    builder.environment().remove("OTTERBOT_E2E_TOKEN");
    if (token != null) {
      builder.environment().put("OTTERBOT_E2E_TOKEN", token);
    }
    NodeChat chat;
    try {
      chat = new NodeChat(builder.start(), command, count, transport, server::logTail);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command + ": these tests need Node.js 20 on the PATH", e);
    }
    chat.drainStderr();
    return chat;
  }

  Socket socket(int n) {
    return sockets.get(n);
  }

  List<Socket> sockets() {
    return List.copyOf(sockets);
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + CONNECT_TIMEOUT.toNanos();
    while (!ready) {
      if (!process.isAlive()) {
        fail("the Node client exited (" + process.exitValue() + ") before every socket connected\n" + explain());
      }
      if (System.nanoTime() > deadline) {
        close();
        fail("the Node client's sockets did not all connect within " + CONNECT_TIMEOUT.toSeconds() + " s\n" + explain());
      }
      ServerProcess.pause(20);
    }
  }

  private void read() {
    try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        output.add(line);
        dispatch(line);
      }
    } catch (IOException e) {
      output.add("(cannot read the output: " + e + ")");
    }
  }

  private void drainStderr() {
    Thread t = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.add("stderr: " + line);
        }
      } catch (IOException e) {
        output.add("(cannot read stderr: " + e + ")");
      }
    }, "node-chat-stderr");
    t.setDaemon(true);
    t.start();
  }

  private void dispatch(String line) {
    if (!line.startsWith("{")) {
      return;
    }
    JsonNode json;
    try {
      json = Http.JSON.readTree(line);
    } catch (IOException e) {
      return;
    }
    String event = json.path("event").asText();
    if (event.equals("ready")) {
      ready = true;
      return;
    }
    if (!json.has("socket")) {
      return;
    }
    Socket socket = sockets.get(json.path("socket").asInt());
    switch (event) {
      case "connect" -> socket.connected = true;
      case "disconnect" -> socket.connected = false;
      case "connect_error" -> {
        socket.connected = false;
        socket.connectError = json.path("message").asText();
      }
      default -> socket.received(event, json.path("data"));
    }
    if (event.equals("disconnect")) {
      socket.disconnected = true;
    }
  }

  private synchronized void command(ObjectNode command) {
    try {
      stdin.write((command.toString() + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      fail("cannot write to the Node client (" + e + ")\n" + explain());
    }
  }

  String explain() {
    return "----- " + String.join(" ", command) + " (" + (process.isAlive() ? "running" : "exit code " + process.exitValue())
        + ") -----\n" + String.join("\n", output) + "\n----- end of Node client output -----\n" + serverLog.get();
  }

  /** Disconnects every socket and waits for the process to end (kills it after 10 s). */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        command(Http.JSON.createObjectNode().put("op", "exit"));
        stdin.close();
      } catch (IOException | AssertionError e) {
        // already gone
      }
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** One connection of the Node client. */
  final class Socket extends ChatClient {
    private final int index;
    volatile boolean connected;
    volatile boolean disconnected;
    /** The message of the client's {@code connect_error}, once it had one. */
    volatile String connectError;

    Socket(int index, String label) {
      super(label, serverLog);
      this.index = index;
    }

    @Override
    void emit(String event, JsonNode data) {
      command(Http.JSON.createObjectNode().put("op", "emit").put("socket", index).put("event", event)
          .set("data", data));
    }

    /** Makes the client disconnect by itself as soon as its next token arrives. */
    void disconnectOnFirstToken() {
      command(Http.JSON.createObjectNode().put("op", "disconnectOnToken").put("socket", index));
    }

    @Override
    void disconnect() {
      if (connected && process.isAlive()) {
        command(Http.JSON.createObjectNode().put("op", "disconnect").put("socket", index));
      }
    }

    @Override
    boolean connected() {
      return connected;
    }

    /** Waits for the client to report its disconnect. */
    void awaitDisconnected() {
      long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
      while (!disconnected) {
        if (System.nanoTime() > deadline) {
          fail(label() + " did not report its disconnect within " + EVENT_TIMEOUT.toSeconds() + " s\n" + explain());
        }
        ServerProcess.pause(20);
      }
    }

    @Override
    String clientOutput() {
      return NodeChat.this.output.stream().filter(l -> !l.startsWith("{\"socket\":") || l.startsWith("{\"socket\":" + index + ","))
          .filter(l -> !l.contains("\"event\":\"chat:") && !l.contains("\"event\":\"agent:status\""))
          .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @Override
    public void close() {
      disconnect();
    }
  }
}
