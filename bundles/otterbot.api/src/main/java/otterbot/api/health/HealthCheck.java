package otterbot.api.health;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A subsystem's view of its own health. Must answer quickly and never throw: report a problem as
 * {@link Health#down(String, java.util.Map)} instead.
 *
 * <p>Register with the service property {@link #SUBSYSTEM} naming the subsystem ({@code "database"}, {@code "http"},
 * {@code "socket"}, ...).
 */
@ConsumerType
public interface HealthCheck {
  /** Service property: the subsystem's name, the key under which {@code /api/health} reports it. */
  String SUBSYSTEM = "otterbot.health.subsystem";

  Health check();
}
