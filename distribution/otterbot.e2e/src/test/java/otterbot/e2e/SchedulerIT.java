package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.BusFixtures.awaitBus;
import static otterbot.e2e.BusFixtures.history;
import static otterbot.e2e.BusFixtures.scheduledTask;
import static otterbot.e2e.BusFixtures.scheduledTasks;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Scheduled tasks as a user sees them (upstream-behaviour §4.7, §10), on the exported jar with the built-in model: a
 * 6-field every-second task fires and records its run, which goes over the bus as a request from {@code scheduler};
 * bad input gets 400/404; cancelling stops it; tasks survive a restart; a run missed while the server was down happens
 * once at start-up, not once per missed time. Every test starts its own server (fresh home).
 */
class SchedulerIT {
  /** A generous bound on the first run of an every-second task (the issue asks for 2 s; the time is printed). */
  static final Duration FIRES_WITHIN = Duration.ofSeconds(10);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  private ServerProcess server;
  private NodeChat node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** These tests use every-second tasks: the home's scheduler configuration allows them (the default is 60 s). */
  static Path everySecondAllowed(Path home) {
    return ServerProcess.withConfig(home, "otterbot.scheduler", "minIntervalSeconds=0");
  }

  static ObjectNode task(String cron, String prompt) {
    ObjectNode body = Http.JSON.createObjectNode();
    if (cron != null) {
      body.put("cron", cron);
    }
    if (prompt != null) {
      body.put("prompt", prompt);
    }
    return body;
  }

  static JsonNode schedule(ServerProcess server, String agentId, String cron, String prompt) {
    Http.Response r = server.http().post("/api/agents/" + agentId + "/scheduled-tasks", task(cron, prompt));
    JsonNode created = server.http().expect(r, 200);
    assertEquals(Set.of("id", "agentId", "cron", "prompt", "enabled", "lastRunAt", "nextRunAt"),
        ApiContractIT.fieldNames(created), () -> server.explain(r));
    assertEquals(agentId, created.path("agentId").asText(), () -> server.explain(r));
    assertEquals(cron, created.path("cron").asText(), () -> server.explain(r));
    assertEquals(prompt, created.path("prompt").asText(), () -> server.explain(r));
    assertTrue(created.path("enabled").asBoolean(), () -> server.explain(r));
    assertTrue(created.path("lastRunAt").isNull(), () -> server.explain(r));
    assertFalse(created.path("nextRunAt").isNull(), () -> server.explain(r));
    return created;
  }

  /** The requests the scheduler sent on the bus for this task, oldest first (from the history). */
  static List<JsonNode> runs(ServerProcess server, String taskId) {
    return history(server).stream().filter(m -> m.path("kind").asText().equals("request")
        && m.path("from").asText().equals("scheduler") && m.path("threadId").asText().equals("sched-" + taskId))
        .toList();
  }

  static Instant lastRunAt(ServerProcess server, String agentId, String taskId) {
    JsonNode t = scheduledTask(server, agentId, taskId);
    return t == null || t.path("lastRunAt").isNull() ? null : Instant.parse(t.path("lastRunAt").asText());
  }

