package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the orchestration, bus and scheduler tests share: creating agents, reading the bus history
 * ({@code GET /api/bus/messages}), the {@code bus:message} events a client saw, subagent tasks and scheduled tasks.
 */
final class BusFixtures {
  /** Upstream's AgentMessage fields in order (§6.3) when payload and status are null. */
  static final List<String> MESSAGE_FIELDS = List.of("id", "seq", "kind", "from", "to", "threadId", "correlationId",
      "rootSpawnId", "body", "transport", "createdAt");

  private BusFixtures() {}

  /** {@code POST /api/agents} with this body; returns the created profile (asserting the 200). */
  static JsonNode createAgent(ServerProcess server, ObjectNode body) {
    Http.Response r = server.http().post("/api/agents", body);
    return server.http().expect(r, 200);
  }

  /** Creates an agent with a display name and a persona; returns its id. */
  static String createAgent(ServerProcess server, String displayName, String persona) {
    ObjectNode body = Http.JSON.createObjectNode().put("displayName", displayName).put("persona", persona);
    return createAgent(server, body).path("id").asText();
  }

  /** The system prompt of an agent's requests names it as {@code agent id '<id>'}. */
  static boolean isAgent(otterbot.testsupport.RecordedRequest request, String agentId) {
    return request.system() != null && request.system().contains("agent id '" + agentId + "'");
  }

  /** {@code GET /api/bus/messages?limit=N} (asserting the 200). */
  static List<JsonNode> history(ServerProcess server, int limit) {
    Http.Response r = server.http().get("/api/bus/messages?limit=" + limit);
    JsonNode json = server.http().expect(r, 200);
    assertTrue(json.isArray(), () -> server.explain(r));
    var out = new ArrayList<JsonNode>();
    json.forEach(out::add);
    return out;
  }

  /** The whole history the endpoint can give (the cap). */
  static List<JsonNode> history(ServerProcess server) {
    return history(server, 1000);
  }

  /** The {@code bus:message} payloads a client received from event {@code from} on, in arrival order. */
  static List<JsonNode> busEvents(ChatClient client, int from) {
    List<ChatClient.Event> all = client.events();
    return all.subList(Math.min(from, all.size()), all.size()).stream().filter(e -> e.name().equals("bus:message"))
        .map(ChatClient.Event::data).toList();
  }

  /** Waits for a {@code bus:message} matching {@code match} from event {@code from} on; returns its event index. */
  static int awaitBus(ChatClient client, String what, int from, Predicate<JsonNode> match) {
    return client.awaitIndex("bus:message " + what, from, ChatClient.TURN_TIMEOUT,
        e -> e.name().equals("bus:message") && match.test(e.data()));
  }

  static boolean is(JsonNode message, String kind, String from, String to) {
    return kind.equals(message.path("kind").asText()) && from.equals(message.path("from").asText())
        && (to == null ? message.path("to").isNull() : to.equals(message.path("to").asText()));
  }

  /** Asserts the seq of these messages strictly increase. */
  static void assertIncreasingSeq(List<JsonNode> messages, String what) {
    for (int i = 1; i < messages.size(); i++) {
      long before = messages.get(i - 1).path("seq").asLong();
      long seq = messages.get(i).path("seq").asLong();
      int at = i;
      assertTrue(seq > before, () -> what + ": seq " + seq + " at " + at + " after " + before);
    }
  }

  /** The message with this id in the history, or null. */
  static JsonNode byId(List<JsonNode> history, String id) {
    return history.stream().filter(m -> id.equals(m.path("id").asText())).findFirst().orElse(null);
  }

  /** {@code GET /api/subagent-tasks}. */
  static List<JsonNode> subagentTasks(ServerProcess server) {
    Http.Response r = server.http().get("/api/subagent-tasks");
    JsonNode json = server.http().expect(r, 200);
    var out = new ArrayList<JsonNode>();
    json.forEach(out::add);
    return out;
  }

  static JsonNode subagentTask(ServerProcess server, String taskId) {
    return subagentTasks(server).stream().filter(t -> taskId.equals(t.path("id").asText())).findFirst().orElse(null);
  }

  /** {@code GET /api/agents}. */
  static List<JsonNode> agents(ServerProcess server) {
    Http.Response r = server.http().get("/api/agents");
    JsonNode json = server.http().expect(r, 200);
    var out = new ArrayList<JsonNode>();
    json.forEach(out::add);
    return out;
  }

  static JsonNode agentSummary(ServerProcess server, String id) {
    return agents(server).stream().filter(a -> id.equals(a.path("id").asText())).findFirst().orElse(null);
  }

  /** {@code GET /api/agents/:id/scheduled-tasks}. */
  static List<JsonNode> scheduledTasks(ServerProcess server, String agentId) {
    Http.Response r = server.http().get("/api/agents/" + agentId + "/scheduled-tasks");
    JsonNode json = server.http().expect(r, 200);
    var out = new ArrayList<JsonNode>();
    json.forEach(out::add);
    return out;
  }

  static JsonNode scheduledTask(ServerProcess server, String agentId, String taskId) {
    return scheduledTasks(server, agentId).stream().filter(t -> taskId.equals(t.path("id").asText())).findFirst()
        .orElse(null);
  }

  /** The one chunk of this kind and tool name in a reply (asserting there is exactly one). */
  static JsonNode onlyChunk(ChatClient.Reply reply, String kind, String id) {
    List<JsonNode> chunks = reply.chunks(kind).stream()
        .filter(c -> id == null || id.equals(c.path("id").asText())).toList();
    assertEquals(1, chunks.size(), () -> "one " + kind + (id == null ? "" : " of call " + id) + "\n" + reply.explain());
    return chunks.get(0);
  }

  /** The tool_end of the call that tool_start {@code name} started, as its result object. */
  static JsonNode toolResult(ChatClient.Reply reply, String name) {
    List<JsonNode> starts = reply.chunks("tool_start").stream().filter(c -> name.equals(c.path("name").asText()))
        .toList();
    assertEquals(1, starts.size(), () -> "one tool_start of " + name + "\n" + reply.explain());
    JsonNode end = onlyChunk(reply, "tool_end", starts.get(0).path("id").asText());
    JsonNode result = end.path("result");
    if (result.isTextual()) {
      try {
        return Http.JSON.readTree(result.asText());
      } catch (java.io.IOException e) {
        return result;
      }
    }
    return result;
  }
}
