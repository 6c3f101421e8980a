package otterbot.core.internal.schedule;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentLifecycleListener;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.persistence.ScheduleStore;
import otterbot.api.schedule.ScheduledTask;
import otterbot.api.schedule.Scheduler;

/**
 * Scheduled tasks (upstream-behaviour §4.7, §10): each enabled task has one timer, armed for its cron expression's
 * next time in the server's local time zone. When it fires, the task's prompt goes to its agent as a bus request
 * (thread {@code sched-<taskId>}), so the run shows on the bus and in the agent's conversation.
 *
 * <p>Differences from upstream, on purpose: an unknown agent is refused; a task whose time passed while the server was
 * down runs once at start-up; a firing while the task's previous run is still going is skipped rather than piled up;
 * {@code lastRunAt} and {@code nextRunAt} are stored when the task fires, before the run, so a crash during a run
 * does not run the same slot again after a restart; deleting an agent disables its tasks.
 *
 * <p>Every change to a stored task happens under one lock, so a firing can never write back a task that was cancelled
 * meanwhile.
 */
@Designate(ocd = SchedulerConfiguration.class)
@Component(
    service = {Scheduler.class, AgentLifecycleListener.class},
    immediate = true, // the timers must run whether or not anyone uses the service
    configurationPid = SchedulerConfiguration.PID)
