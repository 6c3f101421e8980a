package otterbot.core.internal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.agent.AgentProfile;
import otterbot.api.tool.ToolContext;
import otterbot.api.tool.ToolException;
import otterbot.core.internal.MapAgents;

/** schedule_task, list_scheduled_tasks and cancel_scheduled_task on a real scheduler with in-memory services. */
class ScheduleToolsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  final Fakes.MemoryStore store = new Fakes.MemoryStore();
  final AgentProfile coo = Fakes.profile("coo", AgentProfile.ROLE_COO);
  final AgentProfile ops = Fakes.profile("ops", AgentProfile.ROLE_AGENT);
  final SchedulerImpl scheduler = new SchedulerImpl(store, new MapAgents(coo, ops), new Fakes.Bus(),
      Duration.ofMinutes(10), Clock.systemDefaultZone());
  final ScheduleTaskTool schedule = new ScheduleTaskTool(scheduler);
  final ListScheduledTasksTool list = new ListScheduledTasksTool(scheduler);
  final CancelScheduledTaskTool cancel = new CancelScheduledTaskTool(scheduler);

  @AfterEach
  void tearDown() throws InterruptedException {
    scheduler.deactivate();
  }

  static ToolContext as(AgentProfile agent) {
    return new ToolContext(agent, "conv-1", Map.of());
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void scheduleTaskSchedulesForTheCallerAndAnswersIdAndNextRun() throws Exception {
    JsonNode out = json(schedule.invoke(as(ops), "{\"cron\":\"0 9 * * *\",\"prompt\":\"morning report\"}"));
    assertTrue(out.get("ok").asBoolean(), out.toString());
    String id = out.get("id").asText();
    assertEquals(3, out.size(), out.toString());
    assertEquals("ops", store.task(id).agentId());
    assertEquals("morning report", store.task(id).prompt());
    assertEquals(store.task(id).nextRunAt(), Instant.parse(out.get("nextRunAt").asText()));
    assertTrue(id.matches("[A-Za-z0-9_-]{16,}"), "a URL-safe id: " + id);
  }

  @Test
  void scheduleTaskReportsAnInvalidCronExpressionAsUpstreamDoes() throws Exception {
    assertEquals("{\"ok\":false,\"error\":\"Invalid cron expression: not-a-cron\"}",
        schedule.invoke(as(ops), "{\"cron\":\"not-a-cron\",\"prompt\":\"p\"}"));
    assertEquals("{\"ok\":false,\"error\":\"cron and prompt are required\"}",
        schedule.invoke(as(ops), "{\"cron\":\"0 9 * * *\"}"));
    assertThrows(ToolException.class, () -> schedule.invoke(as(ops), "[1]"));
    assertEquals(0, store.all().size());
  }

  @Test
  void scheduleTaskAnswersTheIntervalAndTaskCapsAsToolErrors() throws Exception {
    SchedulerImpl strict = new SchedulerImpl(store, new MapAgents(coo, ops), new Fakes.Bus(), Duration.ofMinutes(10),
        1, Duration.ofSeconds(60), Clock.systemDefaultZone());
    try {
      ScheduleTaskTool tool = new ScheduleTaskTool(strict);
      JsonNode often = json(tool.invoke(as(ops), "{\"cron\":\"*/5 * * * * *\",\"prompt\":\"p\"}"));
      assertEquals(false, often.get("ok").asBoolean());
      assertTrue(often.get("error").asText().startsWith("cron fires every 5 s"), often.toString());
      assertTrue(json(tool.invoke(as(ops), "{\"cron\":\"0 9 * * *\",\"prompt\":\"p\"}")).get("ok").asBoolean());
      JsonNode full = json(tool.invoke(as(ops), "{\"cron\":\"0 10 * * *\",\"prompt\":\"p\"}"));
      assertTrue(full.get("error").asText().startsWith("too many scheduled tasks"), full.toString());
    } finally {
      strict.deactivate();
    }
  }

  @Test
  void listScheduledTasksShowsOnlyTheCallersOwnTasks() throws Exception {
    String mine = scheduler.add("ops", "0 9 * * *", "mine").id();
    scheduler.add("coo", "0 10 * * *", "not mine");

    JsonNode out = json(list.invoke(as(ops), "{}"));
    assertEquals(1, out.size(), out.toString());
    JsonNode task = out.get(0);
    assertEquals(mine, task.get("id").asText());
    assertEquals("ops", task.get("agentId").asText());
    assertEquals("0 9 * * *", task.get("cron").asText());
    assertEquals("mine", task.get("prompt").asText());
    assertTrue(task.get("enabled").asBoolean());
    assertTrue(task.get("lastRunAt").isNull());
    assertEquals(store.task(mine).nextRunAt().toString(), task.get("nextRunAt").asText());
    assertEquals("[]", list.invoke(as(Fakes.profile("nobody", AgentProfile.ROLE_AGENT)), ""));
  }

  @Test
  void cancelScheduledTaskCancelsOnlyTheCallersOwnTasks() throws Exception {
    String mine = scheduler.add("ops", "0 9 * * *", "mine").id();
    String theirs = scheduler.add("coo", "0 10 * * *", "theirs").id();

    assertEquals("{\"ok\":false}", cancel.invoke(as(ops), "{\"id\":\"" + theirs + "\"}"));
    assertTrue(store.task(theirs).enabled(), "another agent's task is left alone");
    assertEquals("{\"ok\":false}", cancel.invoke(as(ops), "{\"id\":\"no-such-task\"}"));
    assertEquals("{\"ok\":false}", cancel.invoke(as(ops), "{}"));

    assertEquals("{\"ok\":true}", cancel.invoke(as(ops), "{\"id\":\"" + mine + "\"}"));
    assertFalse(store.task(mine).enabled());
    assertFalse(json(list.invoke(as(ops), "{}")).get(0).get("enabled").asBoolean(), "still listed, disabled");
  }

  @Test
  void subagentsDoNotGetTheSchedulingTools() {
    ToolContext subagent = as(Fakes.profile("sub-1", AgentProfile.ROLE_SUBAGENT));
    assertFalse(schedule.availableTo(subagent));
    assertFalse(list.availableTo(subagent));
    assertFalse(cancel.availableTo(subagent));
    assertTrue(schedule.availableTo(as(ops)));
    assertTrue(schedule.availableTo(as(coo)));
  }

  @Test
  void theParametersAreJsonSchemaObjects() throws Exception {
    assertEquals("object", json(schedule.parameters()).get("type").asText());
    assertEquals("[\"cron\",\"prompt\"]", json(schedule.parameters()).get("required").toString());
    assertEquals("object", json(list.parameters()).get("type").asText());
    assertEquals("[\"id\"]", json(cancel.parameters()).get("required").toString());
  }
}