  // ------------------------------------------------------------------------------------------- firing and cancel

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anEverySecondTaskFiresGoesOverTheBusAndStopsWhenCancelled() throws Exception {
    server = ServerProcess.start(everySecondAllowed(tmp.resolve("fire")));
    node = NodeChat.connect(server, "websocket", 1);
    ChatClient client = node.socket(0);
    Instant before = Instant.now();
    JsonNode created = schedule(server, "coo", "* * * * * *", "tick");
    String id = created.path("id").asText();
    Instant next = Instant.parse(created.path("nextRunAt").asText());
    assertTrue(!next.isBefore(before.truncatedTo(ChronoUnit.SECONDS)) && next.isBefore(before.plusSeconds(3)),
        () -> "nextRunAt of an every-second task should be within a second: " + created);

    Duration took = server.eventually("the first run of the every-second task", FIRES_WITHIN,
        () -> lastRunAt(server, "coo", id) != null, () -> String.valueOf(scheduledTask(server, "coo", id)));
    System.out.printf("[e2e] the every-second task recorded its first run %d ms after it was created%n",
        took.toMillis());
    Instant last = lastRunAt(server, "coo", id);
    assertFalse(last.isBefore(before.truncatedTo(ChronoUnit.SECONDS)), () -> "lastRunAt " + last);

    // Live on the bus, and in the history: a request from the scheduler to the agent, answered by the agent's turn.
    int requestAt = awaitBus(client, "request from the scheduler", 0, e -> e.path("from").asText().equals("scheduler")
        && e.path("threadId").asText().equals("sched-" + id));
    JsonNode request = client.events().get(requestAt).data();
    assertEquals("request", request.path("kind").asText(), request::toString);
    assertEquals("coo", request.path("to").asText(), request::toString);
    assertEquals("tick", request.path("body").asText(), request::toString);
    awaitBus(client, "the agent's response", requestAt, e -> e.path("kind").asText().equals("response")
        && e.path("correlationId").asText().equals(request.path("id").asText()));
    server.eventually("a run in the bus history", FIRES_WITHIN, () -> !runs(server, id).isEmpty(),
        () -> history(server).toString());

    // Cancel: 200 {ok:true}, still listed but disabled, and it stops running.
    Http.Response cancel = server.http().delete("/api/scheduled-tasks/" + id);
    assertEquals(Http.json("{\"ok\":true}"), server.http().expect(cancel, 200), () -> server.explain(cancel));
    JsonNode cancelled = scheduledTask(server, "coo", id);
    assertNotNull(cancelled, "a cancelled task is still listed");
    assertFalse(cancelled.path("enabled").asBoolean(true), cancelled::toString);
    Http.Response again = server.http().delete("/api/scheduled-tasks/" + id);
    assertEquals(200, again.status(), () -> "cancelling twice is fine\n" + server.explain(again));
    // A run that had already started may still finish; after that nothing changes any more.
    ServerProcess.pause(1500);
    Instant settled = lastRunAt(server, "coo", id);
    int settledRuns = runs(server, id).size();
    ServerProcess.pause(3000);
    assertEquals(settled, lastRunAt(server, "coo", id), "lastRunAt changed after the task was cancelled");
    assertEquals(settledRuns, runs(server, id).size(), "the scheduler sent requests after the task was cancelled");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void badRequestsAreRefused() {
    server = ServerProcess.start(tmp.resolve("bad"));
    Http http = server.http();
    for (ObjectNode body : List.of(task(null, "x"), task("* * * * *", null), task("", "x"), task("* * * * *", ""))) {
      Http.Response r = http.post("/api/agents/coo/scheduled-tasks", body);
      assertEquals(Http.json("{\"error\":\"cron and prompt are required\"}"), http.expect(r, 400),
          () -> body + "\n" + server.explain(r));
    }
    for (String cron : List.of("not-a-cron", "61 * * * *", "* * *", "* * * * * * * *")) {
      Http.Response r = http.post("/api/agents/coo/scheduled-tasks", task(cron, "x"));
      assertEquals(Http.json("{\"error\":\"invalid cron expression\"}"), http.expect(r, 400),
          () -> cron + "\n" + server.explain(r));
    }
    // With the default configuration a task may fire at most once a minute.
    Http.Response often = http.post("/api/agents/coo/scheduled-tasks", task("*/10 * * * * *", "x"));
    assertEquals(Http.json("{\"error\":\"cron fires every 10 s; the minimum interval between runs is 60 s"
        + " (minIntervalSeconds in otterbot.scheduler.cfg)\"}"), http.expect(often, 400), () -> server.explain(often));
    Http.Response unknown = http.post("/api/agents/no-such-agent/scheduled-tasks", task("* * * * *", "x"));
    assertEquals(404, unknown.status(), () -> server.explain(unknown));
    http.expect(unknown, 404);
    Http.Response delete = http.delete("/api/scheduled-tasks/no-such-task");
    assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(delete, 404), () -> server.explain(delete));
    assertEquals(List.of(), scheduledTasks(server, "coo"), "nothing was stored");

    // Upstream's example is accepted: 5 fields, minute first.
    JsonNode daily = schedule(server, "coo", "0 9 * * *", "good morning");
    ZonedDateTime next = Instant.parse(daily.path("nextRunAt").asText()).atZone(ZoneId.systemDefault());
    assertEquals(9, next.getHour(), daily::toString);
    assertEquals(0, next.getMinute(), daily::toString);
    assertEquals(0, next.getSecond(), daily::toString);
    assertEquals(List.of(daily), scheduledTasks(server, "coo"));
  }

  // ------------------------------------------------------------------------------------------- restarts

