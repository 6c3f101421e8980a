package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.orchestration.Subagents;
import otterbot.api.schedule.ScheduledTask;
import otterbot.api.schedule.Scheduler;

/**
 * The bus, subagent-task and scheduled-task routes through Jersey, beside the agents resource as in the whiteboard's
 * default application, with fake core services.
 */
class OrchestrationResourcesTest {
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789123Z");

  /** Answers history from a fixed list of messages and records each limit it was asked for. */
  static final class FakeBus implements MessageBus {
    final List<AgentMessage> messages = new ArrayList<>();
    final List<Integer> limits = new ArrayList<>();

    @Override
    public AgentMessage publish(AgentMessage draft) {
      throw new UnsupportedOperationException("the REST layer only reads the bus");
    }

    @Override
    public AgentMessage request(AgentMessage draft, Duration timeout) {
      throw new UnsupportedOperationException("the REST layer only reads the bus");
    }

    @Override
    public List<AgentMessage> history(int limit) {
      limits.add(limit);
      return messages.subList(Math.max(0, messages.size() - limit), messages.size());
    }
  }

  /** Knows the agents "ada" and "coo". */
  static final class FakeAgents implements AgentRegistry {
    final Set<String> ids = Set.of("ada", "coo");

    @Override
    public List<AgentSummary> list() {
      return List.of();
    }

    @Override
    public Optional<AgentProfile> get(String id) {
      return ids.contains(id) ? Optional.of(new AgentProfile(id, id, AgentProfile.ROLE_AGENT, "", null, null, null,
          "socketio", null, null, false, 0, null, T0)) : Optional.empty();
    }

    @Override
    public int count() {
      return ids.size();
    }

    @Override
    public AgentProfile create(AgentInput input) {
      throw OtterbotException.invalid("not here");
    }

    @Override
    public AgentProfile update(String id, AgentInput patch) {
      throw OtterbotException.invalid("not here");
    }

    @Override
    public void delete(String id) {
      throw OtterbotException.invalid("not here");
    }
  }

  /** Keeps tasks in memory with the scheduler's rules: known agents only, and "not-a-cron" is not a cron. */
  static final class FakeScheduler implements Scheduler {
    final Map<String, ScheduledTask> tasks = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public List<ScheduledTask> list(String agentId) {
      calls.add("list " + agentId);
      return tasks.values().stream().filter(t -> t.agentId().equals(agentId)).toList();
    }

    @Override
    public Optional<ScheduledTask> get(String taskId) {
      return Optional.ofNullable(tasks.get(taskId));
    }

    @Override
    public ScheduledTask add(String agentId, String cron, String prompt) {
      calls.add("add " + agentId + " " + cron + " " + prompt.length());
      if (!Set.of("ada", "coo").contains(agentId)) {
        throw OtterbotException.notFound("agent '" + agentId + "' does not exist");
      }
      if (cron.equals("not-a-cron")) {
        throw OtterbotException.invalid("invalid cron expression");
      }
      var task = new ScheduledTask("task-" + (tasks.size() + 1), agentId, cron, prompt, true, null,
          Instant.parse("2025-03-02T09:00:00Z"));
      tasks.put(task.id(), task);
      return task;
    }

    @Override
    public boolean cancel(String taskId) {
      calls.add("cancel " + taskId);
      ScheduledTask t = tasks.get(taskId);
      if (t == null) {
        return false;
      }
      tasks.put(taskId, new ScheduledTask(t.id(), t.agentId(), t.cron(), t.prompt(), false, t.lastRunAt(), null));
      return true;
    }
  }

  static final class FakeSubagents implements Subagents {
    final List<SubagentTask> tasks = new ArrayList<>();

    @Override
    public List<SubagentTask> tasks() {
      return tasks;
    }

    @Override
    public int active(String parentAgentId) {
      return 0;
    }
  }

  private final FakeBus bus = new FakeBus();
  private final FakeAgents agents = new FakeAgents();
  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeSubagents subagents = new FakeSubagents();
  private final BusResource busResource = new BusResource();
  private final SubagentTasksResource subagentResource = new SubagentTasksResource();
  private final AgentScheduleResource agentSchedule = new AgentScheduleResource();
  private final ScheduledTasksResource scheduledTasks = new ScheduledTasksResource();
  private final InProcessApi api = new InProcessApi(new AgentsResource(agents), busResource, subagentResource,
      agentSchedule, scheduledTasks);