public final class SchedulerImpl implements Scheduler, AgentLifecycleListener {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerImpl.class);

  /** The bus sender of scheduled runs. */
  static final String SENDER = "scheduler";

  /** The prefix of the bus thread of a task's runs; the bus adds {@code bus-} for the conversation id. */
  static final String THREAD_PREFIX = "sched-";

  /**
   * A timer never sleeps longer than this: the executor counts elapsed time, not the wall clock, so a clock change or
   * a suspended machine is noticed at the latest after this long.
   */
  static final Duration MAX_SLEEP = Duration.ofMinutes(1);

  /** How soon the scheduler tries again when the store cannot be read. */
  static final Duration RETRY = Duration.ofSeconds(30);

  /** Longest prompt, as for a chat message. */
  static final int MAX_PROMPT = 100_000;

  static final int DEFAULT_MAX_TASKS_PER_AGENT = 100;
  static final int DEFAULT_MIN_INTERVAL_SECONDS = 60;
  /** How many upcoming firings are looked at to find an expression's shortest interval. */
  static final int INTERVAL_SAMPLES = 24;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ScheduleStore store;
  private final AgentRegistry agents;
  private final MessageBus bus;
  private final Duration runTimeout;
  private final int maxTasksPerAgent;
  private final Duration minInterval;
  private final Clock clock;

  private final ScheduledThreadPoolExecutor timers;
  private final ExecutorService runs;

  /** Guards every read-modify-write of a stored task, and {@link #armed}. */
  private final Object lock = new Object();
  private final Map<String, ScheduledFuture<?>> armed = new HashMap<>();
  /** Tasks whose run is in progress. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  @Activate
  public SchedulerImpl(@Reference ScheduleStore store, @Reference AgentRegistry agents, @Reference MessageBus bus,
      SchedulerConfiguration config) {
    this(store, agents, bus, Duration.ofSeconds(config.runTimeoutSeconds()), Math.max(1, config.maxTasksPerAgent()),
        Duration.ofSeconds(Math.max(0, config.minIntervalSeconds())), Clock.systemDefaultZone());
  }

  /** For tests of firing: no minimum interval (every second is allowed), the default task cap. */
  SchedulerImpl(ScheduleStore store, AgentRegistry agents, MessageBus bus, Duration runTimeout, Clock clock) {
    this(store, agents, bus, runTimeout, DEFAULT_MAX_TASKS_PER_AGENT, Duration.ZERO, clock);
  }

  /** {@code clock}'s zone is the time zone of the cron expressions. */
  SchedulerImpl(ScheduleStore store, AgentRegistry agents, MessageBus bus, Duration runTimeout, int maxTasksPerAgent,
      Duration minInterval, Clock clock) {
    this.store = store;
    this.agents = agents;
    this.bus = bus;
    this.runTimeout = runTimeout;
    this.maxTasksPerAgent = maxTasksPerAgent;
    this.minInterval = minInterval;
    this.clock = clock;
    this.timers = new ScheduledThreadPoolExecutor(1, daemonThreads("otterbot-scheduler-"));
    this.timers.setRemoveOnCancelPolicy(true);
    this.runs = Executors.newCachedThreadPool(daemonThreads("otterbot-scheduler-run-"));
    // On the timer thread: activation stays quick, and a store that is down at start-up is tried again later.
    timers.execute(this::armAll);
  }

  @Deactivate
  void deactivate() throws InterruptedException {
    stopped = true;
    timers.shutdownNow();
    runs.shutdownNow(); // interrupts the runs' bus requests
    if (!timers.awaitTermination(5, TimeUnit.SECONDS) || !runs.awaitTermination(5, TimeUnit.SECONDS)) {
      LOG.warn("Scheduler threads still running 5 s after stop");
    }
  }

  @Override
  public List<ScheduledTask> list(String agentId) {
    List<ScheduledTask> out = new ArrayList<>();
    for (ScheduledTask task : store.all()) {
      if (task.agentId().equals(agentId)) {
        out.add(task);
      }
    }
    return out;
  }

  @Override
  public Optional<ScheduledTask> get(String taskId) {
    return taskId == null ? Optional.empty() : store.get(taskId);
  }

  @Override
  public ScheduledTask add(String agentId, String cron, String prompt) {
    if (agentId == null || agents.get(agentId).isEmpty()) {
      throw OtterbotException.notFound("not found");
    }
    if (cron == null || cron.isBlank() || prompt == null || prompt.isBlank()) {
      throw OtterbotException.invalid("cron and prompt are required");
    }
    if (prompt.length() > MAX_PROMPT) {
      throw OtterbotException.invalid("prompt is longer than " + MAX_PROMPT + " characters");
    }
    String expression = cron.strip();
    CronSchedule schedule = cronOf(expression).orElseThrow(() -> OtterbotException.invalid("invalid cron expression"));
    // An expression that never fires (0 0 31 2 *) is as useless as a malformed one.
    Instant next = schedule.nextAfter(clock.instant(), clock.getZone())
        .orElseThrow(() -> OtterbotException.invalid("invalid cron expression"));
    Duration shortest = shortestInterval(schedule, next);
    if (shortest != null && shortest.compareTo(minInterval) < 0) {
      throw OtterbotException.invalid("cron fires every " + shortest.toSeconds() + " s; the minimum interval between"
          + " runs is " + minInterval.toSeconds() + " s (minIntervalSeconds in otterbot.scheduler.cfg)");
    }
    ScheduledTask task = new ScheduledTask(newId(), agentId, expression, prompt, true, null, next);
    synchronized (lock) {
      // Counted under the lock, so that concurrent adds cannot both take the last place.
      long enabled = list(agentId).stream().filter(ScheduledTask::enabled).count();
      if (enabled >= maxTasksPerAgent) {
        throw OtterbotException.invalid("too many scheduled tasks: agent '" + agentId + "' already has " + enabled
            + " scheduled tasks, the most allowed (maxTasksPerAgent in otterbot.scheduler.cfg); cancel one first");
      }
      store.save(task);
      arm(task.id(), next);
    }
    LOG.info("Scheduled task {} for agent '{}' ({}), next run {}", task.id(), agentId, expression, next);
    return task;
  }

  @Override
  public boolean cancel(String taskId) {
    if (taskId == null) {
      return false;
    }
    synchronized (lock) {
      Optional<ScheduledTask> task = store.get(taskId);
      if (task.isEmpty()) {
        return false;
      }
      ScheduledTask t = task.get();
      if (t.enabled() || t.nextRunAt() != null) {
        // Stored first: if the store fails, the task stays enabled and armed, and the caller hears about it.
        store.save(new ScheduledTask(t.id(), t.agentId(), t.cron(), t.prompt(), false, t.lastRunAt(), null));
        LOG.info("Cancelled scheduled task {} of agent '{}'", t.id(), t.agentId());
      }
      disarm(taskId);
      return true;
    }
  }

  @Override
  public void deleted(AgentProfile agent) {
    for (ScheduledTask task : list(agent.id())) {
      if (task.enabled()) {
        try {
          cancel(task.id());
        } catch (RuntimeException e) {
          // The agent is gone already: the task's firings find no agent and skip the run (logged).
          LOG.warn("Cannot disable scheduled task {} of deleted agent '{}': {}", task.id(), agent.id(),
              e.getMessage());
        }
      }
    }
  }

  /** The shortest gap between the upcoming firings from {@code first} on, or null when it fires only once. */
  private Duration shortestInterval(CronSchedule schedule, Instant first) {
    Duration shortest = null;
    Instant previous = first;
    for (int i = 0; i < INTERVAL_SAMPLES; i++) {
      Instant next = schedule.nextAfter(previous, clock.getZone()).orElse(null);
      if (next == null) {
        break;
      }
      Duration gap = Duration.between(previous, next);
      shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
      if (shortest.compareTo(minInterval) < 0) {
        break;
      }
      previous = next;
    }
    return shortest;
  }

  /** Arms every enabled task; one whose time passed while the server was down fires once, now. */
  private void armAll() {
    List<ScheduledTask> all;
    try {
      all = store.all();
    } catch (RuntimeException e) {
      LOG.warn("Cannot read the scheduled tasks ({}); trying again in {} s", e.getMessage(), RETRY.toSeconds());
      schedule(this::armAll, RETRY);
      return;
    }
    int count = 0;
    for (ScheduledTask task : all) {
      if (task.enabled()) {
        try {
          count += armStored(task.id()) ? 1 : 0;
        } catch (RuntimeException e) {
          LOG.warn("Cannot arm scheduled task {} of agent '{}': {}", task.id(), task.agentId(), e.toString());
        }
      }
    }
    LOG.info("{} scheduled task(s) armed", count);
  }

  private boolean armStored(String taskId) {
    synchronized (lock) {
      // Read again under the lock: it may have been cancelled (or armed by add) since the list was read.
      ScheduledTask task = store.get(taskId).orElse(null);
      if (task == null || !task.enabled() || stopped) {
        return false;
      }
      CronSchedule schedule = cronOf(task.cron()).orElse(null);
      if (schedule == null) {
        LOG.warn("Scheduled task {} of agent '{}' has an invalid cron expression; it is not armed", task.id(),
            task.agentId());
        return false;
      }
      Instant now = clock.instant();
      if (task.nextRunAt() != null && !task.nextRunAt().isAfter(now)) {
        LOG.info("Scheduled task {} of agent '{}' missed its run at {}; running it once now", task.id(),
            task.agentId(), task.nextRunAt());
        arm(task.id(), task.nextRunAt()); // in the past: fires at once, and the next time is counted from now
        return true;
      }
      Instant next = schedule.nextAfter(now, clock.getZone()).orElse(null);
      if (!Objects.equals(next, task.nextRunAt())) {
        store.save(withTimes(task, task.lastRunAt(), next)); // the zone or the rules changed since it was stored
      }
      if (next == null) {
        return false;
      }
      arm(task.id(), next);
      return true;
    }
  }

  /** Runs on the timer thread when {@code due} has come (or {@link #MAX_SLEEP} has passed). */
  private void fire(String taskId, Instant due) {
    if (stopped) {
      return;
    }
    Instant now = clock.instant();
    ScheduledTask run;
    synchronized (lock) {
      if (now.isBefore(due)) {
        arm(taskId, due); // a long wait in steps, or the clock went back
        return;
      }
      ScheduledTask task;
      try {
        task = store.get(taskId).orElse(null);
      } catch (RuntimeException e) {
        LOG.warn("Cannot read scheduled task {} ({}); trying again in {} s", taskId, e.getMessage(),
            RETRY.toSeconds());
        arm(taskId, now.plus(RETRY));
        return;
      }
      if (task == null || !task.enabled()) {
        disarm(taskId);
        return;
      }
      CronSchedule schedule = cronOf(task.cron()).orElse(null);
      if (schedule == null) {
        disarm(taskId);
        return;
      }
      // From the slot that fired, or from now when it fired late: missed slots are not made up one by one.
      Instant next = schedule.nextAfter(now.isAfter(due) ? now : due, clock.getZone()).orElse(null);
      // An agent that is gone (a bundle's agent goes with its bundle, and may come back) gets no run but keeps its
      // task.
      boolean absent = agents.get(task.agentId()).isEmpty();
      boolean busy = absent || !running.add(taskId);
      ScheduledTask updated = busy
          ? withTimes(task, task.lastRunAt(), next)
          : withTimes(task, now.truncatedTo(ChronoUnit.MILLIS), next);
      try {
        store.save(updated);
      } catch (RuntimeException e) {
        LOG.warn("Cannot record the run of scheduled task {} ({})", taskId, e.getMessage());
      }
      if (next == null) {
        disarm(taskId);
      } else {
        arm(taskId, next);
      }
      if (absent) {
        LOG.warn("Scheduled task {}: agent '{}' does not exist; skipping the run due at {}", taskId, task.agentId(),
            due);
        return;
      }
      if (busy) {
        LOG.info("Scheduled task {} of agent '{}' is still running its previous run; skipping the run due at {}",
            taskId, task.agentId(), due);
        return;
      }
      run = task;
    }
    try {
      runs.execute(() -> run(run));
    } catch (RejectedExecutionException e) {
      running.remove(taskId); // stopping
    }
  }

  /** One run, on a run thread: the prompt as a bus request to the agent, answered by a turn of its own. */
  private void run(ScheduledTask task) {
    try {
      AgentMessage request = AgentMessage.draft(AgentMessage.REQUEST, SENDER, task.agentId(),
          THREAD_PREFIX + task.id(), null, null, task.prompt());
      AgentMessage answer = bus.request(request, runTimeout);
      if (answer != null && AgentMessage.ERROR.equals(answer.kind())) {
        LOG.warn("Scheduled task {} of agent '{}' failed: {}", task.id(), task.agentId(), abbreviate(answer.body()));
      } else {
        LOG.debug("Scheduled task {} of agent '{}' ran", task.id(), task.agentId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.debug("Scheduled task {} interrupted (stopping)", task.id());
    } catch (OtterbotException e) {
      // Messages of OtterbotException never carry secrets.
      LOG.warn("Scheduled task {} of agent '{}' failed: {}", task.id(), task.agentId(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("Scheduled task {} of agent '{}' failed: {}", task.id(), task.agentId(), e.getClass().getName());
      LOG.debug("Scheduled task {} failure", task.id(), e);
    } finally {
      running.remove(task.id());
    }
  }

  /** Under {@link #lock}. Replaces the task's timer by one for {@code due}. */
  private void arm(String taskId, Instant due) {
    Duration wait = Duration.between(clock.instant(), due);
    if (wait.isNegative()) {
      wait = Duration.ZERO;
    } else if (wait.compareTo(MAX_SLEEP) > 0) {
      wait = MAX_SLEEP;
    }
    ScheduledFuture<?> previous = armed.put(taskId, schedule(() -> fire(taskId, due), wait));
    if (previous != null) {
      previous.cancel(false);
    }
  }

  /** Under {@link #lock}. */
  private void disarm(String taskId) {
    ScheduledFuture<?> previous = armed.remove(taskId);
    if (previous != null) {
      previous.cancel(false);
    }
  }

  private ScheduledFuture<?> schedule(Runnable work, Duration wait) {
    Runnable guarded = () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        LOG.warn("Scheduler failure", e);
      }
    };
    try {
      return timers.schedule(guarded, wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // stopping
    }
  }

  /** Parsed at every use: quick enough even every second, and nothing to keep in step with the store. */
  private static Optional<CronSchedule> cronOf(String cron) {
    return CronSchedule.parse(cron);
  }

  private static ScheduledTask withTimes(ScheduledTask t, Instant lastRunAt, Instant nextRunAt) {
    return new ScheduledTask(t.id(), t.agentId(), t.cron(), t.prompt(), t.enabled(), lastRunAt, nextRunAt);
  }

  /** A random, URL-safe id (128 bits). */
  static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "";
    }
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + n.incrementAndGet());
      t.setDaemon(true);
      t.setContextClassLoader(null); // no thread may pin our class loader
      return t;
    };
  }
}
