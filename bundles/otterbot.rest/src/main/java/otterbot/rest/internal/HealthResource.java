package otterbot.rest.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JSONRequired;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/health}: 200 when every subsystem is up, 503 otherwise, with the same report either way, to a client
 * the public port vouches for ({@link #AUTHORIZED} {@code true}: it presented the API token, or none is required). Any
 * other client, including one that reaches Jetty without the port, gets only {@code {"status": ...}}: health answers
 * without a token so that monitors can poll it, but then says nothing about the installation.
 */
@Component(service = HealthResource.class)
@JakartarsResource
@JakartarsName("otterbot.health")
@JSONRequired
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {
  /** The public port's verdict on the request (otterbot.server's {@code Admission.AUTHORIZED}); clients cannot set it. */
  static final String AUTHORIZED = "X-Otterbot-Authorized";

  private final SystemHealth health;

  @Activate
  public HealthResource(@Reference SystemHealth health) {
    this.health = health;
  }

  @GET
  public Response report(@HeaderParam(AUTHORIZED) String authorized) {
    SystemHealth.Report report = health.report();
    Object body = "true".equals(authorized) ? report.body() : Map.of("status", report.body().get("status"));
    return Response.status(report.healthy() ? 200 : 503).entity(body).build();
  }
}
