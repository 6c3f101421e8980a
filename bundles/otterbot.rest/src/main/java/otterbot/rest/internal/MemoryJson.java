package otterbot.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryService;
import otterbot.api.memory.ProfileFact;
import otterbot.api.memory.UserProfile;

/**
 * What the memory routes send (upstream-behaviour §3.5 MemoryEntry and UserProfile) and the query parameters they
 * share. The wire shapes are our own records, not the API's, so that the field order and what is left out are fixed
 * here: the API's values may grow fields that a client should not see by accident.
 */
final class MemoryJson {
  static final String UNAVAILABLE = "the memory service is not available yet";
  static final int DEFAULT_LIMIT = 100;
  static final String BAD_LIMIT = "limit must be a whole number from 1 to " + MemoryService.MAX_LIST_LIMIT;
  static final int MAX_QUERY_LENGTH = 1000;
  static final String BAD_QUERY = "q must be 1 to " + MAX_QUERY_LENGTH + " characters";
  static final String BAD_AGENT_ID = "agentId must not be empty";

  /** ASCII digits only: no sign, no decimal point, no exponent, no other scripts' digits. */
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]+");

  private MemoryJson() {}

  /**
   * One memory in upstream's field order. {@code lastAccessedAt} and {@code temporalMarker} are sent as null when unset
   * (upstream types them {@code | null}); {@code supersededBy} only once the memory was replaced, {@code agentId} only
   * on the cross-agent listing, {@code score} and {@code via} only on search results.
   */
  @JsonPropertyOrder({"id", "category", "content", "source", "importance", "accessCount", "lastAccessedAt",
      "entityRefs", "temporalMarker", "createdAt", "updatedAt", "supersededBy", "agentId", "score", "via"})
  record Memory(String id, String category, String content, String source, int importance, int accessCount,
      Instant lastAccessedAt, List<String> entityRefs, String temporalMarker, Instant createdAt, Instant updatedAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String supersededBy,
      @JsonInclude(JsonInclude.Include.NON_NULL) String agentId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Double score,
      @JsonInclude(JsonInclude.Include.NON_NULL) String via) {

    /** As the per-agent routes send it: the agent is in the path. */
    static Memory of(MemoryEntry e) {
      return new Memory(e.id(), e.category(), e.content(), e.source(), e.importance(), e.accessCount(),
          e.lastAccessedAt(), e.entityRefs(), e.temporalMarker(), e.createdAt(), e.updatedAt(), e.supersededBy(), null,
          null, null);
    }

    /** As {@code GET /api/memories} lists it, naming its agent. */
    static Memory withAgent(MemoryEntry e) {
      return new Memory(e.id(), e.category(), e.content(), e.source(), e.importance(), e.accessCount(),
          e.lastAccessedAt(), e.entityRefs(), e.temporalMarker(), e.createdAt(), e.updatedAt(), e.supersededBy(),
          e.agentId(), null, null);
    }

    /** A search result: its agent, how well it matched and how it was found. */
    static Memory of(MemoryHit hit) {
      MemoryEntry e = hit.entry();
      return new Memory(e.id(), e.category(), e.content(), e.source(), e.importance(), e.accessCount(),
          e.lastAccessedAt(), e.entityRefs(), e.temporalMarker(), e.createdAt(), e.updatedAt(), e.supersededBy(),
          e.agentId(), hit.score(), hit.via());
    }
  }

  /** §3.5 UserProfile; {@code name} is null while unknown. */
  record Profile(String name, List<Fact> preferences, List<Fact> goals, List<Fact> facts, String notes,
      Instant updatedAt) {

    static Profile of(UserProfile p) {
      return new Profile(p.name(), facts(p.preferences()), facts(p.goals()), facts(p.facts()), p.notes(),
          p.updatedAt());
    }

    private static List<Fact> facts(List<ProfileFact> facts) {
      return facts.stream().map(Fact::of).toList();
    }
  }

  /** §3.5 Fact. */
  record Fact(String content, int confidence, Instant firstSeenAt, Instant lastConfirmedAt, boolean contradicted) {
    static Fact of(ProfileFact f) {
      return new Fact(f.content(), f.confidence(), f.firstSeenAt(), f.lastConfirmedAt(), f.contradicted());
    }
  }

  /**
   * {@code ?limit=}: absent means {@link #DEFAULT_LIMIT}; anything but a whole number from 1 to
   * {@link MemoryService#MAX_LIST_LIMIT} is a 400. Taken as text so that a bad one is our 400, not Jersey's 404 for an
   * unconvertible parameter. Unlike the bus history, a bigger number is refused rather than capped: this route is
   * new, and a client asking for more than it can get should learn the bound.
   */
  static int limit(String text) {
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    if (!WHOLE_NUMBER.matcher(text).matches()) {
      throw OtterbotException.invalid(BAD_LIMIT);
    }
    String digits = text.replaceFirst("^0+(?=.)", "");
    if (digits.length() > 4) {
      throw OtterbotException.invalid(BAD_LIMIT);
    }
    int limit = Integer.parseInt(digits);
    if (limit < 1 || limit > MemoryService.MAX_LIST_LIMIT) {
      throw OtterbotException.invalid(BAD_LIMIT);
    }
    return limit;
  }

  /** {@code ?q=}, or null when absent; blank or longer than {@link #MAX_QUERY_LENGTH} is a 400. */
  static String query(String q) {
    if (q == null) {
      return null;
    }
    if (q.isBlank() || q.length() > MAX_QUERY_LENGTH) {
      throw OtterbotException.invalid(BAD_QUERY);
    }
    return q;
  }

  /** {@code ?agentId=}, or null when absent; empty is a 400, an id that is not an agent's a 404. */
  static String agentFilter(String agentId, AgentRegistry agents) {
    if (agentId == null) {
      return null;
    }
    if (agentId.isBlank()) {
      throw OtterbotException.invalid(BAD_AGENT_ID);
    }
    requireAgent(agentId, agents);
    return agentId;
  }

  /** 404 in upstream's words for an agent that does not exist. */
  static void requireAgent(String agentId, AgentRegistry agents) {
    if (agents.get(agentId).isEmpty()) {
      throw OtterbotException.notFound("not found");
    }
  }

  /** The service's own 404 (an agent deleted while the request ran) in upstream's words; anything else as it is. */
  static OtterbotException translate(OtterbotException e) {
    return e.kind() == OtterbotException.Kind.NOT_FOUND ? OtterbotException.notFound("not found") : e;
  }
}
