package otterbot.api.persistence;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Conversations and their messages. */
@ProviderType
public interface ConversationStore {
  /** The id of the agent that owns the conversation, or empty when there is no such conversation. */
  Optional<String> owner(String conversationId);

  /**
   * Appends a message, creating the conversation (owned by {@code agentId}) when it is missing, and bumps the
   * conversation's update time. Committed before it returns.
   */
  void append(String agentId, StoredMessage message);

  /** The conversation's messages in the order they were appended. */
  List<StoredMessage> messages(String conversationId);

  /** Deletes every conversation of the agent with its messages; returns how many conversations went. */
  int deleteAll(String agentId);
}
