package otterbot.api.memory;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** What an agent has learned about its user (upstream-behaviour §3.5 UserProfile, §7.5). */
public record UserProfile(String name, List<ProfileFact> preferences, List<ProfileFact> goals,
    List<ProfileFact> facts, String notes, Instant updatedAt) {

  /** The buckets of {@code update_user_profile}. */
  public static final Set<String> BUCKETS = Set.of("preferences", "goals", "facts");

  public UserProfile {
    preferences = preferences == null ? List.of() : List.copyOf(preferences);
    goals = goals == null ? List.of() : List.copyOf(goals);
    facts = facts == null ? List.of() : List.copyOf(facts);
    notes = notes == null ? "" : notes;
  }

  public static UserProfile empty(Instant now) {
    return new UserProfile(null, List.of(), List.of(), List.of(), "", now);
  }

  public boolean isEmpty() {
    return name == null && preferences.isEmpty() && goals.isEmpty() && facts.isEmpty() && notes.isBlank();
  }
}
