package otterbot.memory.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.api.memory.ProfileFact;
import otterbot.api.memory.UserProfile;

/** The user profile's JSON form (as stored and as upstream returns it) and its update rules (upstream §7.5). */
final class Profiles {
  /** Items kept per bucket; beyond it the least confident, longest unconfirmed one goes. */
  static final int MAX_ITEMS = 100;
  static final int MAX_ITEM_LENGTH = 500;
  static final int MAX_NOTES_LENGTH = 4000;
  static final int NEW_CONFIDENCE = 5;
  static final int MAX_CONFIDENCE = 10;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Profiles() {}

  static String toJson(UserProfile p) {
    ObjectNode root = JSON.createObjectNode();
    if (p.name() == null) {
      root.putNull("name");
    } else {
      root.put("name", p.name());
    }
    root.set("preferences", facts(p.preferences()));
    root.set("goals", facts(p.goals()));
    root.set("facts", facts(p.facts()));
    root.put("notes", p.notes());
    root.put("updatedAt", p.updatedAt().toString());
    return root.toString();
  }

  private static ArrayNode facts(List<ProfileFact> facts) {
    ArrayNode out = JSON.createArrayNode();
    for (ProfileFact f : facts) {
      ObjectNode n = out.addObject();
      n.put("content", f.content());
      n.put("confidence", f.confidence());
      n.put("firstSeenAt", f.firstSeenAt().toString());
      n.put("lastConfirmedAt", f.lastConfirmedAt().toString());
      n.put("contradicted", f.contradicted());
    }
    return out;
  }

  /** A stored profile; a damaged one reads as empty (it is rewritten at the next update). */
  static UserProfile fromJson(String json, Instant now) {
    try {
      return fromTree(JSON.readTree(json), now, null);
    } catch (IOException | RuntimeException e) {
      return UserProfile.empty(now);
    }
  }

  /**
   * A profile from JSON written by us or by a model: items without a string content or a numeric confidence are
   * dropped, strings are cut to their limits, confidence is clamped to 1..10, unknown fields are ignored.
   *
   * @param previous the profile before (for the first-seen time of items it had), or null
   */
  static UserProfile fromTree(JsonNode root, Instant now, UserProfile previous) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String name = root.path("name").isTextual() && !root.path("name").asText().isBlank()
        ? cut(root.path("name").asText().strip(), 200) : null;
    String notes = root.path("notes").isTextual() ? cut(root.path("notes").asText(), MAX_NOTES_LENGTH) : "";
    Instant updated = instant(root.path("updatedAt"), now);
    return new UserProfile(name,
        bucket(root.path("preferences"), now, previous == null ? List.of() : previous.preferences()),
        bucket(root.path("goals"), now, previous == null ? List.of() : previous.goals()),
        bucket(root.path("facts"), now, previous == null ? List.of() : previous.facts()),
        notes, previous == null ? updated : now);
  }

  private static List<ProfileFact> bucket(JsonNode array, Instant now, List<ProfileFact> before) {
    var out = new ArrayList<ProfileFact>();
    if (!array.isArray()) {
      return out;
    }
    for (JsonNode item : array) {
      if (out.size() >= MAX_ITEMS) {
        break;
      }
      if (!item.path("content").isTextual() || item.path("content").asText().isBlank()
          || !item.path("confidence").isNumber()) {
        continue;
      }
      String content = cut(item.path("content").asText().strip(), MAX_ITEM_LENGTH);
      int confidence = Math.max(1, Math.min(MAX_CONFIDENCE, (int) Math.round(item.path("confidence").asDouble())));
      ProfileFact old = find(before, content);
      Instant first = old != null ? old.firstSeenAt() : instant(item.path("firstSeenAt"), now);
      Instant confirmed = instant(item.path("lastConfirmedAt"), now);
      if (old != null && confidence > old.confidence()) {
        confirmed = now; // the model re-confirmed it
      }
      boolean contradicted = item.path("contradicted").asBoolean(false);
      if (out.stream().noneMatch(f -> same(f.content(), content))) {
        out.add(new ProfileFact(content, confidence, first, confirmed, contradicted));
      }
    }
    return out;
  }

  /** Adds the item, or re-confirms it: confidence + 1 (at most 10), not contradicted, confirmed now. */
  static UserProfile confirm(UserProfile p, String bucket, String content, Instant now) {
    String item = cut(content.strip(), MAX_ITEM_LENGTH);
    List<ProfileFact> facts = switch (bucket) {
      case "preferences" -> p.preferences();
      case "goals" -> p.goals();
      default -> p.facts();
    };
    var next = new ArrayList<ProfileFact>(facts.size() + 1);
    boolean found = false;
    for (ProfileFact f : facts) {
      if (!found && same(f.content(), item)) {
        next.add(new ProfileFact(f.content(), Math.min(MAX_CONFIDENCE, f.confidence() + 1), f.firstSeenAt(), now,
            false));
        found = true;
      } else {
        next.add(f);
      }
    }
    if (!found) {
      next.add(new ProfileFact(item, NEW_CONFIDENCE, now, now, false));
      if (next.size() > MAX_ITEMS) {
        next.remove(next.stream().min(Comparator.comparingInt(ProfileFact::confidence)
            .thenComparing(ProfileFact::lastConfirmedAt)).orElseThrow());
      }
    }
    return switch (bucket) {
      case "preferences" -> new UserProfile(p.name(), next, p.goals(), p.facts(), p.notes(), now);
      case "goals" -> new UserProfile(p.name(), p.preferences(), next, p.facts(), p.notes(), now);
      default -> new UserProfile(p.name(), p.preferences(), p.goals(), next, p.notes(), now);
    };
  }

  /**
   * The prompt block (upstream §7.3): a heading, the name, up to 8 items per bucket that are not contradicted, most
   * confident first, and the notes. Null for an empty profile.
   */
  static String promptBlock(UserProfile p) {
    if (p.isEmpty()) {
      return null;
    }
    var out = new StringBuilder("## What I know about the user\n");
    if (p.name() != null) {
      out.append("Name: ").append(p.name()).append('\n');
    }
    appendBucket(out, "Preferences", p.preferences());
    appendBucket(out, "Goals", p.goals());
    appendBucket(out, "Facts", p.facts());
    if (!p.notes().isBlank()) {
      out.append("Notes: ").append(p.notes().strip()).append('\n');
    }
    return out.toString();
  }

  private static void appendBucket(StringBuilder out, String title, List<ProfileFact> facts) {
    List<ProfileFact> shown = facts.stream().filter(f -> !f.contradicted())
        .sorted(Comparator.comparingInt(ProfileFact::confidence).reversed()).limit(8).toList();
    if (!shown.isEmpty()) {
      out.append(title).append(":\n");
      shown.forEach(f -> out.append("- ").append(f.content()).append('\n'));
    }
  }

  private static ProfileFact find(List<ProfileFact> facts, String content) {
    return facts.stream().filter(f -> same(f.content(), content)).findFirst().orElse(null);
  }

  static boolean same(String a, String b) {
    return normal(a).equals(normal(b));
  }

  static String normal(String s) {
    return s.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s.!]+$", "").replaceAll("\\s+", " ");
  }

  private static Instant instant(JsonNode node, Instant fallback) {
    if (node.isTextual()) {
      try {
        return Instant.parse(node.asText());
      } catch (RuntimeException e) {
        return fallback;
      }
    }
    return fallback;
  }

  static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