  OrchestrationResourcesTest() {
    busResource.setBus(bus);
    subagentResource.setSubagents(subagents);
    agentSchedule.setScheduler(scheduler);
    agentSchedule.setAgents(agents);
    scheduledTasks.setScheduler(scheduler);
  }

  // ---------------------------------------------------------------------------------------------------- the bus

  private void sendMessages(int count) {
    for (int i = 1; i <= count; i++) {
      bus.messages.add(new AgentMessage("m-" + i, i, AgentMessage.REQUEST, "coo", "ada", "th", null, null, "b" + i,
          null, null, AgentMessage.LOCAL, T0));
    }
  }

  @Test
  void busMessagesComeInUpstreamsFieldOrderOmittingOnlyANullPayloadAndStatus() {
    var payload = new LinkedHashMap<String, Object>();
    payload.put("taskId", "t-1");
    payload.put("n", 2);
    bus.messages.add(new AgentMessage("m-1", 1, AgentMessage.BROADCAST, "coo", null, "th-1", null, null, "hello all",
        null, null, AgentMessage.LOCAL, T0));
    bus.messages.add(new AgentMessage("m-2", 2, AgentMessage.SPAWN, "coo", "ada", "th-2", "m-1", "t-1", "Spawned",
        payload, "working", "discord", Instant.parse("2025-03-01T12:00:00Z")));

    var answer = api.get("bus/messages");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("[{\"id\":\"m-1\",\"seq\":1,\"kind\":\"broadcast\",\"from\":\"coo\",\"to\":null,\"threadId\":\"th-1\","
        + "\"correlationId\":null,\"rootSpawnId\":null,\"body\":\"hello all\",\"transport\":\"local\","
        + "\"createdAt\":\"2025-03-01T12:34:56.789123Z\"},"
        + "{\"id\":\"m-2\",\"seq\":2,\"kind\":\"spawn\",\"from\":\"coo\",\"to\":\"ada\",\"threadId\":\"th-2\","
        + "\"correlationId\":\"m-1\",\"rootSpawnId\":\"t-1\",\"body\":\"Spawned\",\"payload\":{\"taskId\":\"t-1\","
        + "\"n\":2},\"status\":\"working\",\"transport\":\"discord\",\"createdAt\":\"2025-03-01T12:00:00Z\"}]",
        answer.body());
    assertEquals(List.of(BusResource.DEFAULT_LIMIT), bus.limits, "200 by default");
  }

  @ParameterizedTest
  @CsvSource({"7,7", "007,7", "0,0", "1000,1000", "1001,1000", "5000,1000", "99999999999999999999,1000"})
  void aLimitIsPassedOnAndAboveTheMaximumItIsCapped(String limit, int expected) {
    sendMessages(1200);

    var answer = api.get("bus/messages?limit=" + limit);

    assertEquals(200, answer.status(), answer::toString);
    assertEquals(List.of(expected), bus.limits);
    assertEquals(expected, answer.json().size());
    if (expected > 0) {
      assertEquals(1200, answer.json().get(expected - 1).get("seq").asInt(), "the newest last");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "1.5", "", "-1", "-0", "1e3", "0x10", "%205", "5%20", "%2B5", "%D9%A3"})
  void aLimitThatIsNotAWholeNumberOrIsNegativeIs400(String limit) {
    var answer = api.get("bus/messages?limit=" + limit);

    assertEquals(400, answer.status(), limit + ": " + answer);
    assertEquals("{\"error\":\"" + BusResource.BAD_LIMIT + "\"}", answer.body());
    assertEquals(List.of(), bus.limits, "the bus was not asked");
  }

  @Test
  void withoutTheBusTheHistoryIs503() {
    busResource.unsetBus(new FakeBus());
    assertEquals(200, api.get("bus/messages").status(), "another instance went, not ours");

    busResource.unsetBus(bus);
    var answer = api.get("bus/messages");

    assertEquals(503, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + BusResource.UNAVAILABLE + "\"}", answer.body());
  }

  // ------------------------------------------------------------------------------------------------ subagent tasks

