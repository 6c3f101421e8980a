package otterbot.rest.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.skill.Skill;
import otterbot.api.skill.SkillService;
import otterbot.rest.internal.SkillJson.SkillDTO;

/**
 * {@code GET/POST /api/agents/:id/skills}, {@code POST /api/agents/:id/skills/install} and
 * {@code DELETE /api/agents/:id/skills/:skillId}: upstream-behaviour §4.5. Unlike upstream, a request without a body
 * is a 400 (upstream failed with a 500), and what a client sends is bounded. The path is the class's own, like the
 * memory resource's.
 *
 * <p>The skill service comes from the skills bundle and the agent registry from the core; until both are registered
 * (or while either restarts) the routes answer 503.
 */
@Component(service = AgentSkillsResource.class)
@JakartarsResource
@JakartarsName("otterbot.agent-skills")
@JSONRequired
@Path("agents/{id}/skills")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentSkillsResource {
  /** Upstream's words for a POST that is neither form. */
  static final String NEITHER_FORM = "provide `raw` markdown, or `name` + `body`";
  static final String NAME_TOO_LONG = "name must be at most " + SkillJson.MAX_NAME_LENGTH + " characters";
  static final String DESCRIPTION_TOO_LONG =
      "description must be at most " + SkillJson.MAX_DESCRIPTION_LENGTH + " characters";
  static final String BODY_TOO_LONG = "body must be at most " + SkillJson.MAX_BODY_LENGTH + " characters";
  static final String BAD_TAGS = "tags must be an array of at most " + SkillJson.MAX_TAGS
      + " non-empty strings of at most " + SkillJson.MAX_TAG_LENGTH + " characters";
  static final String CATALOG_ID_REQUIRED = "catalogId is required";
  static final int MAX_CATALOG_ID_LENGTH = 200;
  static final String CATALOG_ID_TOO_LONG = "catalogId must be at most " + MAX_CATALOG_ID_LENGTH + " characters";

  private static final Logger LOG = LoggerFactory.getLogger(AgentSkillsResource.class);

  private volatile SkillService skills;
  private volatile AgentRegistry agents;

  public AgentSkillsResource() {
    // for DS; the services arrive through the setters
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setSkills(SkillService skills) {
    this.skills = skills;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetSkills(SkillService gone) {
    if (skills == gone) {
      skills = null;
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

  /** The body of the POST: SKILL.md text, or the parts of an authored skill. Unknown fields are ignored. */
  record NewSkill(String raw, String name, String body, String description, List<String> tags) {}

  /** The body of the install POST. */
  record Install(String catalogId) {}

  /** In creation order: the stored skills and those skill bundles attach to the agent. */
  @GET
  public List<SkillDTO> list(@PathParam("id") String agentId) {
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    try {
      return service.list(agentId).stream().map(SkillDTO::of).toList();
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /**
   * Upstream's two forms: {@code raw} wins when it is non-empty, else {@code name} and {@code body} (both non-blank).
   * Scanner errors do not reject a skill here (upstream): it is stored with {@code scanStatus: errors}. The service's
   * refusals (invalid YAML, no body) are 400s with its message.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public SkillDTO create(@PathParam("id") String agentId, NewSkill body) {
    NewSkill s = validate(body);
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    try {
      Skill created = s.raw() != null ? service.createFromMarkdown(agentId, s.raw())
          : service.createAuthored(agentId, s.name(), s.description(), s.body(), s.tags());
      return SkillDTO.of(created);
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /**
   * Fetches, scans and stores a catalog skill. A fetch that fails is upstream's {@code 502 {"error": message}}: the
   * service reports it as {@code UNAVAILABLE}, which elsewhere means one of our own subsystems is down (503), but here
   * it is the remote end that failed. An unknown entry and scanner errors are 400s with the service's message.
   */
  @POST
  @Path("install")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response install(@PathParam("id") String agentId, Install body) {
    String catalogId = body == null ? null : body.catalogId();
    if (catalogId == null || catalogId.isBlank()) {
      throw OtterbotException.invalid(CATALOG_ID_REQUIRED);
    }
    if (catalogId.length() > MAX_CATALOG_ID_LENGTH) {
      throw OtterbotException.invalid(CATALOG_ID_TOO_LONG);
    }
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    try {
      return Response.ok(SkillDTO.of(service.install(agentId, catalogId)), MediaType.APPLICATION_JSON_TYPE).build();
    } catch (OtterbotException e) {
      if (e.kind() == OtterbotException.Kind.UNAVAILABLE) {
        LOG.warn("Installing catalog skill {} for agent {} failed: {}", ErrorMapper.quote(catalogId),
            ErrorMapper.quote(agentId), e.getMessage());
        return Response.status(502).entity(Map.of("error", e.getMessage()))
            .type(MediaType.APPLICATION_JSON_TYPE).build();
      }
      throw SkillJson.translate(e);
    }
  }

  /** One skill of the agent (stored or attached by a skill bundle), or 404. */
  @GET
  @Path("{skillId}")
  public SkillDTO get(@PathParam("id") String agentId, @PathParam("skillId") String skillId) {
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    try {
      return service.get(agentId, skillId).map(SkillDTO::of)
          .orElseThrow(() -> OtterbotException.notFound("not found"));
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /** The body of the PATCH: what the {@code update_skill} tool may change. Unknown fields are ignored. */
  record SkillChange(String body, String appendNote, String description) {}

  /**
   * Changes a stored skill as the {@code update_skill} tool does (upstream has no such route; the API reference's
   * per-agent skills are create, read and delete): a new {@code body} replaces the old one, else {@code appendNote}
   * adds a dated note; a new {@code description} replaces the old one. The skill is scanned again, and a skill with
   * scanner errors is kept out of prompts as ever. 404 for no such skill, 409 for a skill a bundle attaches
   * (read-only: remove the bundle), 400 for a body without any of the three fields.
   */
  @PATCH
  @Path("{skillId}")
  @Consumes(MediaType.APPLICATION_JSON)
  public SkillDTO update(@PathParam("id") String agentId, @PathParam("skillId") String skillId, SkillChange body) {
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    SkillChange change = body == null ? new SkillChange(null, null, null) : body;
    String newBody = blankToNull(change.body());
    String note = blankToNull(change.appendNote());
    String description = blankToNull(change.description());
    if (newBody == null && note == null && description == null) {
      throw OtterbotException.invalid("provide `body`, `appendNote` or `description`");
    }
    if (newBody != null && newBody.length() > SkillJson.MAX_BODY_LENGTH) {
      throw OtterbotException.invalid(BODY_TOO_LONG);
    }
    if (note != null && note.length() > SkillJson.MAX_BODY_LENGTH) {
      throw OtterbotException.invalid("appendNote must be at most " + SkillJson.MAX_BODY_LENGTH + " characters");
    }
    if (description != null && description.length() > SkillJson.MAX_DESCRIPTION_LENGTH) {
      throw OtterbotException.invalid(DESCRIPTION_TOO_LONG);
    }
    try {
      Optional<Skill> current = service.get(agentId, skillId);
      if (current.isPresent() && current.get().contributedBy() != null) {
        throw OtterbotException.conflict("skill '" + skillId + "' is attached by bundle "
            + current.get().contributedBy() + " and cannot be changed");
      }
      return service.update(agentId, skillId, newBody, note, description).map(SkillDTO::of)
          .orElseThrow(() -> OtterbotException.notFound("not found"));
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** {@code {"ok": true}} when a skill was deleted, {@code {"ok": false}} when the agent had none of that id. */
  @DELETE
  @Path("{skillId}")
  public Map<String, Object> delete(@PathParam("id") String agentId, @PathParam("skillId") String skillId) {
    SkillService service = skills();
    MemoryJson.requireAgent(agentId, agents());
    try {
      return Map.of("ok", service.delete(agentId, skillId));
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /**
   * The body as one of upstream's forms, or a 400 naming the field that is wrong. The returned value has {@code raw}
   * set for the markdown form and null otherwise; the authored form's name is stripped, and its description and tags
   * default to empty, as upstream's.
   */
  static NewSkill validate(NewSkill body) {
    NewSkill s = body == null ? new NewSkill(null, null, null, null, null) : body; // no body, or null: no fields
    if (s.raw() != null && !s.raw().isEmpty()) {
      if (s.raw().length() > SkillJson.MAX_RAW_LENGTH) {
        throw OtterbotException.invalid(SkillJson.RAW_TOO_LONG);
      }
      return new NewSkill(s.raw(), null, null, null, null);
    }
    if (s.name() == null || s.name().isBlank() || s.body() == null || s.body().isBlank()) {
      throw OtterbotException.invalid(NEITHER_FORM);
    }
    String name = s.name().strip();
    if (name.length() > SkillJson.MAX_NAME_LENGTH) {
      throw OtterbotException.invalid(NAME_TOO_LONG);
    }
    if (s.description() != null && s.description().length() > SkillJson.MAX_DESCRIPTION_LENGTH) {
      throw OtterbotException.invalid(DESCRIPTION_TOO_LONG);
    }
    if (s.body().length() > SkillJson.MAX_BODY_LENGTH) {
      throw OtterbotException.invalid(BODY_TOO_LONG);
    }
    List<String> tags = s.tags() == null ? List.of() : s.tags();
    if (tags.size() > SkillJson.MAX_TAGS
        || tags.stream().anyMatch(t -> t == null || t.isBlank() || t.length() > SkillJson.MAX_TAG_LENGTH)) {
      throw OtterbotException.invalid(BAD_TAGS);
    }
    String description = s.description() == null ? "" : s.description();
    return new NewSkill(null, name, s.body(), description, List.copyOf(tags));
  }

  private SkillService skills() {
    return SkillJson.require(skills);
  }

  private AgentRegistry agents() {
    AgentRegistry registry = agents;
    if (registry == null) {
      throw OtterbotException.unavailable(SkillJson.UNAVAILABLE, null);
    }
    return registry;
  }
}
