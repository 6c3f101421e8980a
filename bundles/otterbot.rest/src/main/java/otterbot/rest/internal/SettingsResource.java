package otterbot.rest.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.SettingsService;

/** {@code /api/settings/global}: upstream-behaviour §12. Both answers are redacted: no API key ever leaves. */
@Component(service = SettingsResource.class)
@JakartarsResource
@JakartarsName("otterbot.settings")
@JSONRequired
@Path("settings/global")
@Produces(MediaType.APPLICATION_JSON)
public final class SettingsResource {
  private final SettingsService settings;

  @Activate
  public SettingsResource(@Reference SettingsService settings) {
    this.settings = settings;
  }

  @GET
  public GlobalSettings read() {
    return settings.global();
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public GlobalSettings update(GlobalSettings incoming) {
    return settings.updateGlobal(incoming);
  }
}