  /**
   * SIGTERM and a start on the same home: the enabled task is armed again and runs; the cancelled one does not run
   * again (once, before its cancel, it may have: it fires every second).
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aRestartReArmsEnabledTasksOnly() {
    Path home = everySecondAllowed(tmp.resolve("restart"));
    server = ServerProcess.start(home);
    String enabled = schedule(server, "coo", "* * * * * *", "still here?").path("id").asText();
    String cancelled = schedule(server, "coo", "* * * * * *", "cancelled").path("id").asText();
    assertEquals(200, server.http().delete("/api/scheduled-tasks/" + cancelled).status());
    server.eventually("the first run", FIRES_WITHIN, () -> lastRunAt(server, "coo", enabled) != null,
        () -> String.valueOf(scheduledTask(server, "coo", enabled)));
    // An every-second task may fire once between its creation and its cancel (a second can turn between the two
    // requests on a slow machine); never after it.
    int cancelledRuns = runs(server, cancelled).size();
    assertTrue(cancelledRuns <= 1, "the cancelled task ran " + cancelledRuns + " times before the restart");
    server.stop();
    assertFalse(server.wasForced(), () -> "the server ignored SIGTERM\n" + server.logTail());

    Instant restartedAt = Instant.now();
    server = ServerProcess.start(home);
    JsonNode again = scheduledTask(server, "coo", enabled);
    assertNotNull(again, "the task survived the restart");
    assertTrue(again.path("enabled").asBoolean(), again::toString);
    assertFalse(scheduledTask(server, "coo", cancelled).path("enabled").asBoolean(true), "still cancelled");
    server.eventually("a run after the restart", FIRES_WITHIN, () -> {
      Instant last = lastRunAt(server, "coo", enabled);
      return last != null && last.isAfter(restartedAt);
    }, () -> String.valueOf(scheduledTask(server, "coo", enabled)));
    assertEquals(cancelledRuns, runs(server, cancelled).size(), "the cancelled task was not re-armed");
  }

  /**
   * A task whose two fire times (two seconds apart, once a year) both pass while the server is down runs exactly once
   * at start-up: no burst of missed runs. The times are chosen so that nothing else can fire until next year, so the
   * count is deterministic.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aRunMissedWhileDownHappensOnceAtStartUp() {
    Path home = everySecondAllowed(tmp.resolve("missed"));
    server = ServerProcess.start(home);
    ZoneId zone = ZoneId.systemDefault();
    ZonedDateTime first = ZonedDateTime.now(zone).plusSeconds(12).truncatedTo(ChronoUnit.SECONDS);
    if (first.getSecond() > 55) {
      first = first.plusSeconds(60 - first.getSecond()); // both times in the same minute
    }
    ZonedDateTime second = first.plusSeconds(2);
    String cron = first.getSecond() + "," + second.getSecond() + " " + first.getMinute() + " " + first.getHour() + " "
        + first.getDayOfMonth() + " " + first.getMonthValue() + " *";
    JsonNode created = schedule(server, "coo", cron, "catch up");
    String id = created.path("id").asText();
    assertEquals(first.toInstant(), Instant.parse(created.path("nextRunAt").asText()),
        () -> "nextRunAt of " + cron + " in the server's zone (the test assumes " + zone + ")\n" + created);
    server.stop();
    assertFalse(server.wasForced(), () -> "the server ignored SIGTERM\n" + server.logTail());
    assertTrue(Instant.now().isBefore(first.toInstant()), "the server took too long to stop: the test is void");

    // Down until both fire times have passed.
    while (Instant.now().isBefore(second.toInstant().plusSeconds(1))) {
      ServerProcess.pause(100);
    }
    server = ServerProcess.start(home);
    server.eventually("the missed run at start-up", FIRES_WITHIN, () -> lastRunAt(server, "coo", id) != null,
        () -> String.valueOf(scheduledTask(server, "coo", id)));
    server.eventually("the missed run on the bus", FIRES_WITHIN, () -> !runs(server, id).isEmpty(),
        () -> history(server).toString());
    ServerProcess.pause(3000); // a burst would have shown by now
    assertEquals(1, runs(server, id).size(), () -> "one run for two missed times: " + runs(server, id));
    JsonNode after = scheduledTask(server, "coo", id);
    assertTrue(after.path("enabled").asBoolean(), after::toString);
    assertTrue(after.path("nextRunAt").isNull()
        || Instant.parse(after.path("nextRunAt").asText()).isAfter(Instant.now().plus(Duration.ofDays(300))),
        () -> "the next run is next year's: " + after);
  }
}
