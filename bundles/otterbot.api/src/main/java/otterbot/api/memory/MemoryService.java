package otterbot.api.memory;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import otterbot.api.OtterbotException;

/**
 * Agents' memories and user profiles. Every write is committed before it returns. An id that is not an agent id is
 * refused as invalid; only {@link #save} checks that the agent exists (a memory never belongs to no agent), the
 * others answer for an unknown agent as for one with no memories.
 */
@ProviderType
public interface MemoryService {
  /** The most a listing returns. */
  int MAX_LIST_LIMIT = 1000;
  /** The most a search returns. */
  int MAX_SEARCH_LIMIT = 100;

  /**
   * Memories newest first (by update time).
   *
   * @param agentId one agent, or null for every agent
   * @param limit 1 to {@link #MAX_LIST_LIMIT}
   */
  List<MemoryEntry> list(String agentId, int limit);

  /**
   * Saves a memory. A near-duplicate of a current memory of the agent is not stored twice: the existing one is
   * re-confirmed (its update time and importance raised) and returned. When the agent is at its quota the least
   * valuable memories are evicted first.
   *
   * @throws OtterbotException {@code INVALID} naming the field for a missing content, an unknown category, source or
   *     temporal marker, an importance outside 1 to 10, or a {@code supersedes} id that is not the agent's;
   *     {@code NOT_FOUND} for an unknown agent
   */
  MemoryEntry save(String agentId, MemoryInput input);

  /** Deletes one memory; false when the agent had no such memory. */
  boolean delete(String agentId, String memoryId);

  /**
   * Hybrid search (full text and meaning), best first. Superseded memories are never returned. Every hit counts as a
   * use ({@code accessCount}, {@code lastAccessedAt}).
   *
   * @param agentId one agent, or null for every agent
   * @param limit 1 to {@link #MAX_SEARCH_LIMIT}
   */
  List<MemoryHit> search(String agentId, String query, int limit);

  /** The agent's learned user profile; an empty one when nothing was learned yet. */
  UserProfile profile(String agentId);

  /**
   * Adds an item to a bucket of the agent's user profile, or re-confirms it (confidence + 1, at most 10) when the
   * bucket has it already.
   *
   * @param bucket one of {@link UserProfile#BUCKETS}
   */
  UserProfile confirm(String agentId, String bucket, String content);
}
