package otterbot.rest.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /api/health}: 200 when every subsystem is up, 503 otherwise, with the same report either way. */
@Component(service = HealthResource.class)
@JakartarsResource
@JakartarsName("otterbot.health")
@JSONRequired
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {
  private final SystemHealth health;

  @Activate
  public HealthResource(@Reference SystemHealth health) {
    this.health = health;
  }

  @GET
  public Response report() {
    SystemHealth.Report report = health.report();
    return Response.status(report.healthy() ? 200 : 503).entity(report.body()).build();
  }
}