  @Test
  void subagentTasksComeAsTheServiceListsThemWithNullsPresent() {
    subagents.tasks.add(new SubagentTask("t-2", "t-1", "t-1", "coo", "coo__sub__2", "Dig deeper",
        SubagentTask.RUNNING, null, Instant.parse("2025-03-01T12:00:01Z"), null));
    subagents.tasks.add(new SubagentTask("t-1", "t-1", null, "coo", "coo__sub__1", "Find otters", SubagentTask.DONE,
        "Found 3", T0, Instant.parse("2025-03-01T12:40:00Z")));

    var answer = api.get("subagent-tasks");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("[{\"id\":\"t-2\",\"rootId\":\"t-1\",\"parentTaskId\":\"t-1\",\"parentAgentId\":\"coo\","
        + "\"subagentId\":\"coo__sub__2\",\"goal\":\"Dig deeper\",\"status\":\"running\",\"resultSummary\":null,"
        + "\"createdAt\":\"2025-03-01T12:00:01Z\",\"finishedAt\":null},"
        + "{\"id\":\"t-1\",\"rootId\":\"t-1\",\"parentTaskId\":null,\"parentAgentId\":\"coo\","
        + "\"subagentId\":\"coo__sub__1\",\"goal\":\"Find otters\",\"status\":\"done\",\"resultSummary\":\"Found 3\","
        + "\"createdAt\":\"2025-03-01T12:34:56.789123Z\",\"finishedAt\":\"2025-03-01T12:40:00Z\"}]", answer.body());
    assertEquals("[]", emptyTasks());
  }

  private String emptyTasks() {
    subagents.tasks.clear();
    return api.get("subagent-tasks").body();
  }

  @Test
  void withoutTheSubagentServiceTheListIs503() {
    subagentResource.unsetSubagents(subagents);
    var answer = api.get("subagent-tasks");

    assertEquals(503, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + SubagentTasksResource.UNAVAILABLE + "\"}", answer.body());
  }

  // ---------------------------------------------------------------------------------------------- scheduled tasks

  @Test
  void aTaskIsAddedListedAndCancelledAndStaysListedDisabled() {
    var added = api.postJson("agents/ada/scheduled-tasks", "{\"cron\":\"0 9 * * *\",\"prompt\":\"Morning report\"}");

    assertEquals(200, added.status(), added::toString);
    assertEquals("{\"id\":\"task-1\",\"agentId\":\"ada\",\"cron\":\"0 9 * * *\",\"prompt\":\"Morning report\","
        + "\"enabled\":true,\"lastRunAt\":null,\"nextRunAt\":\"2025-03-02T09:00:00Z\"}", added.body());
    assertEquals("[" + added.body() + "]", api.get("agents/ada/scheduled-tasks").body());
    assertEquals("[]", api.get("agents/coo/scheduled-tasks").body());

    var cancelled = api.call("DELETE", "scheduled-tasks/task-1", null, null);
    assertEquals(200, cancelled.status(), cancelled::toString);
    assertEquals("{\"ok\":true}", cancelled.body());
    assertEquals(200, api.call("DELETE", "scheduled-tasks/task-1", null, null).status(), "cancelling again is fine");

    assertEquals("[{\"id\":\"task-1\",\"agentId\":\"ada\",\"cron\":\"0 9 * * *\",\"prompt\":\"Morning report\","
        + "\"enabled\":false,\"lastRunAt\":null,\"nextRunAt\":null}]", api.get("agents/ada/scheduled-tasks").body());
  }

  @Test
  void anUnknownAgentIs404OnBothRoutesAndAnUnknownTaskOnCancel() {
    var list = api.get("agents/nobody/scheduled-tasks");
    var add = api.postJson("agents/nobody/scheduled-tasks", "{\"cron\":\"0 9 * * *\",\"prompt\":\"p\"}");
    var cancel = api.call("DELETE", "scheduled-tasks/never", null, null);

    for (var answer : List.of(list, add, cancel)) {
      assertEquals(404, answer.status(), answer::toString);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    assertEquals(List.of("add nobody 0 9 * * * 1", "cancel never"), scheduler.calls,
        "the list was refused before the scheduler was asked");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"cron\":\"0 9 * * *\"}", "{\"prompt\":\"p\"}", "{\"cron\":\"\",\"prompt\":\"p\"}",
      "{\"cron\":\"0 9 * * *\",\"prompt\":\"\"}", "{\"cron\":\"  \",\"prompt\":\"p\"}",
      "{\"cron\":\"0 9 * * *\",\"prompt\":\" \\n\"}", "{\"cron\":null,\"prompt\":\"p\"}", "", "null"})
  void aMissingOrEmptyCronOrPromptIs400(String body) {
    var answer = api.postJson("agents/ada/scheduled-tasks", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"cron and prompt are required\"}", answer.body());
    assertEquals(List.of(), scheduler.calls);
  }

