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
 * Every agent's live status, derived from its running turns: {@code working} while any turn runs a tool,
 * {@code thinking} while any turn runs, else {@code idle}. Turns of one agent may overlap (as upstream, chats are not
 * serialised), so the status is computed from counts rather than set by each turn. Listeners hear changes only.
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

  /** A turn ended; {@code wasWorking} when it had called {@link #turnWorking}. */
  public void turnEnded(String agentId, boolean wasWorking) {
    change(agentId, -1, wasWorking ? -1 : 0);
  }

  private void change(String agentId, int active, int working) {
    String before;
    String after;
    synchronized (this) {
      Counts c = counts.getOrDefault(agentId, new Counts(0, 0));
      before = c.status();
      Counts next = new Counts(c.active() + active, c.working() + working);
      if (next.active() <= 0) {
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

  private record Counts(int active, int working) {
    String status() {
      if (active <= 0) {
        return AgentStatus.IDLE;
      }
      return working > 0 ? AgentStatus.WORKING : AgentStatus.THINKING;
    }
  }
}
