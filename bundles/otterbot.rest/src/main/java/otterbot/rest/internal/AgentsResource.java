package otterbot.rest.internal;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jakartars.whiteboard.annotations.RequireJakartarsWhiteboard;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;


import com.fasterxml.jackson.core.JsonProcessingException;

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
import otterbot.api.agent.AgentRegistry;
import otterbot.api.asset.AssetLibrary;

/**
 * {@code /api/agents}: upstream-behaviour §4.3. Creation answers 200 with the profile, as upstream does. An agent whose
 * model pack is not installed is shown with the one it falls back to ({@link AssetJson#withArtwork}); creating or
 * patching an agent with a pack that is not installed is allowed, as upstream allows it.
 */
@Component(service = AgentsResource.class)
@JakartarsResource
@JakartarsName("otterbot.agents")
@JSONRequired
@RequireJakartarsWhiteboard
@Path("agents")
@Produces(MediaType.APPLICATION_JSON)
public final class AgentsResource {
  private final AgentRegistry agents;
  private volatile AssetLibrary assets;

  @Activate
  public AgentsResource(@Reference AgentRegistry agents) {
    this.agents = agents;
  }

  /** Optional: without the asset library agents are shown with their stored model pack. */
  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setAssets(AssetLibrary assets) {
    this.assets = assets;
  }

  synchronized void unsetAssets(AssetLibrary gone) {
    if (assets == gone) {
      assets = null;
    }
  }

  /**
   * The JSON of the last listing and what it was written from. A listing is the same bytes as long as the agents, their
   * live status and their effective model packs are the same, and comparing those (records and JSON trees, compared by
   * value) costs a fraction of writing them again: the write was the largest part of {@code GET /api/agents}' own work
   * (issue 12). One listing is kept, so the bound is one answer; nothing needs to invalidate it, because a listing that
   * differs in any value is written anew.
   */
  private record Listing(List<Object> agents, byte[] json) {}

  private volatile Listing lastListing;

  @GET
  public byte[] list() {
    AssetLibrary library = assets;
    List<Object> now = agents.list().stream().map(AssetJson.withArtwork(library)).toList();
    Listing last = lastListing;
    if (last != null && last.agents().equals(now)) {
      return last.json();
    }
    byte[] json;
    try {
      json = JsonProvider.MAPPER.writeValueAsBytes(now);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    lastListing = new Listing(now, json);
    return json;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public Object create(AgentInput input) {
    return AssetJson.withArtwork(agents.create(input), assets);
  }

  @GET
  @Path("{id}")
  public Object get(@PathParam("id") String id) {
    return AssetJson.withArtwork(agents.get(id).orElseThrow(() -> OtterbotException.notFound("not found")), assets);
  }

  @PATCH
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public Object update(@PathParam("id") String id, AgentInput patch) {
    return AssetJson.withArtwork(agents.update(id, patch), assets);
  }

  @DELETE
  @Path("{id}")
  public Map<String, Object> delete(@PathParam("id") String id) {
    agents.delete(id);
    return Map.of("ok", true);
  }
}
