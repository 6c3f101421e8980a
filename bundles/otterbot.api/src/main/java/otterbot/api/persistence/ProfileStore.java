package otterbot.api.persistence;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Agents' learned user profiles as JSON documents, and what was learned from which conversation (so that learning is
 * idempotent per conversation, across restarts). Every write is committed before it returns.
 */
@ProviderType
public interface ProfileStore {
  Optional<String> profile(String agentId);

  void putProfile(String agentId, String json);

  /** What was learned from the conversation so far, or empty when nothing was. */
  Optional<ConversationLearning> learning(String conversationId);

  /** Inserts or replaces the conversation's record. */
  void putLearning(ConversationLearning learning);

  /** Deletes the agent's profile and learning records; returns how many rows went. */
  int deleteAll(String agentId);
}
