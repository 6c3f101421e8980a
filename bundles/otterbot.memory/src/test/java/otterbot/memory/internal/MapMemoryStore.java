package otterbot.memory.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.StoredMemory;

/** A MemoryStore in a map, with the ordering rules of the interface's javadoc: the service's tests need no database. */
final class MapMemoryStore implements MemoryStore {
  final Map<String, StoredMemory> rows = new ConcurrentSkipListMap<>();

  @Override
  public synchronized void insert(StoredMemory memory, Collection<String> evict) {
    for (String id : evict) {
      StoredMemory m = rows.get(id);
      if (m != null && m.agentId().equals(memory.agentId())) {
        rows.remove(id);
      }
    }
    rows.put(memory.id(), memory);
  }

  @Override
  public synchronized boolean update(StoredMemory memory) {
    return rows.replace(memory.id(), memory) != null;
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    return Optional.ofNullable(rows.get(id));
  }

  @Override
  public List<StoredMemory> get(Collection<String> ids) {
    return ids.stream().map(rows::get).filter(Objects::nonNull).distinct().toList();
  }

  @Override
  public List<StoredMemory> newest(String agentId, int limit) {
    return rows.values().stream().filter(m -> agentId == null || m.agentId().equals(agentId))
        .sorted(Comparator.comparing(StoredMemory::updatedAt).reversed().thenComparing(StoredMemory::id))
        .limit(limit).toList();
  }

  @Override
  public List<StoredMemory> page(String afterId, int size) {
    return rows.values().stream().filter(m -> afterId == null || m.id().compareTo(afterId) > 0).limit(size).toList();
  }

  @Override
  public long count(String agentId) {
    return rows.values().stream().filter(m -> m.agentId().equals(agentId)).count();
  }

  @Override
  public long count() {
    return rows.size();
  }

  @Override
  public List<String> leastValuable(String agentId, int limit) {
    return rows.values().stream().filter(m -> m.agentId().equals(agentId))
        .sorted(Comparator.comparing((StoredMemory m) -> m.supersededBy() == null)
            .thenComparing(m -> m.supersededBy() == null ? Instant.EPOCH : m.updatedAt())
            .thenComparingInt(StoredMemory::importance)
            .thenComparingInt(StoredMemory::accessCount)
            .thenComparing(m -> m.lastAccessedAt() != null ? m.lastAccessedAt() : m.updatedAt()))
        .limit(limit).map(StoredMemory::id).toList();
  }

  @Override
  public synchronized boolean supersede(String agentId, String oldId, String newId, Instant at) {
    StoredMemory m = rows.get(oldId);
    if (m == null || !m.agentId().equals(agentId)) {
      return false;
    }
    rows.put(oldId, new StoredMemory(m.id(), m.agentId(), m.category(), m.content(), m.source(), m.importance(),
        m.accessCount(), m.lastAccessedAt(), m.entityRefs(), m.temporalMarker(), m.createdAt(), at, newId,
        m.embeddingModel(), m.embedding()));
    return true;
  }

  @Override
  public synchronized void touch(Collection<String> ids, Instant at) {
    for (String id : ids) {
      StoredMemory m = rows.get(id);
      if (m != null) {
        rows.put(id, new StoredMemory(m.id(), m.agentId(), m.category(), m.content(), m.source(), m.importance(),
            m.accessCount() + 1, at, m.entityRefs(), m.temporalMarker(), m.createdAt(), m.updatedAt(),
            m.supersededBy(), m.embeddingModel(), m.embedding()));
      }
    }
  }

  @Override
  public synchronized boolean delete(String agentId, String id) {
    StoredMemory m = rows.get(id);
    return m != null && m.agentId().equals(agentId) && rows.remove(id) != null;
  }

  @Override
  public synchronized int deleteAll(String agentId) {
    List<String> ids = new ArrayList<>();
    rows.values().stream().filter(m -> m.agentId().equals(agentId)).forEach(m -> ids.add(m.id()));
    ids.forEach(rows::remove);
    return ids.size();
  }
}
