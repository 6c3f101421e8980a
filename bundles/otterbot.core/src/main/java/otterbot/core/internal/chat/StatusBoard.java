package otterbot.core.internal.chat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.agent.AgentStatus;
import otterbot.api.chat.AgentStatusListener;

/**
 * Every agent's live status, derived from its running turns: {@code waiting} while any turn waits for another agent
 * (a delegate), {@code working} while any turn runs a tool, {@code thinking} while any turn runs; once none runs,
 * {@code idle}, or {@code error} when the last turn to end failed (until the next turn starts). Turns of one agent may
 * overlap (as upstream, chats are not serialised), so the status is computed from counts rather than set by each
 * turn. Listeners hear changes only.
 */
@Component(service = StatusBoard.class)
public final class StatusBoard {
  private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);

  /** Replaced by DS whenever a listener comes or goes. */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  volatile List<AgentStatusListener> listeners = List.of();

  /** Guarded by {@code this}. */
  private final Map<String, Counts> counts = new HashMap<>();

  /** The agent's live status. */
  public synchronized String status(String agentId) {
    Counts c = counts.get(agentId);
    return c == null ? AgentStatus.IDLE : c.status();
  }

  /** A turn of the agent started. */
  public void turnStarted(String agentId) {
    change(agentId, 1, 0);
  }

  /** A running turn of the agent called its first tool. */
  public void turnWorking(String agentId) {
    change(agentId, 0, 1);
  }

  /** A running turn of the agent starts ({@code true}) or stops ({@code false}) waiting for another agent. */
  public void turnWaiting(String agentId, boolean waiting) {
    change(agentId, 0, 0, waiting ? 1 : -1, false);
  }

  /**
   * A turn ended; {@code wasWorking} when it had called {@link #turnWorking}, {@code failed} when it ended with an
   * error.
   */
  public void turnEnded(String agentId, boolean wasWorking, boolean failed) {
    change(agentId, -1, wasWorking ? -1 : 0, 0, failed);
  }

  private void change(String agentId, int active, int working) {
    change(agentId, active, working, 0, false);
  }

  private void change(String agentId, int active, int working, int waiting, boolean failed) {
    String before;
    String after;
    synchronized (this) {
      Counts c = counts.getOrDefault(agentId, IDLE);
      before = c.status();
      Counts next = new Counts(c.active() + active, c.working() + working, c.waiting() + waiting,
          active < 0 ? failed : c.failed() && active == 0);
      if (next.equals(IDLE)) {
        counts.remove(agentId);
      } else {
        counts.put(agentId, next);
      }
      after = next.status();
      if (!before.equals(after)) {
        // Told under the lock so that listeners see the changes in the order they happened.
        for (AgentStatusListener listener : listeners) {
          try {
            listener.statusChanged(agentId, after);
          } catch (RuntimeException e) {
            LOG.warn("An agent status listener failed: {}", e.toString());
          }
        }
      }
    }
  }

  private static final Counts IDLE = new Counts(0, 0, 0, false);

  /** @param failed whether the last turn to end failed; cleared when a turn starts */
  private record Counts(int active, int working, int waiting, boolean failed) {
    String status() {
      if (active <= 0) {
        return failed ? AgentStatus.ERROR : AgentStatus.IDLE;
      }
      if (waiting > 0) {
        return AgentStatus.WAITING;
      }
      return working > 0 ? AgentStatus.WORKING : AgentStatus.THINKING;
    }
  }
}
