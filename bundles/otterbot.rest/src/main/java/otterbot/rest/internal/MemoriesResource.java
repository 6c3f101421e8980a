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

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.memory.MemoryService;
import otterbot.rest.internal.MemoryJson.Memory;

/**
 * {@code GET /api/memories}: the memories of every agent, each naming its {@code agentId}. Upstream's code listed the
 * COO's only; this follows the API reference ("across all agents", upstream-behaviour §4.4). {@code ?agentId=} keeps
 * one agent's, {@code ?limit=} bounds the list (default 100, at most 1000), and {@code ?q=} turns the listing into the
 * hybrid search, best first, each result with its {@code score} and {@code via}. A search returns at most
 * {@link MemoryService#MAX_SEARCH_LIMIT} results: a bigger limit is capped there, because ranking further down is noise.
 *
 * <p>503 until the memory service and the agent registry are registered.
 */
@Component(service = MemoriesResource.class)
@JakartarsResource
@JakartarsName("otterbot.memories")
@JSONRequired
@Path("memories")
@Produces(MediaType.APPLICATION_JSON)
public final class MemoriesResource {
  private volatile MemoryService memories;
  private volatile AgentRegistry agents;

  public MemoriesResource() {
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
  public List<Memory> list(@QueryParam("agentId") String agentId, @QueryParam("limit") String limit,
      @QueryParam("q") String q) {
    int count = MemoryJson.limit(limit);
    String query = MemoryJson.query(q);
    MemoryService service = memories;
    AgentRegistry registry = agents;
    if (service == null || registry == null) {
      throw OtterbotException.unavailable(MemoryJson.UNAVAILABLE, null);
    }
    String agent = MemoryJson.agentFilter(agentId, registry);
    try {
      if (query == null) {
        return service.list(agent, count).stream().map(Memory::withAgent).toList();
      }
      return service.search(agent, query, Math.min(count, MemoryService.MAX_SEARCH_LIMIT)).stream()
          .map(Memory::of).toList();
    } catch (OtterbotException e) {
      throw MemoryJson.translate(e);
    }
  }
}
