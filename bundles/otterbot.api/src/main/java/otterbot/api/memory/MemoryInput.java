package otterbot.api.memory;

import java.util.List;

/**
 * A memory to save. Null fields take the defaults of the caller's surface ({@code POST /api/agents/:id/memories}:
 * fact, 7, user; {@code save_memory}: fact, 6, agent).
 *
 * @param supersedes the id of a memory of the same agent that this one contradicts and replaces, or null
 */
public record MemoryInput(
    String content,
    String category,
    Integer importance,
    String source,
    List<String> entityRefs,
    String temporalMarker,
    String supersedes) {

  public MemoryInput {
    entityRefs = entityRefs == null ? List.of() : List.copyOf(entityRefs);
  }

  public static MemoryInput of(String content, String category, Integer importance, String source) {
    return new MemoryInput(content, category, importance, source, List.of(), null, null);
  }
}
