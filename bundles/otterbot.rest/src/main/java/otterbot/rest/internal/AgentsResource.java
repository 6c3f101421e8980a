package otterbot.rest.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.annotations.RequireJakartarsWhiteboard;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;

/** {@code /api/agents}: upstream-behaviour §4.3. Creation answers 200 with the profile, as upstream does. */
@Component(service = AgentsResource.class)
@JakartarsResource
@JakartarsName("otterbot.agents")
@JSONRequired
@RequireJakartarsWhiteboard
@Path("agents")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentsResource {
  private final AgentRegistry agents;

  @Activate
  public AgentsResource(@Reference AgentRegistry agents) {
    this.agents = agents;
  }

  @GET
  public List<AgentSummary> list() {
    return agents.list();
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public AgentProfile create(AgentInput input) {
    return agents.create(input);
  }

  @GET
  @Path("{id}")
  public AgentProfile get(@PathParam("id") String id) {
    return agents.get(id).orElseThrow(() -> OtterbotException.notFound("not found"));
  }

  @PATCH
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public AgentProfile update(@PathParam("id") String id, AgentInput patch) {
    return agents.update(id, patch);
  }

  @DELETE
  @Path("{id}")
  public Map<String, Object> delete(@PathParam("id") String id) {
    agents.delete(id);
    return Map.of("ok", true);
  }
}
