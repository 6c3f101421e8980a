package otterbot.api.chat;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs chat turns: persists the user message, streams the model's reply through the agent's provider with its tools
 * (at most 8 steps), persists the reply, and reports status changes to every {@link AgentStatusListener}.
 */
@ProviderType
public interface ChatService {
  /**
   * The conversation id used when a client joins without one: {@code conv-<random UUID>}. Random, so that clients
   * joining at the same moment never share a conversation and an id cannot be guessed from the agent and the time.
   *
   * @param agentId the agent (not part of the id; kept for compatibility)
   */
  static String newConversationId(String agentId) {
    return "conv-" + java.util.UUID.randomUUID();
  }

  /**
   * Joins an agent's conversation. A known conversation of the same agent is resumed; a missing, malformed or
   * foreign id gets a new conversation. Does not check that the agent exists (as upstream); {@link #send} does.
   */
  Conversation join(String agentId, String conversationId);

  /**
   * Starts a turn and returns at once. Every outcome reaches the listener: an unknown agent, a missing text or a
   * provider failure as an {@code error} chunk, always followed by {@link ChatListener#done()}.
   */
  ChatTurn send(String agentId, String conversationId, String text, ChatListener listener);

  /**
   * Ends a conversation: tells every {@link ConversationListener} in the background (which is where learning starts)
   * and returns at once. Unknown agents and conversations are ignored; running turns are not cancelled.
   *
   * @param reason one of the {@link ConversationListener} reasons
   * @since 1.1
   */
  void close(String agentId, String conversationId, String reason);
}