  @Test
  void anInvalidCronExpressionIs400WithTheSchedulersMessage() {
    var answer = api.postJson("agents/ada/scheduled-tasks", "{\"cron\":\"not-a-cron\",\"prompt\":\"p\"}");

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"invalid cron expression\"}", answer.body());
    assertEquals(Map.of(), scheduler.tasks);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"cron\":\"0 9 * * *\",\"prompt\":\"p\",\"unknown\":{},\"cron\":\"x\"}|malformed JSON at line 1, column 53",
      "{\"cron\":5,\"prompt\":\"p\"}|field 'cron' has the wrong type (expected string)",
      "{\"cron\":\"0 9 * * *\",\"prompt\":[\"p\"]}|field 'prompt' has the wrong type (expected string)",
      "[\"0 9 * * *\",\"p\"]|the request body must be a JSON object (expected object)",
      "{\"cron\":\"0 9 * * *\",\"prompt\":\"p\"|malformed JSON at line 1, column 33"})
  void aBodyThatBreaksTheJsonRulesIs400(String body, String message) {
    var answer = api.postJson("agents/ada/scheduled-tasks", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    assertEquals(List.of(), scheduler.calls);
  }

  @Test
  void aPromptOrCronBeyondItsLimitIs400AndOneAtTheLimitIsTaken() {
    String atLimit = "p".repeat(AgentScheduleResource.MAX_PROMPT_LENGTH);
    var tooLong = api.postJson("agents/ada/scheduled-tasks",
        "{\"cron\":\"0 9 * * *\",\"prompt\":\"" + atLimit + "p\"}");
    var longCron = api.postJson("agents/ada/scheduled-tasks",
        "{\"cron\":\"0 9 * * *" + " ".repeat(200) + "\",\"prompt\":\"p\"}");

    assertEquals(400, tooLong.status(), tooLong::toString);
    assertEquals("{\"error\":\"prompt must be at most 10000 characters\"}", tooLong.body());
    assertEquals(400, longCron.status(), longCron::toString);
    assertEquals("{\"error\":\"invalid cron expression\"}", longCron.body());
    assertEquals(List.of(), scheduler.calls);

    var fits = api.postJson("agents/ada/scheduled-tasks", "{\"cron\":\"0 9 * * *\",\"prompt\":\"" + atLimit + "\"}");
    assertEquals(200, fits.status(), fits::toString);
  }

  @Test
  void withoutTheSchedulerOrTheRegistryTheRoutesAre503() {
    agentSchedule.unsetAgents(agents);
    assertEquals(503, api.get("agents/ada/scheduled-tasks").status());
    agentSchedule.setAgents(agents);

    agentSchedule.unsetScheduler(scheduler);
    scheduledTasks.unsetScheduler(scheduler);
    for (var answer : List.of(api.get("agents/ada/scheduled-tasks"),
        api.postJson("agents/ada/scheduled-tasks", "{\"cron\":\"0 9 * * *\",\"prompt\":\"p\"}"),
        api.call("DELETE", "scheduled-tasks/task-1", null, null))) {
      assertEquals(503, answer.status(), answer::toString);
      assertEquals("{\"error\":\"" + AgentScheduleResource.UNAVAILABLE + "\"}", answer.body());
    }
  }

  @Test
  void theAgentsResourceStillAnswersItsOwnRoutes() {
    assertEquals(200, api.get("agents/ada").status());
    assertEquals(404, api.get("agents/ada/scheduled-tasks/extra").status());
    assertEquals(405, api.call("DELETE", "agents/ada/scheduled-tasks", null, null).status());
    assertEquals(405, api.get("scheduled-tasks/task-1").status());
  }
}
