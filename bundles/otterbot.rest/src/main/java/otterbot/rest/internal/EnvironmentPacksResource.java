package otterbot.rest.internal;

import java.util.List;
import java.util.Map;

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
import jakarta.ws.rs.core.MediaType;
import otterbot.api.asset.AssetLibrary;

/**
 * {@code GET /api/environment-packs}: what the installed asset packs hold right now (upstream-behaviour §4.9, §13), sorted by id.
 * 503 until the asset library is registered.
 */
@Component(service = EnvironmentPacksResource.class)
@JakartarsResource
@JakartarsName("otterbot.environment-packs")
@JSONRequired
@Path("environment-packs")
@Produces(MediaType.APPLICATION_JSON)
public final class EnvironmentPacksResource {
  private volatile AssetLibrary library;

  public EnvironmentPacksResource() {
    // for DS; the library arrives through the setter
  }

  @Reference(
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setLibrary(AssetLibrary library) {
    this.library = library;
  }

  /** With a greedy reference the replacement is bound before the old one goes: forget only our own. */
  synchronized void unsetLibrary(AssetLibrary gone) {
    if (library == gone) {
      library = null;
    }
  }

  @GET
  public List<Map<String, Object>> list() {
    return AssetJson.environmentPacks(AssetJson.require(library).environmentPacks());
  }
}
