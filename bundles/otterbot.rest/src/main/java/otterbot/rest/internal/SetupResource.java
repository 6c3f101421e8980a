package otterbot.rest.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.settings.SettingsService;

/** {@code /api/setup-state}: upstream-behaviour §4.1. */
@Component(service = SetupResource.class)
@JakartarsResource
@JakartarsName("otterbot.setup")
@JSONRequired
@Path("setup-state")
@Produces(MediaType.APPLICATION_JSON)
public final class SetupResource {
  private final SettingsService settings;
  private final AgentRegistry agents;

  @Activate
  public SetupResource(@Reference SettingsService settings, @Reference AgentRegistry agents) {
    this.settings = settings;
    this.agents = agents;
  }

  @GET
  public Map<String, Object> state() {
    var body = new LinkedHashMap<String, Object>();
    body.put("onboardingComplete", settings.onboardingComplete());
    body.put("agentCount", agents.count());
    return body;
  }

  /** Takes no body; any body sent is ignored, as upstream does. */
  @POST
  @Path("complete")
  public Map<String, Object> complete() {
    settings.completeOnboarding();
    return Map.of("ok", true);
  }
}
