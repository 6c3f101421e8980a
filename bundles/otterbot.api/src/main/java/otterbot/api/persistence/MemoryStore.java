package otterbot.api.persistence;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Agents' memories. Every write is committed before it returns. */
@ProviderType
public interface MemoryStore {
  /** Inserts a new memory; when {@code evict} is not empty those ids of the same agent are deleted in the same transaction. */
  void insert(StoredMemory memory, Collection<String> evict);

  /** Replaces the stored fields of an existing memory (by id); false when it is gone. */
  boolean update(StoredMemory memory);

  Optional<StoredMemory> get(String id);

  /** The memories with these ids that exist, in no particular order. */
  List<StoredMemory> get(Collection<String> ids);

  /**
   * Newest first by update time, then by id.
   *
   * @param agentId one agent, or null for all
   */
  List<StoredMemory> newest(String agentId, int limit);

  /** Every memory ordered by id, {@code size} at most, after {@code afterId} (null for the start): to rebuild an index. */
  List<StoredMemory> page(String afterId, int size);

  /** How many memories the agent has (superseded ones included). */
  long count(String agentId);

  /** How many memories there are in all. */
  long count();

  /**
   * The agent's least valuable memories, {@code limit} at most: superseded ones first (oldest first), then by
   * importance, then by use count, then by last use (or update) time, oldest first.
   */
  List<String> leastValuable(String agentId, int limit);

  /** Marks {@code oldId} as superseded by {@code newId}; false when it is not the agent's. */
  boolean supersede(String agentId, String oldId, String newId, Instant at);

  /** Adds one use to each: {@code accessCount + 1}, {@code lastAccessedAt = at}. */
  void touch(Collection<String> ids, Instant at);

  /** Deletes one memory of the agent; false when there was none. */
  boolean delete(String agentId, String id);

  /** Deletes all of the agent's memories; returns how many went. */
  int deleteAll(String agentId);
}
