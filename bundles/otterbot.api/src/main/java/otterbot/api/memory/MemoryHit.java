package otterbot.api.memory;

/**
 * A search result.
 *
 * @param score the ranking score, higher is better (relevance weighted by the memory's decayed importance)
 * @param via {@code fts} (found by its words only), {@code vector} (by meaning only) or {@code hybrid} (both)
 */
public record MemoryHit(MemoryEntry entry, double score, String via) {}
