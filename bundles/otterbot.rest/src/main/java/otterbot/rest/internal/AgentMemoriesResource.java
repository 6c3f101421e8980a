package otterbot.rest.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.MemoryService;
import otterbot.rest.internal.MemoryJson.Memory;

/**
 * {@code GET/POST /api/agents/:id/memories} and {@code DELETE /api/agents/:id/memories/:memId}: upstream-behaviour
 * §4.4. Unlike upstream, the POST checks its category and importance (upstream stored whatever came, which later
 * broke the prompt's ranking) and bounds the content. The path is the class's own, like the schedule resource's:
 * under the agents resource's {@code @Path("agents")} Jersey would never reach it.
 *
 * <p>The memory service comes from the memory bundle and the agent registry from the core; until both are registered
 * (or while either restarts) the routes answer 503.
 */
@Component(service = AgentMemoriesResource.class)
@JakartarsResource
@JakartarsName("otterbot.agent-memories")
@JSONRequired
@Path("agents/{id}/memories")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentMemoriesResource {
  static final String REQUIRED = "content is required";
  static final String TOO_LONG = "content must be at most " + MemoryEntry.MAX_CONTENT_LENGTH + " characters";
  static final String BAD_CATEGORY = "category must be one of " + String.join(", ", new TreeSet<>(MemoryEntry.CATEGORIES));
  static final String BAD_IMPORTANCE = "importance must be a whole number from " + MemoryEntry.MIN_IMPORTANCE + " to "
      + MemoryEntry.MAX_IMPORTANCE;
  static final String BAD_TEMPORAL = "temporalMarker must be null or one of "
      + String.join(", ", new TreeSet<>(MemoryEntry.TEMPORAL_MARKERS));
  /** Entity references name people, places and things; a few short ones, never a document. */
  static final int MAX_ENTITY_REFS = 20;
  static final int MAX_ENTITY_REF_LENGTH = 100;
  static final String BAD_ENTITY_REFS = "entityRefs must be an array of at most " + MAX_ENTITY_REFS
      + " non-empty strings of at most " + MAX_ENTITY_REF_LENGTH + " characters";
  /** Upstream's defaults for this route (the tools and the learning use their own). */
  static final String DEFAULT_CATEGORY = "fact";
  static final int DEFAULT_IMPORTANCE = 7;

  private volatile MemoryService memories;
  private volatile AgentRegistry agents;

  public AgentMemoriesResource() {
    // for DS; the services arrive through the setters
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setMemories(MemoryService memories) {
    this.memories = memories;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetMemories(MemoryService gone) {
    if (memories == gone) {
      memories = null;
    }
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setAgents(AgentRegistry agents) {
    this.agents = agents;
  }

  synchronized void unsetAgents(AgentRegistry gone) {
    if (agents == gone) {
      agents = null;
    }
  }

  /**
   * The body of the POST: upstream's fields plus the two that its rows have. Unknown fields are ignored like
   * everywhere else. The importance is read as a JSON value and checked here, so that a fraction, a string or a number
   * beyond an int (which Jackson reports as malformed JSON without the field) is a 400 naming it.
   */
  record NewMemory(String content, String category, JsonNode importance, List<String> entityRefs,
      String temporalMarker) {}

  /** Newest update first, superseded memories included (they carry {@code supersededBy}). */
  @GET
  public List<Memory> list(@PathParam("id") String agentId, @QueryParam("limit") String limit) {
    int count = MemoryJson.limit(limit);
    MemoryService service = memories();
    MemoryJson.requireAgent(agentId, agents());
    try {
      return service.list(agentId, count).stream().map(Memory::of).toList();
    } catch (OtterbotException e) {
      throw MemoryJson.translate(e);
    }
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Memory add(@PathParam("id") String agentId, NewMemory body) {
    MemoryService service = memories();
    // Upstream's order: an unknown agent is a 404 whatever the body says.
    MemoryJson.requireAgent(agentId, agents());
    MemoryInput input = validate(body);
    try {
      return Memory.of(service.save(agentId, input));
    } catch (OtterbotException e) {
      throw MemoryJson.translate(e);
    }
  }

  /** 200 even when the agent had no such memory, as upstream answers. */
  @DELETE
  @Path("{memId}")
  public Map<String, Object> delete(@PathParam("id") String agentId, @PathParam("memId") String memoryId) {
    MemoryService service = memories();
    MemoryJson.requireAgent(agentId, agents());
    try {
      service.delete(agentId, memoryId);
    } catch (OtterbotException e) {
      throw MemoryJson.translate(e);
    }
    return Map.of("ok", true);
  }

  /** The body as the service's input with this route's defaults, or a 400 naming the field that is wrong. */
  static MemoryInput validate(NewMemory body) {
    NewMemory m = body == null ? new NewMemory(null, null, null, null, null) : body; // no body, or null: no fields
    String content = m.content() == null ? "" : m.content().strip();
    if (content.isEmpty()) {
      throw OtterbotException.invalid(REQUIRED);
    }
    if (content.length() > MemoryEntry.MAX_CONTENT_LENGTH) {
      throw OtterbotException.invalid(TOO_LONG);
    }
    String category = m.category() == null ? DEFAULT_CATEGORY : m.category();
    if (!MemoryEntry.CATEGORIES.contains(category)) {
      throw OtterbotException.invalid(BAD_CATEGORY);
    }
    int importance = importance(m.importance());
    if (m.temporalMarker() != null && !MemoryEntry.TEMPORAL_MARKERS.contains(m.temporalMarker())) {
      throw OtterbotException.invalid(BAD_TEMPORAL);
    }
    List<String> refs = m.entityRefs() == null ? List.of() : m.entityRefs();
    if (refs.size() > MAX_ENTITY_REFS
        || refs.stream().anyMatch(r -> r == null || r.isBlank() || r.length() > MAX_ENTITY_REF_LENGTH)) {
      throw OtterbotException.invalid(BAD_ENTITY_REFS);
    }
    return new MemoryInput(content, category, importance, "user", refs.stream().map(String::strip).toList(),
        m.temporalMarker(), null);
  }

  private static int importance(JsonNode value) {
    if (value == null || value.isNull()) {
      return DEFAULT_IMPORTANCE;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < MemoryEntry.MIN_IMPORTANCE
        || value.intValue() > MemoryEntry.MAX_IMPORTANCE) {
      throw OtterbotException.invalid(BAD_IMPORTANCE);
    }
    return value.intValue();
  }

  private MemoryService memories() {
    MemoryService service = memories;
    if (service == null) {
      throw OtterbotException.unavailable(MemoryJson.UNAVAILABLE, null);
    }
    return service;
  }

  private AgentRegistry agents() {
    AgentRegistry registry = agents;
    if (registry == null) {
      throw OtterbotException.unavailable(MemoryJson.UNAVAILABLE, null);
    }
    return registry;
  }
}
