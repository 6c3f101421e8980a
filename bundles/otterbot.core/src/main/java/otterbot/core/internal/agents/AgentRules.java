package otterbot.core.internal.agents;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.core.internal.ModelRefs;

/**
 * The rules for agent profiles: id derivation, validation and normalisation (upstream-behaviour §3.3, §4.3).
 * Upstream validates only {@code displayName}; we check every field at the edge so bad input gets a 400 naming the
 * field instead of being stored and failing later.
 */
final class AgentRules {
  static final int MAX_DISPLAY_NAME = 100;
  static final int MAX_PERSONA = 100_000;
  static final int MAX_ALLOWED_MODELS = 50;
  static final int MAX_SUBAGENT_LIMIT = 100;
  static final int MAX_SLUG = 40;

  static final Set<String> CHAT_SERVICES = Set.of("web", "discord", "slack");
  static final Set<String> TRANSPORTS = Set.of("local", "discord");

  /** Agent ids: slugs, plus {@code __} inside subagent ids ({@code <parent>__sub__<n>}). */
  static final Pattern ID = otterbot.core.internal.AgentIds.ID;
  private static final Pattern MODEL_PACK = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern NON_SLUG = Pattern.compile("[^a-z0-9]+");

  private AgentRules() {}

  /** Whether a path segment can name an agent at all; anything else is simply not found. */
  static boolean isValidId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /**
   * Upstream's slug: lower case, runs of other characters become {@code -}, trimmed of {@code -}, cut to 40
   * characters ({@code "agent"} if nothing is left), then {@code -2}, {@code -3}, ... until the id is free. Unlike
   * upstream we trim again after cutting, so an id never ends with {@code -}.
   */
  static String slug(String displayName, Predicate<String> taken) {
    String base = NON_SLUG.matcher(displayName.toLowerCase(Locale.ROOT)).replaceAll("-");
    base = trimDashes(base);
    if (base.length() > MAX_SLUG) {
      base = trimDashes(base.substring(0, MAX_SLUG));
    }
    if (base.isEmpty()) {
      base = "agent";
    }
    String id = base;
    for (int n = 2; taken.test(id); n++) {
      id = base + "-" + n;
    }
    return id;
  }

  private static String trimDashes(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '-') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Builds the profile of a new agent.
   *
   * @param defaults the global default chat and embedding models
   * @param exists whether an agent id is known, for {@code parentId}
   */
  static AgentProfile create(String id, AgentInput in, AgentModels defaults, Predicate<String> exists, Instant now) {
    String displayName = requireDisplayName(in.displayName());
    String role = role(in.role(), AgentProfile.ROLE_AGENT);
    AgentModels model = models(in.model(), defaults);
    List<ModelRef> allowed = allowedModels(in.allowedModels(), model, true);
    return new AgentProfile(
        id,
        displayName,
        role,
        persona(in.persona(), ""),
        model,
        allowed,
        chatServices(in.allowedChatServices(), List.of("web")),
        transport(in.transport(), "local"),
        email(in.email(), null),
        artwork(in.artwork(), new Artwork(Artwork.DEFAULT_MODEL_PACK)),
        in.canSpawnSubagents() != null ? in.canSpawnSubagents() : !AgentProfile.ROLE_SUBAGENT.equals(role),
        subagentLimit(in.subagentLimit(), 5),
        parentId(in.parentId(), null, id, exists),
        now.truncatedTo(ChronoUnit.MILLIS),
        in.autoLearn() == null || in.autoLearn());
  }

