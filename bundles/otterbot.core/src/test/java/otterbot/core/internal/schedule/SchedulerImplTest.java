package otterbot.core.internal.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.schedule.ScheduledTask;
import otterbot.core.internal.MapAgents;

/** The scheduler against an in-memory store and a recording bus, outside OSGi, on the real clock where it fires. */
class SchedulerImplTest {
  static final Duration TIMEOUT = Duration.ofMinutes(10);

  final Fakes.MemoryStore store = new Fakes.MemoryStore();
  final MapAgents agents = new MapAgents(Fakes.profile("coo", AgentProfile.ROLE_COO),
      Fakes.profile("ops", AgentProfile.ROLE_AGENT));
  final Fakes.Bus bus = new Fakes.Bus();
  final List<SchedulerImpl> started = new ArrayList<>();

  SchedulerImpl start(Clock clock) {
    SchedulerImpl scheduler = new SchedulerImpl(store, agents, bus, TIMEOUT, clock);
    started.add(scheduler);
    return scheduler;
  }

  SchedulerImpl start() {
    return start(Clock.systemDefaultZone());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    CountDownLatch gate = bus.gate;
    if (gate != null) {
      gate.countDown();
    }
    for (SchedulerImpl scheduler : started) {
      scheduler.deactivate();
    }
  }

  @Test
  void aSixFieldEverySecondTaskFiresAsABusRequestAndRecordsItsRun() throws Exception {
    SchedulerImpl scheduler = start();
    ScheduledTask task = scheduler.add("coo", "* * * * * *", "check the inbox");
    assertTrue(task.enabled());
    assertNull(task.lastRunAt());
    assertNotNull(task.nextRunAt());
    assertEquals(List.of(task), scheduler.list("coo"));

    Fakes.await("the task fired", () -> !bus.requests.isEmpty());
    AgentMessage request = bus.requests.get(0);
    assertEquals(AgentMessage.REQUEST, request.kind());
    assertEquals("scheduler", request.from());
    assertEquals("coo", request.to());
    assertEquals("sched-" + task.id(), request.threadId());
    assertNull(request.correlationId());
    assertEquals("check the inbox", request.body());
    assertEquals(TIMEOUT, bus.timeouts.get(0));

    ScheduledTask ran = store.task(task.id());
    assertNotNull(ran.lastRunAt(), "lastRunAt is recorded");
    assertTrue(ran.nextRunAt().isAfter(ran.lastRunAt()), ran.toString());
    assertEquals(ran, scheduler.get(task.id()).orElseThrow());
    Fakes.await("it fires again, every second", () -> bus.count("sched-" + task.id()) >= 2);
  }

  @Test
  void missingFieldsAndInvalidExpressionsAreRefused() {
    SchedulerImpl scheduler = start();
    assertInvalid("cron and prompt are required", () -> scheduler.add("coo", "", "p"));
    assertInvalid("cron and prompt are required", () -> scheduler.add("coo", "0 9 * * *", " "));
    assertInvalid("cron and prompt are required", () -> scheduler.add("coo", null, "p"));
    assertInvalid("invalid cron expression", () -> scheduler.add("coo", "not-a-cron", "p"));
    assertInvalid("invalid cron expression", () -> scheduler.add("coo", "61 * * * *", "p"));
    assertInvalid("invalid cron expression", () -> scheduler.add("coo", "* * * *", "p"));
    assertInvalid("invalid cron expression", () -> scheduler.add("coo", "0 0 31 2 *", "p"), "never fires");
    assertEquals(List.of(), store.all());
  }

  @Test
  void anUnknownAgentIsNotFound() {
    SchedulerImpl scheduler = start();
    OtterbotException e = assertThrows(OtterbotException.class, () -> scheduler.add("ghost", "0 9 * * *", "p"));
    assertEquals(OtterbotException.Kind.NOT_FOUND, e.kind());
    assertEquals(List.of(), store.all());
  }

  @Test
  void fiveFieldsAreMinuteFirstAndTimesAreTheServersLocalTime() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    Instant noon = LocalDateTime.of(2026, 3, 10, 12, 0).atZone(berlin).toInstant();
    SchedulerImpl scheduler = start(Clock.fixed(noon, berlin));

