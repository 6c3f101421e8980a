package otterbot.rest.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.memory.MemoryService;
import otterbot.rest.internal.MemoryJson.Profile;

/**
 * {@code GET /api/user-profile}: what the COO has learned about its user (upstream-behaviour §4.4, §7.5), an empty
 * profile while it has learned nothing. Each agent keeps its own profile; {@code ?agentId=} reads another agent's, an
 * unknown agent is a 404. 503 until the memory service and the agent registry are registered.
 */
@Component(service = UserProfileResource.class)
@JakartarsResource
@JakartarsName("otterbot.user-profile")
@JSONRequired
@Path("user-profile")
@Produces(MediaType.APPLICATION_JSON)
public final class UserProfileResource {
  private volatile MemoryService memories;
  private volatile AgentRegistry agents;

  public UserProfileResource() {
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

  @GET
  public Profile profile(@QueryParam("agentId") String agentId) {
    MemoryService service = memories;
    AgentRegistry registry = agents;
    if (service == null || registry == null) {
      throw OtterbotException.unavailable(MemoryJson.UNAVAILABLE, null);
    }
    String agent = agentId == null ? AgentProfile.COO_ID : MemoryJson.agentFilter(agentId, registry);
    try {
      return Profile.of(service.profile(agent));
    } catch (OtterbotException e) {
      throw MemoryJson.translate(e);
    }
  }
}
