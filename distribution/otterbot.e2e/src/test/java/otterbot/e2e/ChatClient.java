package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Socket.IO connection that chats, whatever the client library: it records every event the server sends, in
 * arrival order, and offers the chat flows of upstream-behaviour §5 (join, message, wait for {@code chat:done}) with
 * failure messages that show the whole transcript and the server log tail. {@link NodeChat} drives the Node
 * {@code socket.io-client} 4.8, {@link JavaChat} the Java {@code io.socket:socket.io-client} 2.1.2.
 */
abstract class ChatClient implements AutoCloseable {
  static final Duration TURN_TIMEOUT = Duration.ofSeconds(60);
  static final Duration EVENT_TIMEOUT = Duration.ofSeconds(20);

  /** One event from the server ({@code data} is its first argument, JSON null when it had none). */
  record Event(String name, JsonNode data) {
    String agentId() {
      return data.path("agentId").asText(null);
    }

    @Override
    public String toString() {
      return name + " " + data;
    }
  }

  private final List<Event> events = new ArrayList<>();
  private final String label;
  /** The server log tail, for failure messages. */
  private final Supplier<String> serverLog;

  ChatClient(String label, Supplier<String> serverLog) {
    this.label = label;
    this.serverLog = serverLog;
  }

  /** Sends an event with a JSON payload. */
  abstract void emit(String event, JsonNode data);

  /** Closes the connection from the client side. */
  abstract void disconnect();

  /** Whether the client's output tells that the connection is open. */
  abstract boolean connected();

  /** Anything the client library itself printed (for failure messages). */
  String clientOutput() {
    return "";
  }

  @Override
  public void close() {
    disconnect();
  }

  String label() {
    return label;
  }

  /** Called by the subclass for every event received, in order. */
  final void received(String name, JsonNode data) {
    synchronized (events) {
      events.add(new Event(name, data == null ? Http.JSON.nullNode() : data));
      events.notifyAll();
    }
  }

  List<Event> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  int eventCount() {
    synchronized (events) {
      return events.size();
    }
  }

  /** Waits for the first event at index {@code from} or later that matches; fails with the transcript otherwise. */
  Event await(String what, int from, Duration timeout, Predicate<Event> match) {
    int index = awaitIndex(what, from, timeout, match); // before the snapshot: the receiver would be evaluated first
    return events().get(index);
  }

  /** {@link #await}, returning the event's index (events are values: equal events may arrive more than once). */
  int awaitIndex(String what, int from, Duration timeout, Predicate<Event> match) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (events) {
      int next = from;
      while (true) {
        for (; next < events.size(); next++) {
          if (match.test(events.get(next))) {
            return next;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail(label + ": " + what + " did not arrive within " + timeout.toSeconds() + " s\n" + explain());
        }
        try {
          events.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
      }
    }
  }

  /** {@code chat:join} and the {@code chat:joined} answer for that agent. */
  JsonNode join(String agentId, String conversationId) {
    ObjectNode data = Http.JSON.createObjectNode();
    if (agentId != null) {
      data.put("agentId", agentId);
    }
    if (conversationId != null) {
      data.put("conversationId", conversationId);
    }
    int from = eventCount();
    emit("chat:join", data);
    String expected = agentId == null ? "coo" : agentId;
    return await("chat:joined for " + expected, from, EVENT_TIMEOUT,
        e -> e.name().equals("chat:joined") && expected.equals(e.agentId())).data();
  }

  /** Sends {@code chat:message} and returns at once; {@link #awaitDone} collects the reply. */
  int send(String agentId, String text) {
    ObjectNode data = Http.JSON.createObjectNode();
    if (agentId != null) {
      data.put("agentId", agentId);
    }
    if (text != null) {
      data.put("text", text);
    }
    return send(data);
  }

  /** Sends this {@code chat:message} payload; returns the index of the first event that can belong to the reply. */
  int send(JsonNode message) {
    int from = eventCount();
    emit("chat:message", message);
    return from;
  }

  /** Waits for the {@code chat:done} of that agent after event {@code from} and returns the reply's events. */
  Reply awaitDone(String agentId, int from) {
    int end = awaitIndex("chat:done for " + agentId, from, TURN_TIMEOUT,
        e -> e.name().equals("chat:done") && agentId.equals(e.agentId()));
    return new Reply(this, agentId, events().subList(from, end + 1));
  }

  /** One whole turn: message, then everything up to its {@code chat:done}. */
  Reply chat(String agentId, String text) {
    return awaitDone(agentId, send(agentId, text));
  }

  /** The {@code agent:status} values of that agent from event {@code from} on. */
  List<String> statuses(String agentId, int from) {
    List<Event> all = events();
    return all.subList(Math.min(from, all.size()), all.size()).stream()
        .filter(e -> e.name().equals("agent:status") && agentId.equals(e.agentId()))
        .map(e -> e.data().path("status").asText())
        .toList();
  }

  /** Waits until that agent's status has gone back to idle after {@code from} and returns every status seen since. */
  List<String> statusesUntilIdle(String agentId, int from) {
    return statusesUntil(agentId, from, "idle");
  }

  /** The agent's statuses from event {@code from} on, once {@code last} has arrived ({@code error} after a failure). */
  List<String> statusesUntil(String agentId, int from, String last) {
    await("agent:status " + agentId + " " + last, from, EVENT_TIMEOUT, e -> e.name().equals("agent:status")
        && agentId.equals(e.agentId()) && e.data().path("status").asText().equals(last));
    return statuses(agentId, from);
  }

  /** The transcript, the client's own output and the server log tail. */
  String explain() {
    return "----- events of " + label + " -----\n"
        + events().stream().map(Event::toString).collect(Collectors.joining("\n"))
        + (clientOutput().isEmpty() ? "" : "\n----- client output -----\n" + clientOutput())
        + "\n----- end of events -----\n" + serverLog.get();
  }

  /** One reply: the events from the message to its {@code chat:done}, inclusive. */
  record Reply(ChatClient client, String agentId, List<Event> events) {
    /** This agent's chunks in order. */
    List<JsonNode> chunks() {
      return events.stream().filter(e -> e.name().equals("chat:stream") && agentId.equals(e.agentId()))
          .map(e -> e.data().path("chunk")).toList();
    }

    List<JsonNode> chunks(String kind) {
      return chunks().stream().filter(c -> c.path("kind").asText().equals(kind)).toList();
    }

    /** The token texts, one per {@code chat:stream} event. */
    List<String> tokens() {
      return chunks("token").stream().map(c -> c.path("text").asText()).toList();
    }

    /** The tokens joined: the reply as the web UI shows it. */
    String text() {
      return String.join("", tokens());
    }

    List<String> errors() {
      return chunks("error").stream().map(c -> c.path("message").asText()).toList();
    }

    JsonNode done() {
      return events.get(events.size() - 1).data();
    }

    /** The {@code chat:joined} an auto-join sent before the reply, or null. */
    JsonNode joined() {
      return events.stream().filter(e -> e.name().equals("chat:joined") && agentId.equals(e.agentId())).findFirst()
          .map(Event::data).orElse(null);
    }

    String explain() {
      return client.explain();
    }

    /** Asserts that the turn ended without an error chunk. */
    Reply withoutErrors() {
      assertEquals(List.of(), errors(), () -> "the turn reported errors\n" + explain());
      return this;
    }
  }
}
