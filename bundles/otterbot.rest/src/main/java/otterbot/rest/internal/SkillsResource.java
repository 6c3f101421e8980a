package otterbot.rest.internal;

import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.skill.SkillService;
import otterbot.rest.internal.SkillJson.ExportDTO;
import otterbot.rest.internal.SkillJson.SkillDTO;

/**
 * {@code /api/skills}: upstream-behaviour §4.5's "global" routes. Upstream's code worked on the COO's skills only;
 * this follows the API reference for the listing ("List all skills": every agent's, each naming its {@code agentId},
 * {@code ?agentId=} keeps one agent's), and lets import and export name another agent ({@code agentId} in the body or
 * the query) while keeping the COO as the default.
 *
 * <p>503 until the skill service and the agent registry are registered.
 */
@Component(service = SkillsResource.class)
@JakartarsResource
@JakartarsName("otterbot.skills")
@JSONRequired
@Path("skills")
@Produces(MediaType.APPLICATION_JSON)
public final class SkillsResource {
  /** Upstream's words when neither source is given. */
  static final String NO_SOURCE = "Provide `url` or `raw`";
  static final String URL_TOO_LONG = "url must be at most " + SkillJson.MAX_URL_LENGTH + " characters";
  static final String MARKDOWN = "text/markdown";

  private volatile SkillService skills;
  private volatile AgentRegistry agents;

  public SkillsResource() {
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

  /** The body of the import: a URL to fetch (tried first, as upstream) or the text itself, and the agent. */
  record Import(String url, String raw, String agentId) {}

  @GET
  public List<SkillDTO> list(@QueryParam("agentId") String agentId) {
    SkillService service = SkillJson.require(skills);
    String agent = MemoryJson.agentFilter(agentId, agents());
    try {
      return service.list(agent).stream().map(SkillDTO::withAgent).toList();
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /**
   * Fetches (through the service's SSRF-safe fetcher) or takes the text, scans it and stores it as an imported skill;
   * scanner errors reject it. Every failure of the import is a 400 with the service's message, as upstream. Empty
   * strings count as absent, as upstream's truthiness test has it.
   */
  @POST
  @Path("import")
  @Consumes(MediaType.APPLICATION_JSON)
  public SkillDTO importSkill(Import body) {
    Import i = body == null ? new Import(null, null, null) : body; // no body, or null: no fields
    String url = i.url() == null || i.url().isEmpty() ? null : i.url();
    String raw = i.raw() == null || i.raw().isEmpty() ? null : i.raw();
    if (url == null && raw == null) {
      throw OtterbotException.invalid(NO_SOURCE);
    }
    if (url != null && url.length() > SkillJson.MAX_URL_LENGTH) {
      throw OtterbotException.invalid(URL_TOO_LONG);
    }
    if (url == null && raw.length() > SkillJson.MAX_RAW_LENGTH) {
      throw OtterbotException.invalid(SkillJson.RAW_TOO_LONG);
    }
    SkillService service = SkillJson.require(skills);
    String agent = agentOrCoo(i.agentId());
    try {
      return SkillDTO.of(service.importSkill(agent, url, url == null ? raw : null));
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /**
   * The skill as SKILL.md text, {@code text/markdown} whatever the client accepts (a client that asks for JSON, as a
   * generic API client does, still gets the file); errors stay JSON.
   */
  @GET
  @Path("{id}/export")
  @Produces({MARKDOWN, MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  public Response export(@PathParam("id") String skillId, @QueryParam("agentId") String agentId) {
    SkillService service = SkillJson.require(skills);
    String agent = agentOrCoo(agentId);
    try {
      String text = service.export(agent, skillId).orElseThrow(() -> OtterbotException.notFound("not found"));
      return Response.ok(text, MARKDOWN + "; charset=utf-8").build();
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /** {@code [{filename, content}]} for every skill of the agent, upstream's file names made distinct. */
  @GET
  @Path("export-all")
  public List<ExportDTO> exportAll(@QueryParam("agentId") String agentId) {
    SkillService service = SkillJson.require(skills);
    String agent = agentOrCoo(agentId);
    try {
      return SkillJson.exportAll(service, agent);
    } catch (OtterbotException e) {
      throw SkillJson.translate(e);
    }
  }

  /** The COO unless an agent is named; empty is a 400, an unknown agent a 404. */
  private String agentOrCoo(String agentId) {
    String agent = MemoryJson.agentFilter(agentId, agents());
    if (agent == null) {
      MemoryJson.requireAgent(AgentProfile.COO_ID, agents());
      return AgentProfile.COO_ID;
    }
    return agent;
  }

  private AgentRegistry agents() {
    AgentRegistry registry = agents;
    if (registry == null) {
      throw OtterbotException.unavailable(SkillJson.UNAVAILABLE, null);
    }
    return registry;
  }
}
