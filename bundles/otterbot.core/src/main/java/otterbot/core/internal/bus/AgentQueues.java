package otterbot.core.internal.bus;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue per agent on a shared pool: the requests addressed to an agent run one after the other, in arrival
 * order, while different agents' requests run side by side.
 */
final class AgentQueues {
  private static final Logger LOG = LoggerFactory.getLogger(AgentQueues.class);
  private final Executor pool;
  /** Guarded by {@code this}: the waiting tasks of each agent that has one running. */
  private final Map<String, ArrayDeque<Runnable>> queues = new HashMap<>();

  AgentQueues(Executor pool) {
    this.pool = pool;
  }

  void submit(String agentId, Runnable task) {
    synchronized (this) {
      ArrayDeque<Runnable> queue = queues.get(agentId);
      if (queue != null) {
        queue.add(task); // the agent is busy: run after the current one
        return;
      }
      queues.put(agentId, new ArrayDeque<>());
    }
    pool.execute(() -> drain(agentId, task));
  }

  private void drain(String agentId, Runnable first) {
    Runnable task = first;
    while (task != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        // One failed request must not strand the ones queued behind it.
        LOG.error("A request to agent '{}' failed: {}", agentId, e.toString());
      }
      synchronized (this) {
        task = queues.get(agentId).poll();
        if (task == null) {
          queues.remove(agentId);
        }
      }
    }
  }
}
