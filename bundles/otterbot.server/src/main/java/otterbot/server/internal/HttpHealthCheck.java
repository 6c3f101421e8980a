package otterbot.server.internal;

import java.net.URI;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/** The internal HTTP service behind the public port: up when its endpoint is known. */
@Component(property = HealthCheck.SUBSYSTEM + "=http")
public final class HttpHealthCheck implements HealthCheck {
  private final PublicPort port;

  @Activate
  public HttpHealthCheck(@Reference PublicPort port) {
    this.port = port;
  }

  @Override
  public Health check() {
    URI backend = port.backend();
    return backend == null
        ? Health.down(JsonErrors.NOT_RUNNING, Map.of())
        : Health.up(Map.of()); // not its address: health never reveals URLs or ports
  }
}
