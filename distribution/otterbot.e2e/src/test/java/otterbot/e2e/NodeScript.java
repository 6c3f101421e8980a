package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code node <script> <args>} from {@code src/test/node}, run to its end: a script that talks to the server with the
 * real {@code socket.io-client} and prints one JSON line per thing it saw (soak.mjs, conformance.mjs).
 */
final class NodeScript {
  private final List<String> command;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private int exitCode;

  private NodeScript(List<String> command) {
    this.command = command;
  }

  /** Runs the script and waits for it to end, killing it after {@code limit}. */
  static NodeScript run(Duration limit, String script, String... args) {
    assertTrue(Files.isRegularFile(NodeChat.nodeDir().resolve(script)), "no " + script + " in " + NodeChat.nodeDir());
    assertTrue(Files.isDirectory(NodeChat.nodeDir().resolve("node_modules").resolve("socket.io-client")),
        "socket.io-client is not installed in " + NodeChat.nodeDir() + ": the build runs `npm ci` there in"
            + " pre-integration-test");
    var command = new ArrayList<String>();
    command.add(System.getProperty("otterbot.e2e.node", "node"));
    command.add(script);
    command.addAll(List.of(args));
    var run = new NodeScript(List.copyOf(command));
    run.execute(limit);
    return run;
  }

  private void execute(Duration limit) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(NodeChat.nodeDir().toFile()).redirectErrorStream(true);
    builder.environment().remove("DEBUG");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command + ": these tests need Node.js 20 on the PATH", e);
    }
    Thread reader = new Thread(() -> {
      try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          output.add(line);
        }
      } catch (IOException e) {
        output.add("(cannot read the output: " + e + ")");
      }
    }, "node-script-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        output.add("(killed by the test after " + limit.toSeconds() + " s)");
      }
      reader.join(5_000);
      exitCode = process.isAlive() ? -1 : process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  int exitCode() {
    return exitCode;
  }

  /** Every JSON line the script printed, in order. */
  List<JsonNode> lines() {
    var lines = new ArrayList<JsonNode>();
    for (String line : output) {
      if (line.startsWith("{")) {
        try {
          lines.add(Http.JSON.readTree(line));
        } catch (IOException e) {
          fail("not a JSON line: " + line + "\n" + explain());
        }
      }
    }
    return lines;
  }

  /** The command and its last 60 lines of output, for failure messages. */
  String explain() {
    List<String> tail = output.subList(Math.max(0, output.size() - 60), output.size());
    return "node: " + String.join(" ", command) + " (exit " + exitCode + ")\n  " + String.join("\n  ", tail);
  }
}
