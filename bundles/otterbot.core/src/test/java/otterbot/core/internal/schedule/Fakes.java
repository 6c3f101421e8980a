package otterbot.core.internal.schedule;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.ModelRef;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.MessageBus;
import otterbot.api.persistence.ScheduleStore;
import otterbot.api.schedule.ScheduledTask;
import otterbot.core.internal.MapAgents;

/** In-memory stand-ins for the scheduler's services. */
final class Fakes {
  private Fakes() {}

  /** Polls until the condition holds; fails after a generous timeout. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  static AgentProfile profile(String id, String role) {
    return MapAgents.profile(id, role, new ModelRef("builtin", "offline"));
  }


  /** Tasks in creation order, as the JPA store keeps them. */
  static final class MemoryStore implements ScheduleStore {
    private final Map<String, ScheduledTask> tasks = new LinkedHashMap<>();

    @Override
    public synchronized List<ScheduledTask> all() {
      return new ArrayList<>(tasks.values());
    }

    @Override
    public synchronized Optional<ScheduledTask> get(String id) {
      return Optional.ofNullable(tasks.get(id));
    }

    @Override
    public synchronized void save(ScheduledTask task) {
      tasks.put(task.id(), task);
    }

    ScheduledTask task(String id) {
      return get(id).orElseThrow();
    }
  }

  /** Records every request and answers it, after {@link #gate} opens when one is set. */
  static final class Bus implements MessageBus {
    final List<AgentMessage> requests = new CopyOnWriteArrayList<>();
    final List<Duration> timeouts = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate;
    volatile RuntimeException failure;

    @Override
    public AgentMessage publish(AgentMessage draft) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AgentMessage request(AgentMessage draft, Duration timeout) throws InterruptedException {
      requests.add(draft);
      timeouts.add(timeout);
      CountDownLatch g = gate;
      if (g != null) {
        g.await();
      }
      RuntimeException f = failure;
      if (f != null) {
        throw f;
      }
      return new AgentMessage("r-" + requests.size(), requests.size(), AgentMessage.RESPONSE, draft.to(),
          draft.from(), draft.threadId(), "q-" + requests.size(), null, "done", null, null, AgentMessage.LOCAL,
          Instant.now());
    }

    @Override
    public List<AgentMessage> history(int limit) {
      return List.of();
    }

    long count(String threadId) {
      return requests.stream().filter(r -> r.threadId().equals(threadId)).count();
    }
  }
}
