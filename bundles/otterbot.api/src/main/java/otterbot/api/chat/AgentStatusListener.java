package otterbot.api.chat;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard: every registered listener hears each change of an agent's live status (idle, thinking, working, ...).
 * Called on the thread that changed the status; return quickly.
 */
@ConsumerType
public interface AgentStatusListener {
  void statusChanged(String agentId, String status);
}
