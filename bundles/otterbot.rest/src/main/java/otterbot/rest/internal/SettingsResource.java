package otterbot.rest.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
import otterbot.api.settings.ProviderSettings;
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

  /**
   * The merged settings, as upstream answers, plus {@code warnings} when the update dropped something the client did
   * not ask to drop: a stored API key whose provider's {@code baseUrl} moved to another endpoint without a new key
   * (a key is only ever sent to the endpoint it was given for).
   */
  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  public ObjectNode update(GlobalSettings incoming) {
    GlobalSettings before = settings.global();
    GlobalSettings after = settings.updateGlobal(incoming);
    ObjectNode answer = JsonProvider.MAPPER.valueToTree(after);
    List<String> warnings = droppedKeys(incoming, before, after);
    if (!warnings.isEmpty()) {
      ArrayNode list = answer.putArray("warnings");
      warnings.forEach(list::add);
    }
    return answer;
  }

  private static List<String> droppedKeys(GlobalSettings incoming, GlobalSettings before, GlobalSettings after) {
    var warnings = new ArrayList<String>();
    incoming.providers().forEach((id, given) -> {
      ProviderSettings was = before.providers().get(id);
      ProviderSettings now = after.providers().get(id);
      if (given != null && given.apiKey() == null && was != null && Boolean.TRUE.equals(was.apiKeyConfigured())
          && now != null && !Boolean.TRUE.equals(now.apiKeyConfigured())) {
        warnings.add("providers." + id + ".apiKey was removed: the stored key belongs to the previous baseUrl and is "
            + "never sent to another endpoint; send apiKey together with the new baseUrl");
      }
    });
    return warnings;
  }
}
