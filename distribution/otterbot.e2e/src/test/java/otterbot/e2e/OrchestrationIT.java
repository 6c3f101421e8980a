package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.BusFixtures.agentSummary;
import static otterbot.e2e.BusFixtures.assertIncreasingSeq;
import static otterbot.e2e.BusFixtures.awaitBus;
import static otterbot.e2e.BusFixtures.busEvents;
import static otterbot.e2e.BusFixtures.byId;
import static otterbot.e2e.BusFixtures.createAgent;
import static otterbot.e2e.BusFixtures.history;
import static otterbot.e2e.BusFixtures.is;
import static otterbot.e2e.BusFixtures.isAgent;
import static otterbot.e2e.BusFixtures.subagentTask;
import static otterbot.e2e.BusFixtures.toolResult;
import static otterbot.e2e.ChatFixtures.builtinReply;
import static otterbot.e2e.ChatFixtures.chat;
import static otterbot.e2e.ChatFixtures.marker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * Agents working together as a user sees it (upstream-behaviour §6.2–§6.5), against the exported jar: the COO delegates
 * to another agent and relays its answer, spawns a subagent, and every agent-to-agent message arrives live as
 * {@code bus:message} and stays in {@code GET /api/bus/messages}. Driven two ways: by a {@link FakeModelServer} scripted
 * to call the orchestration tools, and offline by the built-in model's {@code /tool} command.
 */
class OrchestrationIT {
  static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  /** The agent the configured server lets delegate besides the COO (etc/otterbot.orchestration.cfg). */
  static final String CYCLE_AGENT = "cycle-otter";
  /** The delegate timeout of the impatient server. */
  static final int SHORT_TIMEOUT_SECONDS = 2;

  private static ServerProcess offline;
  private static ServerProcess configured;
  private static ServerProcess impatient;
  private static FakeModelServer fake;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void startFake() throws IOException {
    fake = FakeModelServer.start();
  }

