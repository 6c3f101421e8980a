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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.StreamingOutput;
import otterbot.api.asset.AssetLibrary;

/**
 * {@code GET /api/scenes}: the installed scenes (upstream-behaviour §4.9, §13), sorted by id, each exactly as its file
 * holds it (a JSON object; files that are not are left out and logged by the library).
 * 503 until the asset library is registered.
 */
@Component(service = ScenesResource.class)
@JakartarsResource
@JakartarsName("otterbot.scenes")
@JSONRequired
@Path("scenes")
@Produces(MediaType.APPLICATION_JSON)
public final class ScenesResource {
  private volatile AssetLibrary library;

  public ScenesResource() {
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
  public StreamingOutput list() {
    return AssetJson.scenes(AssetJson.require(library).scenes());
  }
}
