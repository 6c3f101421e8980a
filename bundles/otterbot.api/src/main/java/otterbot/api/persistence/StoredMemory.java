package otterbot.api.persistence;

import java.time.Instant;
import java.util.List;

/**
 * A memory row (see {@link otterbot.api.memory.MemoryEntry} for the fields' meaning) with its embedding.
 *
 * @param embeddingModel which model made {@code embedding} ({@code provider/model/dimension}), or null when the memory
 *     has no vector yet; vectors of different models are never compared
 * @param embedding the unit-length vector, or null
 */
public record StoredMemory(
    String id,
    String agentId,
    String category,
    String content,
    String source,
    int importance,
    int accessCount,
    Instant lastAccessedAt,
    List<String> entityRefs,
    String temporalMarker,
    Instant createdAt,
    Instant updatedAt,
    String supersededBy,
    String embeddingModel,
    float[] embedding) {

  public StoredMemory {
    entityRefs = entityRefs == null ? List.of() : List.copyOf(entityRefs);
  }

  /** This row with another embedding. */
  public StoredMemory withEmbedding(String model, float[] vector) {
    return new StoredMemory(id, agentId, category, content, source, importance, accessCount, lastAccessedAt,
        entityRefs, temporalMarker, createdAt, updatedAt, supersededBy, model, vector);
  }

  @Override
  public String toString() {
    return "StoredMemory[id=" + id + ", agentId=" + agentId + ", category=" + category + ", importance="
        + importance + ", embeddingModel=" + embeddingModel + "]";
  }
}