  /**
   * Applies a patch: given fields replace stored ones (nested objects whole, as upstream's shallow merge), then the
   * result is normalised. {@code id} and {@code createdAt} never change.
   */
  static AgentProfile update(AgentProfile current, AgentInput patch, Predicate<String> exists) {
    boolean isCoo = AgentProfile.ROLE_COO.equals(current.role());
    String role = current.role();
    if (patch.role() != null && !patch.role().equals(current.role())) {
      if (isCoo) {
        throw OtterbotException.invalid("the COO's role cannot be changed");
      }
      role = role(patch.role(), current.role());
    }
    AgentModels model = patch.model() != null ? models(patch.model(), current.model()) : current.model();
    List<ModelRef> allowed = patch.allowedModels() != null
        ? allowedModels(patch.allowedModels(), model, false)
        : current.allowedModels();
    return new AgentProfile(
        current.id(),
        patch.displayName() != null ? requireDisplayName(patch.displayName()) : current.displayName(),
        role,
        persona(patch.persona(), current.persona()),
        model,
        allowed.isEmpty() ? List.of(new ModelRef(model.chat().provider(), ModelRef.ANY_MODEL)) : allowed,
        chatServices(patch.allowedChatServices(), current.allowedChatServices()),
        transport(patch.transport(), current.transport()),
        email(patch.email(), current.email()),
        artwork(patch.artwork(), current.artwork()),
        patch.canSpawnSubagents() != null ? patch.canSpawnSubagents() : current.canSpawnSubagents(),
        subagentLimit(patch.subagentLimit(), current.subagentLimit()),
        isCoo ? null : parentId(patch.parentId(), current.parentId(), current.id(), exists),
        current.createdAt(),
        patch.autoLearn() != null ? patch.autoLearn() : current.autoLearn());
  }

  /**
   * Normalises a profile contributed by a bundle: missing parts get the usual defaults, invalid ones are reported
   * so the contribution can be refused with a log line naming the bundle.
   */
  static AgentProfile contributed(AgentProfile p, AgentModels defaults, Instant now) {
    if (p == null || !isValidId(p.id())) {
      throw OtterbotException.invalid("agent id '" + (p == null ? null : p.id()) + "' is not a valid slug");
    }
    if (AgentProfile.COO_ID.equals(p.id()) || AgentProfile.ROLE_COO.equals(p.role())) {
      throw OtterbotException.invalid("a bundle cannot contribute the COO");
    }
    AgentInput in = new AgentInput(p.id(), p.displayName() == null ? p.id() : p.displayName(), p.role(), p.persona(),
        p.model(), p.allowedModels(), p.allowedChatServices(), p.transport(), p.email(), p.artwork(),
        p.canSpawnSubagents(), p.subagentLimit(), p.parentId(), p.createdAt(), p.autoLearn());
    AgentProfile created = create(p.id(), in, defaults, id -> false, p.createdAt() != null ? p.createdAt() : now);
    return created;
  }

  /** The COO as seeded on first start (upstream-behaviour §6.6). */
  static AgentProfile coo(AgentModels defaults, Instant now) {
    ModelRef chat = defaults.chat();
    return new AgentProfile(
        AgentProfile.COO_ID,
        "Otterbot COO",
        AgentProfile.ROLE_COO,
        COO_PERSONA,
        new AgentModels(chat, chat),
        List.of(new ModelRef(chat.provider(), ModelRef.ANY_MODEL)),
        List.of("web"),
        "local",
        null,
        new Artwork(Artwork.DEFAULT_MODEL_PACK),
        true,
        5,
        null,
        now.truncatedTo(ChronoUnit.MILLIS));
  }

  static final String COO_PERSONA = """
      You are the COO of this OtterBot workspace: the coordinating agent the user talks to first.
      Answer directly when you can. When a specialised agent is better suited, delegate the work to it and report \
      back what it found. Remember what matters across sessions.

      Principles:
      - Be direct and concrete; say what you did and what you did not do.
      - Acknowledge what you learn about the user and their work.
      - Delegate instead of guessing when another agent knows better.
      """;

  private static String requireDisplayName(String value) {
    if (value == null || value.isBlank()) {
      throw OtterbotException.invalid("displayName is required");
    }
    String name = value.strip();
    if (name.length() > MAX_DISPLAY_NAME) {
      throw OtterbotException.invalid("displayName is longer than " + MAX_DISPLAY_NAME + " characters");
    }
    if (hasControlCharacters(name)) {
      throw OtterbotException.invalid("displayName must not contain control characters");
    }
    return name;
  }

  private static String role(String value, String fallback) {
    if (value == null) {
      return fallback;
    }
    return switch (value) {
      case AgentProfile.ROLE_AGENT, AgentProfile.ROLE_SUBAGENT -> value;
      case AgentProfile.ROLE_COO -> throw OtterbotException.invalid("role 'coo' is reserved for the built-in COO");
      default -> throw OtterbotException.invalid("role must be 'agent' or 'subagent'");
    };
  }