  @AfterAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void stopAll() {
    if (offline != null) {
      offline.close();
    }
    if (configured != null) {
      configured.close();
    }
    if (impatient != null) {
      impatient.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @AfterEach
  void closeClients() {
    for (AutoCloseable c : opened) {
      try {
        c.close();
      } catch (Exception e) {
        System.out.println("[e2e] closing " + c + ": " + e);
      }
    }
    opened.clear();
  }

  static synchronized ServerProcess offline() {
    if (offline == null) {
      offline = ServerProcess.start(tmp.resolve("offline"));
    }
    return offline;
  }

  /** Chats through the fake; {@link #CYCLE_AGENT} may delegate too. */
  static synchronized ServerProcess configured() {
    if (configured == null) {
      configured = ServerProcess.start(withConfig(tmp.resolve("configured"), "delegators=" + CYCLE_AGENT));
      ChatFixtures.useFake(configured, fake, null);
    }
    return configured;
  }

  /** Chats through the fake; a delegate waits {@link #SHORT_TIMEOUT_SECONDS} for the answer. */
  static synchronized ServerProcess impatient() {
    if (impatient == null) {
      impatient = ServerProcess.start(withConfig(tmp.resolve("impatient"),
          "delegateTimeoutSeconds=" + SHORT_TIMEOUT_SECONDS));
      ChatFixtures.useFake(impatient, fake, null);
    }
    return impatient;
  }

  /** A new home with {@code etc/otterbot.orchestration.cfg} holding these lines. */
  static Path withConfig(Path home, String... lines) {
    return ServerProcess.withConfig(home, "otterbot.orchestration", lines);
  }

  ChatClient node(ServerProcess server) {
    NodeChat node = NodeChat.connect(server, "websocket", 1);
    opened.add(node);
    return node.socket(0);
  }

  ChatClient java(ServerProcess server) throws InterruptedException {
    JavaChat java = JavaChat.connect(server, "websocket");
    opened.add(java);
    return java;
  }

  // ------------------------------------------------------------------------------------------- delegate

  /**
   * The COO calls {@code delegate}; the other agent answers with a turn of its own; the COO's next step gets
   * {@code {ok:true, from, result}} and quotes it. The client sees the request and the response on the bus, in order,
   * between the tool's start and end, the COO {@code waiting} meanwhile, and the history has both, oldest first.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theCooDelegatesToAnotherAgentAndRelaysItsAnswer() throws Exception {
    ServerProcess server = configured();
    String m = marker("delegate");
    String researcher = createAgent(server, "Research Otter " + m, "You research otters.");
    String task = "what do otters eat? " + m;
    String answer = "Otters eat fish and crabs " + m;
    fake.respond(chat(r -> {
      if (isAgent(r, researcher)) {
        return Reply.text("Otters ", "eat ", "fish ", "and ", "crabs ", m);
      }
      if (isAgent(r, "coo") && r.lastUserText().contains(m)) {
        if (!r.hasToolResult()) {
          return Reply.toolCall("delegate", Http.JSON.createObjectNode().put("agentId", researcher).put("task", task)
              .toString());
        }
        JsonNode result = Http.json(r.toolResultContent());
        return Reply.text("Relayed: ", result.path("result").asText());
      }
      return Reply.text("not this test's");
    }));

    ChatClient client = node(server);
    client.join("coo", null);
    int from = client.send("coo", "ask the researcher " + m);
    ChatClient.Reply reply = client.awaitDone("coo", from).withoutErrors();

    JsonNode result = toolResult(reply, "delegate");
    assertEquals(Http.json(Http.JSON.createObjectNode().put("ok", true).put("from", researcher).put("result", answer)
        .toString()), result, reply::explain);
    JsonNode start = reply.chunks("tool_start").get(0);
    assertEquals(researcher, start.path("args").path("agentId").asText(), reply::explain);
    assertEquals("Relayed: " + answer, reply.text(), reply::explain);

    // The bus, live: request then response, matching correlationId, between tool_start and tool_end.
    List<ChatClient.Event> events = client.events();
    int requestAt = indexOf(events, from, e -> e.name().equals("bus:message") && is(e.data(), "request", "coo",
        researcher));
    int responseAt = indexOf(events, from, e -> e.name().equals("bus:message") && is(e.data(), "response", researcher,
        "coo"));
    int startAt = indexOf(events, from, e -> e.name().equals("chat:stream")
        && e.data().path("chunk").path("kind").asText().equals("tool_start"));
    int endAt = indexOf(events, from, e -> e.name().equals("chat:stream")
        && e.data().path("chunk").path("kind").asText().equals("tool_end"));
    assertTrue(requestAt >= 0 && responseAt >= 0, () -> "request and response on the bus\n" + client.explain());
    assertTrue(startAt < requestAt && requestAt < responseAt && responseAt < endAt,
        () -> "expected tool_start, bus request, bus response, tool_end in that order\n" + client.explain());
    JsonNode request = events.get(requestAt).data();
    JsonNode response = events.get(responseAt).data();
    assertEquals(task, request.path("body").asText(), client::explain);
    assertEquals(answer, response.path("body").asText(), client::explain);
    assertEquals(request.path("id").asText(), response.path("correlationId").asText(), client::explain);
    assertEquals(request.path("threadId").asText(), response.path("threadId").asText(), client::explain);
    assertTrue(request.path("correlationId").isNull(), client::explain);
    assertTrue(response.path("seq").asLong() > request.path("seq").asLong(), client::explain);
    assertEquals(BusFixtures.MESSAGE_FIELDS, fieldNames(request), () -> "upstream's fields in order\n" + request);
    assertEquals("local", request.path("transport").asText(), client::explain);
    java.time.Instant.parse(request.path("createdAt").asText());

    List<String> cooStatuses = client.statusesUntilIdle("coo", from);
    assertTrue(cooStatuses.contains("waiting"), () -> "the COO should be waiting for the delegate: " + cooStatuses
        + "\n" + client.explain());
    assertEquals("thinking", cooStatuses.get(0), client::explain);
    assertTrue(cooStatuses.indexOf("waiting") < cooStatuses.lastIndexOf("idle"), client::explain);
    List<String> researcherStatuses = client.statuses(researcher, from);
    assertTrue(researcherStatuses.contains("thinking") && researcherStatuses.get(researcherStatuses.size() - 1)
        .equals("idle"), () -> "the researcher ran a turn: " + researcherStatuses + "\n" + client.explain());

    // The history: the same messages, oldest first, the request before its response.
    List<JsonNode> history = history(server);
    assertIncreasingSeq(history, "GET /api/bus/messages");
    assertEquals(request, byId(history, request.path("id").asText()), "the history holds what the client was sent");
    assertEquals(response, byId(history, response.path("id").asText()), "the history holds what the client was sent");
    assertTrue(history.indexOf(byId(history, request.path("id").asText()))
        < history.indexOf(byId(history, response.path("id").asText())), "oldest first");

    // The researcher's turn ran in its own conversation, with the task as the user message.
    List<RecordedRequest> researcherRequests = fake.requests().stream().filter(r -> r.isChat() && isAgent(r, researcher))
        .toList();
    assertEquals(1, researcherRequests.size(), () -> "one request for the researcher: " + researcherRequests);
    assertEquals(task, researcherRequests.get(0).lastUserText());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void delegatingToAnUnknownAgentIsAnErrorNamingTheKnownOnes() throws Exception {
    ServerProcess server = configured();
    String m = marker("unknown");
    fake.respond(chat(r -> {
      if (isAgent(r, "coo") && r.lastUserText().contains(m)) {
        return r.hasToolResult() ? Reply.text("noted")
            : Reply.toolCall("delegate", "{\"agentId\":\"no-such-otter\",\"task\":\"hello\"}");
      }
      return Reply.text("not this test's");
    }));
    ChatClient client = node(server);
    ChatClient.Reply reply = client.chat("coo", "delegate to nobody " + m);
    JsonNode result = toolResult(reply, "delegate");
    assertFalse(result.path("ok").asBoolean(true), reply::explain);
    assertTrue(result.path("error").asText().startsWith("No agent \"no-such-otter\". Known agents: "), reply::explain);
    String known = result.path("error").asText().substring(result.path("error").asText().indexOf("Known agents: ") + 14);
    for (JsonNode agent : BusFixtures.agents(server)) {
      String id = agent.path("id").asText();
      if (!id.equals("coo")) {
        assertTrue(List.of(known.split(", ")).contains(id), () -> id + " should be named\n" + reply.explain());
      }
    }
    assertTrue(busEvents(client, 0).stream().noneMatch(e -> e.path("to").asText().equals("no-such-otter")),
        client::explain);
  }

  /**
   * A delegate cycle: the COO delegates to B, and B's turn delegates back to the COO, which is waiting for B. It ends
   * with an error, not a hang (the per-agent queue would otherwise wait for the timeout, 120 s by default).
   */
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aDelegateCycleEndsWithAnErrorNotAHang() throws Exception {
    ServerProcess server = configured();
    String m = marker("cycle");
    ObjectNode body = Http.JSON.createObjectNode().put("displayName", "Cycle Otter").put("persona", "You help.");
    String b = createAgent(server, body).path("id").asText();
    assertEquals(CYCLE_AGENT, b, "the id the server's configuration allows to delegate");
    fake.respond(chat(r -> {
      if (isAgent(r, b) && r.lastUserText().contains(m)) {
        if (!r.hasToolResult()) {
          return Reply.toolCall("delegate", Http.JSON.createObjectNode().put("agentId", "coo")
              .put("task", "back to you " + m).toString());
        }
        return Reply.text("B got: ", r.toolResultContent());
      }
      if (isAgent(r, "coo") && r.lastUserText().contains(m)) {
        if (!r.hasToolResult()) {
          return Reply.toolCall("delegate", Http.JSON.createObjectNode().put("agentId", b)
              .put("task", "please ask the coo " + m).toString());
        }
        return Reply.text("COO got: ", r.toolResultContent());
      }
      return Reply.text("not this test's");
    }));
    ChatClient client = node(server);
    long started = System.nanoTime();
    ChatClient.Reply reply = client.chat("coo", "start a cycle " + m);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("[e2e] the delegate cycle ended after %d ms%n", took.toMillis());
    JsonNode cooResult = toolResult(reply, "delegate");
    String text = reply.text();
    // Either B's delegate back was refused (B then answers the COO with that error) or the COO's own call failed: in
    // both cases the error must say what happened, and nothing may wait for the 120 s timeout.
    String all = cooResult + " " + text;
    assertTrue(all.toLowerCase().contains("cycle") || all.toLowerCase().contains("deadlock")
        || all.toLowerCase().contains("waiting for"), () -> "the error should name the cycle\n" + reply.explain());
    assertFalse(all.contains("timed out"), () -> "the cycle should be detected, not time out\n" + reply.explain());
    // B's delegate back to the COO was the one refused: B's model got the error as its tool result.
    List<RecordedRequest> bSteps = fake.requests().stream().filter(r -> r.isChat() && isAgent(r, b)
        && r.hasToolResult()).toList();
    assertEquals(1, bSteps.size(), () -> "B's second step: " + bSteps);
    JsonNode refused = Http.json(bSteps.get(0).toolResultContent());
    assertFalse(refused.path("ok").asBoolean(true), refused::toString);
    assertTrue(refused.path("error").asText().contains("delegation cycle"), refused::toString);
    assertTrue(cooResult.path("ok").asBoolean(), () -> "the COO got B's answer\n" + reply.explain());
    server.eventually("both agents are idle again", WITHIN,
        () -> "idle".equals(status(server, "coo")) && "idle".equals(status(server, b)),
        () -> status(server, "coo") + " / " + status(server, b));
    // The server still delegates normally afterwards.
    assertNotNull(agentSummary(server, b));
  }

  /**
   * The delegate's answer takes longer than the timeout (on this server): the COO's tool gets
   * {@code request to <id> timed out}, its turn ends normally, and the delegate's turn is stopped a second later
   * (a bus request has a deadline on the answering side too), which breaks nothing.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aDelegateTimeoutEndsTheWaitCleanly() throws Exception {
    ServerProcess server = impatient();
    String m = marker("timeout");
    String slow = createAgent(server, "Slow Otter " + m, "You take your time.");
    CountDownLatch release = new CountDownLatch(1);
    fake.respond(chat(r -> {
      if (isAgent(r, slow)) {
        return Reply.tokens(2, i -> {
          if (i == 0) {
            await(release);
          }
          return i == 0 ? "late " : "answer";
        });
      }
      if (isAgent(r, "coo") && r.lastUserText().contains(m)) {
        return r.hasToolResult() ? Reply.text("Gave up: ", r.toolResultContent())
            : Reply.toolCall("delegate", Http.JSON.createObjectNode().put("agentId", slow).put("task", "take long " + m)
                .toString());
      }
      return Reply.text("not this test's");
    }));
    ChatClient client = node(server);
    int from = client.send("coo", "ask the slow one " + m);
    try {
      ChatClient.Reply reply = client.awaitDone("coo", from).withoutErrors();
      JsonNode result = toolResult(reply, "delegate");
      assertEquals(Http.json(Http.JSON.createObjectNode().put("ok", false).put("error", "request to " + slow
          + " timed out").toString()), result, reply::explain);
      assertTrue(reply.text().startsWith("Gave up: "), reply::explain);
      List<String> statuses = client.statusesUntilIdle("coo", from);
      assertTrue(statuses.contains("waiting"), () -> statuses + "\n" + client.explain());

      // The slow agent's turn does not run on for nobody: it is stopped shortly after the requester gave up (the
      // model is still silent), and its response on the bus says why.
      int lateAt = awaitBus(client, "the stopped turn's response", from, e -> is(e, "response", slow, "coo"));
      assertTrue(client.events().get(lateAt).data().path("body").asText().startsWith("Error: no answer within "),
          client::explain);
    } finally {
      release.countDown();
    }
    server.eventually("both agents are idle", WITHIN,
        () -> "idle".equals(status(server, "coo")) && "idle".equals(status(server, slow)),
        () -> status(server, "coo") + " / " + status(server, slow));
    ChatClient.Reply after = client.chat("coo", "still fine? " + marker("after")).withoutErrors();
    assertEquals("not this test's", after.text(), after::explain);
  }

  // ------------------------------------------------------------------------------------------- subagents

  /**
   * The COO spawns a subagent: its task is {@code running} while the subagent works (and counts as an active
   * subagent), then {@code done} with the findings; {@code spawn} and {@code report} carry the task id as
   * rootSpawnId; the finished subagent is retired.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aSubagentRunsItsTaskReportsAndIsRetired() throws Exception {
    ServerProcess server = configured();
    String m = marker("spawn");
    String goal = "study river otters " + m;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch subagentAsked = new CountDownLatch(1);
    fake.respond(chat(r -> {
      if (r.lastUserText().equals(goal) && !isAgent(r, "coo")) {
        subagentAsked.countDown();
        return Reply.tokens(3, i -> {
          if (i == 0) {
            await(release);
          }
          return List.of("Findings: ", "they ", "hold hands " + m).get(i);
        });
      }
      if (isAgent(r, "coo") && r.lastUserText().contains(m)) {
        if (!r.hasToolResult()) {
          return Reply.toolCall("spawn_subagent", Http.JSON.createObjectNode().put("goal", goal).toString());
        }
        return Reply.text("Subagent said: ", Http.json(r.toolResultContent()).path("summary").asText());
      }
      return Reply.text("not this test's");
    }));
    int activeBefore = agentSummary(server, "coo").path("activeSubagents").asInt();
    List<String> agentsBefore = BusFixtures.agents(server).stream().map(a -> a.path("id").asText()).toList();

    ChatClient client = node(server);
    int from = client.send("coo", "spawn one " + m);
    assertTrue(subagentAsked.await(60, TimeUnit.SECONDS), () -> "the subagent never asked the model\n"
        + client.explain());
    int spawnAt = awaitBus(client, "spawn", from, e -> e.path("kind").asText().equals("spawn")
        && e.path("body").asText().contains(goal));
    JsonNode spawn = client.events().get(spawnAt).data();
    String taskId = spawn.path("rootSpawnId").asText();
    JsonNode running = subagentTask(server, taskId);
    try {
      assertNotNull(running, () -> "GET /api/subagent-tasks should list task " + taskId + "\n" + client.explain());
      assertEquals("running", running.path("status").asText(), running::toString);
      assertTrue(running.path("resultSummary").isNull(), running::toString);
      assertTrue(running.path("finishedAt").isNull(), running::toString);
      assertEquals(activeBefore + 1, agentSummary(server, "coo").path("activeSubagents").asInt(),
          "the running subagent counts as active");
    } finally {
      release.countDown();
    }
    ChatClient.Reply reply = client.awaitDone("coo", from).withoutErrors();
    JsonNode result = toolResult(reply, "spawn_subagent");
    String summary = "Findings: they hold hands " + m;
    assertTrue(result.path("ok").asBoolean(), reply::explain);
    assertEquals(taskId, result.path("taskId").asText(), reply::explain);
    assertEquals(summary, result.path("summary").asText(), reply::explain);
    String subagentId = result.path("subagentId").asText();
    assertEquals("Subagent said: " + summary, reply.text(), reply::explain);

    JsonNode done = subagentTask(server, taskId);
    assertEquals("done", done.path("status").asText(), done::toString);
    assertEquals(summary, done.path("resultSummary").asText(), done::toString);
    assertEquals("coo", done.path("parentAgentId").asText(), done::toString);
    assertEquals(subagentId, done.path("subagentId").asText(), done::toString);
    assertEquals(goal, done.path("goal").asText(), done::toString);
    assertFalse(done.path("finishedAt").isNull(), done::toString);

    // spawn and report, live and in the history, with the task id.
    assertEquals("coo", spawn.path("from").asText(), client::explain);
    assertEquals(taskId, spawn.path("threadId").asText(), client::explain);
    int reportAt = awaitBus(client, "report", spawnAt, e -> e.path("kind").asText().equals("report")
        && taskId.equals(e.path("rootSpawnId").asText()));
    JsonNode report = client.events().get(reportAt).data();
    assertTrue(is(report, "report", subagentId, "coo"), report::toString);
    assertEquals(summary, report.path("body").asText(), report::toString);
    List<JsonNode> history = history(server);
    assertEquals(spawn, byId(history, spawn.path("id").asText()));
    assertEquals(report, byId(history, report.path("id").asText()));

    // Retired: not listed, not counted; the task record stays.
    server.eventually("the subagent is retired", WITHIN, () -> agentSummary(server, subagentId) == null
        && agentSummary(server, "coo").path("activeSubagents").asInt() == activeBefore,
        () -> BusFixtures.agents(server).toString());
    assertFalse(agentsBefore.contains(subagentId));
    assertEquals(404, server.http().get("/api/agents/" + subagentId).status());
  }

  // ------------------------------------------------------------------------------------------- offline

  /** The same delegation driven by the built-in model's {@code /tool} command. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void offlineTheCooDelegatesWithTheToolCommand() throws Exception {
    ServerProcess server = offline();
    String helper = createAgent(server, "Offline Helper", "You help offline.");
    ChatClient client = java(server);
    client.join("coo", null);
    int from = client.send("coo", "/tool delegate {\"agentId\":\"" + helper + "\",\"task\":\"hello there\"}");
    ChatClient.Reply reply = client.awaitDone("coo", from).withoutErrors();
    JsonNode result = toolResult(reply, "delegate");
    assertTrue(result.path("ok").asBoolean(), reply::explain);
    assertEquals(helper, result.path("from").asText(), reply::explain);
    assertEquals(builtinReply("hello there"), result.path("result").asText(), reply::explain);
    assertTrue(reply.text().contains("Tool delegate returned: "), reply::explain);

    List<JsonNode> bus = busEvents(client, from);
    JsonNode request = bus.stream().filter(e -> is(e, "request", "coo", helper)).findFirst().orElse(null);
    assertNotNull(request, client::explain);
    assertEquals("hello there", request.path("body").asText());
    JsonNode response = bus.stream().filter(e -> is(e, "response", helper, "coo")).findFirst().orElse(null);
    assertNotNull(response, client::explain);
    assertEquals(request.path("id").asText(), response.path("correlationId").asText(), client::explain);
    assertTrue(bus.indexOf(request) < bus.indexOf(response), client::explain);
    assertTrue(client.statusesUntilIdle("coo", from).contains("waiting"), client::explain);
  }

  /** The same subagent flow offline, and the limit: an agent with {@code subagentLimit: 0} gets a clear error. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void offlineSpawnWithTheToolCommandAndTheLimitIsEnforced() throws Exception {
    ServerProcess server = offline();
    ChatClient client = node(server);
    int from = client.send("coo", "/tool spawn_subagent {\"goal\":\"count the otters\"}");
    ChatClient.Reply reply = client.awaitDone("coo", from).withoutErrors();
    JsonNode result = toolResult(reply, "spawn_subagent");
    assertTrue(result.path("ok").asBoolean(), reply::explain);
    String taskId = result.path("taskId").asText();
    String subagentId = result.path("subagentId").asText();
    assertEquals(builtinReply("count the otters"), result.path("summary").asText(), reply::explain);
    JsonNode task = subagentTask(server, taskId);
    assertEquals("done", task.path("status").asText(), () -> String.valueOf(task));
    List<JsonNode> bus = busEvents(client, from);
    assertTrue(bus.stream().anyMatch(e -> e.path("kind").asText().equals("spawn")
        && taskId.equals(e.path("rootSpawnId").asText())), client::explain);
    assertTrue(bus.stream().anyMatch(e -> is(e, "report", subagentId, "coo")
        && taskId.equals(e.path("rootSpawnId").asText())), client::explain);
    server.eventually("the subagent is retired", WITHIN, () -> agentSummary(server, subagentId) == null,
        () -> BusFixtures.agents(server).toString());

    ObjectNode body = Http.JSON.createObjectNode().put("displayName", "No Subs").put("canSpawnSubagents", true)
        .put("subagentLimit", 0);
    String limited = createAgent(server, body).path("id").asText();
    int before = BusFixtures.agents(server).size();
    int next = client.send(limited, "/tool spawn_subagent {\"goal\":\"not allowed\"}");
    ChatClient.Reply refused = client.awaitDone(limited, next).withoutErrors();
    JsonNode error = toolResult(refused, "spawn_subagent");
    assertFalse(error.path("ok").asBoolean(true), refused::explain);
    assertTrue(error.path("error").asText().contains("limit"), () -> "the error should name the limit\n"
        + refused.explain());
    assertEquals(before, BusFixtures.agents(server).size(), "no subagent was created");
    assertNull(busEvents(client, next).stream().filter(e -> e.path("kind").asText().equals("spawn")).findFirst()
        .orElse(null), client::explain);
  }

  // ------------------------------------------------------------------------------------------- helpers

  static int indexOf(List<ChatClient.Event> events, int from, java.util.function.Predicate<ChatClient.Event> match) {
    for (int i = from; i < events.size(); i++) {
      if (match.test(events.get(i))) {
        return i;
      }
    }
    return -1;
  }

  static List<String> fieldNames(JsonNode node) {
    var names = new ArrayList<String>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static String status(ServerProcess server, String agentId) {
    JsonNode a = agentSummary(server, agentId);
    return a == null ? "(no " + agentId + ")" : a.path("status").asText();
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
