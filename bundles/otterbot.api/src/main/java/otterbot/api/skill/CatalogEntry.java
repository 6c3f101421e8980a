package otterbot.api.skill;

/**
 * An installable skill (upstream §8.4 CatalogSkill, plus availability).
 *
 * @param pack {@code builtin} or {@code optional} (upstream's catalog), or {@code bundle} for one a skill bundle ships
 * @param requires {@code macos}, {@code heavy} or null
 * @param subdir the catalog directory when it is not the category, or null
 * @param available whether it can be installed here
 * @param unavailableReason why not, or null
 */
public record CatalogEntry(String id, String category, String description, String pack, String requires,
    String subdir, boolean available, String unavailableReason) {}