  private static String persona(String value, String fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.length() > MAX_PERSONA) {
      throw OtterbotException.invalid("persona is longer than " + MAX_PERSONA + " characters");
    }
    return value;
  }

  private static AgentModels models(AgentModels value, AgentModels fallback) {
    if (value == null) {
      return fallback;
    }
    ModelRef chat = value.chat() != null ? ModelRefs.valid(value.chat(), "model.chat", false) : fallback.chat();
    // Upstream: a missing embedding model becomes the chat model.
    ModelRef embedding = value.embedding() != null ? ModelRefs.valid(value.embedding(), "model.embedding", false) : chat;
    return new AgentModels(chat, embedding);
  }

  private static List<ModelRef> allowedModels(List<ModelRef> value, AgentModels model, boolean onCreate) {
    if (value != null && value.size() > MAX_ALLOWED_MODELS) {
      throw OtterbotException.invalid("allowedModels has more than " + MAX_ALLOWED_MODELS + " entries");
    }
    if (value == null || value.isEmpty()) {
      // Upstream: create allows every model of the chat and embedding providers; normalisation of a stored profile
      // allows the chat provider only.
      var result = new ArrayList<ModelRef>();
      result.add(new ModelRef(model.chat().provider(), ModelRef.ANY_MODEL));
      if (onCreate && !model.embedding().provider().equals(model.chat().provider())) {
        result.add(new ModelRef(model.embedding().provider(), ModelRef.ANY_MODEL));
      }
      return result;
    }
    var result = new ArrayList<ModelRef>();
    for (int i = 0; i < value.size(); i++) {
      result.add(ModelRefs.valid(value.get(i), "allowedModels[" + i + "]", true));
    }
    return result;
  }

  private static List<String> chatServices(List<String> value, List<String> fallback) {
    if (value == null) {
      return fallback;
    }
    for (String s : value) {
      if (!CHAT_SERVICES.contains(s)) {
        throw OtterbotException.invalid("allowedChatServices may contain only " + String.join(", ", sorted(CHAT_SERVICES)));
      }
    }
    return List.copyOf(new java.util.LinkedHashSet<>(value));
  }

  private static String transport(String value, String fallback) {
    if (value == null) {
      return fallback;
    }
    if (!TRANSPORTS.contains(value)) {
      throw OtterbotException.invalid("transport must be one of " + String.join(", ", sorted(TRANSPORTS)));
    }
    return value;
  }

  private static String email(String value, String fallback) {
    if (value == null) {
      return fallback;
    }
    String email = value.strip();
    if (email.isEmpty()) {
      return null;
    }
    if (email.length() > 254 || email.indexOf('@') < 1 || hasControlCharacters(email) || email.contains(" ")) {
      throw OtterbotException.invalid("email is not a valid address");
    }
    return email;
  }

  private static Artwork artwork(Artwork value, Artwork fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.modelPack() == null) {
      return new Artwork(Artwork.DEFAULT_MODEL_PACK);
    }
    if (!MODEL_PACK.matcher(value.modelPack()).matches()) {
      throw OtterbotException.invalid("artwork.modelPack must be a model pack id (letters, digits, '.', '_', '-')");
    }
    return value;
  }

  private static int subagentLimit(Integer value, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value < 0 || value > MAX_SUBAGENT_LIMIT) {
      throw OtterbotException.invalid("subagentLimit must be between 0 and " + MAX_SUBAGENT_LIMIT);
    }
    return value;
  }

  private static String parentId(String value, String fallback, String selfId, Predicate<String> exists) {
    if (value == null) {
      return fallback;
    }
    if (value.isEmpty()) {
      return null;
    }
    if (value.equals(selfId)) {
      throw OtterbotException.invalid("an agent cannot be its own parent");
    }
    if (!isValidId(value) || !exists.test(value)) {
      throw OtterbotException.invalid("parentId '" + value + "' is not a known agent");
    }
    return value;
  }

  static boolean hasControlCharacters(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
