package otterbot.server.internal;

import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/** The public port: up whenever it is listening (when it is not, nobody can ask). */
@Component(property = HealthCheck.SUBSYSTEM + "=socket")
public final class SocketHealthCheck implements HealthCheck {
  private final PublicPort port;

  @Activate
  public SocketHealthCheck(@Reference PublicPort port) {
    this.port = port;
  }

  @Override
  public Health check() {
    Front front = port.front();
    // Not its URL: health never reveals URLs or ports.
    return Health.up(Map.of("connectedClients", front.connectedClients()));
  }
}
