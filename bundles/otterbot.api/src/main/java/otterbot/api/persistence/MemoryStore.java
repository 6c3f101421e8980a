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

  /**
   * Whether the database itself finds memories by vector ({@link #nearest}), as PostgreSQL does with pgvector; then a
   * search index need not keep the vectors. False by default: the caller scores vectors in-process.
   *
   * @since 1.3
   */
  default boolean searchesVectors() {
    return false;
  }

  /**
   * The current (not superseded) memories whose embedding by {@code model} is nearest to {@code vector}, by cosine,
   * best first, {@code limit} at most. Only asked when {@link #searchesVectors()} said true.
   *
   * @param agentId one agent, or null for all
   * @param vector the query's embedding, a unit vector
   * @since 1.3
   */
  default List<Nearest> nearest(String agentId, String model, float[] vector, int limit) {
    throw new UnsupportedOperationException("this store does not search vectors");
  }

  /**
   * A memory found by {@link #nearest}: its id and the cosine similarity of its embedding to the query's.
   *
   * @since 1.3
   */
  record Nearest(String id, double cosine) {}
}
