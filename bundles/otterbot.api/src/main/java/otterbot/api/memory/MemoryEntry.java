package otterbot.api.memory;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One memory of one agent (upstream-behaviour §3.5 MemoryEntry, plus the owning agent and supersession).
 *
 * @param category one of {@link #CATEGORIES}
 * @param source one of {@link #SOURCES}: who wrote it
 * @param importance 1 to 10
 * @param accessCount how often it was injected into a prompt or returned by a search
 * @param lastAccessedAt when it was last used that way, or null
 * @param entityRefs the people, places and things it is about (may be empty)
 * @param temporalMarker {@code current}, {@code past}, {@code upcoming} or null
 * @param supersededBy the id of the memory that replaced this one because it contradicted it, or null while current.
 *     A superseded memory is kept (and listed) but never searched or injected.
 */
public record MemoryEntry(
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
    String supersededBy) {

  public static final Set<String> CATEGORIES = Set.of("preference", "fact", "instruction", "relationship", "general");
  public static final Set<String> SOURCES = Set.of("user", "agent", "system");
  public static final Set<String> TEMPORAL_MARKERS = Set.of("current", "past", "upcoming");
  public static final int MIN_IMPORTANCE = 1;
  public static final int MAX_IMPORTANCE = 10;
  /** The longest content stored, in characters. */
  public static final int MAX_CONTENT_LENGTH = 4000;

  public MemoryEntry {
    entityRefs = entityRefs == null ? List.of() : List.copyOf(entityRefs);
  }
}
