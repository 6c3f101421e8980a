package otterbot.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: told when a stored agent is deleted through the registry (not when a bundle's agent goes away with its
 * bundle, nor at shutdown), so that what belongs to the agent (scheduled tasks, subagents) can go with it. Called
 * after the deletion is committed, on the deleting thread.
 */
@ConsumerType
public interface AgentLifecycleListener {
  void deleted(AgentProfile agent);
}