    ScheduledTask daily = scheduler.add("coo", "0 9 * * *", "morning report");
    assertEquals(ZonedDateTime.of(2026, 3, 11, 9, 0, 0, 0, berlin).toInstant(), daily.nextRunAt());
    ScheduledTask seconds = scheduler.add("coo", "30 0 9 * * *", "p");
    assertEquals(ZonedDateTime.of(2026, 3, 11, 9, 0, 30, 0, berlin).toInstant(), seconds.nextRunAt());
    ScheduledTask weekdays = scheduler.add("coo", "0 9 * * sat,sun", "p");
    assertEquals(ZonedDateTime.of(2026, 3, 14, 9, 0, 0, 0, berlin).toInstant(), weekdays.nextRunAt());
    ScheduledTask nickname = scheduler.add("coo", "@daily", "p");
    assertEquals(ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, berlin).toInstant(), nickname.nextRunAt());
    // Either day field matches, as in Unix cron: the 1st of April or any Sunday (the 15th).
    ScheduledTask either = scheduler.add("coo", "0 0 1 * 0", "p");
    assertEquals(ZonedDateTime.of(2026, 3, 15, 0, 0, 0, 0, berlin).toInstant(), either.nextRunAt());
  }

  @Test
  void cancelStopsTheTimerAndKeepsTheTaskListed() throws Exception {
    SchedulerImpl scheduler = start();
    ScheduledTask task = scheduler.add("coo", "* * * * * *", "tick");
    Fakes.await("the task fired", () -> !bus.requests.isEmpty());

    assertTrue(scheduler.cancel(task.id()));
    long afterCancel = bus.requests.size();
    ScheduledTask cancelled = store.task(task.id());
    assertFalse(cancelled.enabled());
    assertNull(cancelled.nextRunAt());
    assertEquals(List.of(cancelled), scheduler.list("coo"));

    Thread.sleep(2500); // a live every-second timer would have fired twice by now
    long settled = bus.requests.size();
    assertTrue(settled <= afterCancel + 1, "at most a run already dispatched when cancel returned");
    Thread.sleep(1200);
    assertEquals(settled, bus.requests.size(), "no further requests after cancel");
    assertTrue(scheduler.cancel(task.id()), "cancelling again is fine");
    assertFalse(scheduler.cancel("no-such-task"));
  }

  @Test
  void aNewSchedulerOnTheSameStoreRearmsEnabledTasksButNotCancelledOnes() throws Exception {
    SchedulerImpl first = start();
    ScheduledTask kept = first.add("coo", "* * * * * *", "kept");
    ScheduledTask cancelled = first.add("ops", "* * * * * *", "cancelled");
    first.cancel(cancelled.id());
    first.deactivate();
    bus.requests.clear();

    start();
    Fakes.await("the enabled task fires after the restart", () -> bus.count("sched-" + kept.id()) >= 2);
    assertEquals(0, bus.count("sched-" + cancelled.id()));
    assertFalse(store.task(cancelled.id()).enabled());
  }

  @Test
  void aTaskWhoseTimePassedWhileTheServerWasDownRunsOnceAtStartUp() throws Exception {
    // Hourly slots missed for three days; the next regular one is about twelve hours away.
    ZonedDateTime now = ZonedDateTime.now();
    int hour = (now.getHour() + 12) % 24;
    String cron = "0 " + hour + " * * *";
    Instant missed = now.minusDays(3).toInstant().truncatedTo(ChronoUnit.SECONDS);
    store.save(new ScheduledTask("t-missed", "coo", cron, "catch up", true, null, missed));
    Instant future = now.plusHours(6).toInstant().truncatedTo(ChronoUnit.SECONDS);
    store.save(new ScheduledTask("t-future", "coo", "0 " + now.plusHours(6).getHour() + " * * *", "later", true, null,
        future));

    start();
    Fakes.await("the missed task ran", () -> store.task("t-missed").lastRunAt() != null);
    Thread.sleep(500); // room for a burst, if there were one
    assertEquals(1, bus.count("sched-t-missed"), "once, not once per missed slot");
    ScheduledTask after = store.task("t-missed");
    Instant expectedNext = now.withHour(hour).withMinute(0).withSecond(0).withNano(0).toInstant();
    if (!expectedNext.isAfter(after.lastRunAt())) {
      expectedNext = now.plusDays(1).withHour(hour).withMinute(0).withSecond(0).withNano(0).toInstant();
    }
    assertEquals(expectedNext, after.nextRunAt(), "then on schedule");
    assertEquals(0, bus.count("sched-t-future"), "a task still ahead waits for its time");
  }

  @Test
  void aFiringWhileThePreviousRunIsStillGoingIsSkippedAndARunFailureIsStillRecorded() throws Exception {
    bus.gate = new CountDownLatch(1);
    SchedulerImpl scheduler = start();
    ScheduledTask task = scheduler.add("coo", "* * * * * *", "slow");
    Fakes.await("the first run started", () -> !bus.requests.isEmpty());
    Instant firstRun = store.task(task.id()).lastRunAt();
    Instant firstNext = store.task(task.id()).nextRunAt();
    Fakes.await("a later firing was skipped", () -> store.task(task.id()).nextRunAt().isAfter(firstNext));
    assertEquals(1, bus.requests.size(), "no pile-up behind a running run");
    assertEquals(firstRun, store.task(task.id()).lastRunAt(), "a skipped firing is not a run");

    bus.failure = OtterbotException.unavailable("request to coo timed out", null);
    bus.gate.countDown();
    Fakes.await("it runs again once the run is over", () -> bus.requests.size() >= 3);
    assertTrue(store.task(task.id()).lastRunAt().isAfter(firstRun), "failed runs are recorded too");
  }

  @Test
  void deletingAnAgentDisablesItsTasks() {
    SchedulerImpl scheduler = start();
    ScheduledTask a = scheduler.add("ops", "0 9 * * *", "a");
    ScheduledTask b = scheduler.add("ops", "0 10 * * *", "b");
    ScheduledTask other = scheduler.add("coo", "0 9 * * *", "c");
    agents.profiles.remove("ops");

    scheduler.deleted(Fakes.profile("ops", AgentProfile.ROLE_AGENT));

    assertFalse(store.task(a.id()).enabled());
    assertFalse(store.task(b.id()).enabled());
    assertTrue(store.task(other.id()).enabled());
  }

  @Test
  void deactivateLeavesNoSchedulerThread() throws Exception {
    bus.gate = new CountDownLatch(1); // a run blocked in the bus until it is interrupted
    SchedulerImpl scheduler = start();
    scheduler.add("coo", "* * * * * *", "busy");
    Fakes.await("a run is in progress", () -> !bus.requests.isEmpty());

    scheduler.deactivate();
    started.remove(scheduler);
    Fakes.await("no otterbot-scheduler thread is left", () -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("otterbot-scheduler")));
  }

  @Test
  void anAgentHasAtMostTheConfiguredNumberOfEnabledTasks() {
    SchedulerImpl scheduler = new SchedulerImpl(store, agents, bus, TIMEOUT, 3, Duration.ofSeconds(60),
        Clock.systemDefaultZone());
    started.add(scheduler);
    List<ScheduledTask> tasks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      tasks.add(scheduler.add("coo", "0 9 * * *", "task " + i));
    }
    assertInvalid("too many scheduled tasks: agent 'coo' already has 3 scheduled tasks, the most allowed"
        + " (maxTasksPerAgent in otterbot.scheduler.cfg); cancel one first",
        () -> scheduler.add("coo", "0 9 * * *", "one more"));
    assertNotNull(scheduler.add("ops", "0 9 * * *", "another agent has its own count"));
    assertTrue(scheduler.cancel(tasks.get(0).id()));
    assertNotNull(scheduler.add("coo", "0 9 * * *", "a cancelled task frees its place"));
  }

  @Test
  void anExpressionThatFiresMoreOftenThanTheMinimumIntervalIsRefused() {
    SchedulerImpl scheduler = new SchedulerImpl(store, agents, bus, TIMEOUT, 100, Duration.ofSeconds(60),
        Clock.systemDefaultZone());
    started.add(scheduler);
    assertInvalid("cron fires every 1 s; the minimum interval between runs is 60 s (minIntervalSeconds in"
        + " otterbot.scheduler.cfg)", () -> scheduler.add("coo", "* * * * * *", "p"));
    assertInvalid("cron fires every 30 s; the minimum interval between runs is 60 s (minIntervalSeconds in"
        + " otterbot.scheduler.cfg)", () -> scheduler.add("coo", "*/30 * * * * *", "p"));
    assertInvalid("cron fires every 1 s; the minimum interval between runs is 60 s (minIntervalSeconds in"
        + " otterbot.scheduler.cfg)", () -> scheduler.add("coo", "0,1 0 9 * * *", "p"), "a short gap anywhere counts");
    assertNotNull(scheduler.add("coo", "* * * * *", "every minute is allowed"));
    assertNotNull(scheduler.add("coo", "0 9 * * 1-5", "weekdays"));
    assertEquals(2, store.all().size());
  }

  static void assertInvalid(String message, org.junit.jupiter.api.function.Executable call) {
    assertInvalid(message, call, message);
  }

  static void assertInvalid(String message, org.junit.jupiter.api.function.Executable call, String why) {
    OtterbotException e = assertThrows(OtterbotException.class, call, why);
    assertEquals(OtterbotException.Kind.INVALID, e.kind(), why);
    assertEquals(message, e.getMessage(), why);
  }
}
