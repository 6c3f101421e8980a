package otterbot.server.internal;

import java.util.Map;
import java.util.Objects;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.health.HealthCheck;

/**
 * Whether requests under {@code /api} may go to the REST application: closed while the {@code api} health check is
 * down (the whiteboard has not built the application with its resources yet), so that the front answers
 * {@code 503 starting} instead of forwarding into a 404. Open when there is no {@code api} check at all: a deployment
 * without the REST bundle forwards as before.
 *
 * <p>A component of its own rather than a reference of {@link PublicPort}: DS binds a component's dynamic references
 * only after its constructor has returned, and the port's constructor opens the port, so requests could slip through
 * before the first bind. The port gets this gate in its constructor, fully bound.
 *
 * <p>The forwarder reads {@link #isOpen()} on every request, so it is one volatile read; the check itself is called
 * only when its service is bound or modified (the REST bundle modifies it on every change of state).
 */
@Component(service = ApiGate.class)
public final class ApiGate {
  static final String TARGET = "(" + HealthCheck.SUBSYSTEM + "=api)";
  /**
   * Service property the REST bundle sets on its {@code api} check: whether {@code /api} should be let through
   * (otterbot.rest's {@code ApiReadiness.READY}). When present it wins over the check's status, which stays down while
   * a resource is missing although the gate must open to show the health report once start-up is over.
   */
  static final String READY = "otterbot.rest.ready";

  private static final Logger LOG = LoggerFactory.getLogger(ApiGate.class);

  private volatile boolean open = true;
  /** {@code service.id} of the bound check, guarded by {@code this}. */
  private Object bound;

  // Greedy: a check that appears later (the REST bundle started after this one) closes the gate at once.
  @Reference(
      service = HealthCheck.class,
      target = TARGET,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindApiHealth(HealthCheck check, Map<String, Object> properties) {
    bound = properties.get(Constants.SERVICE_ID);
    open = letThrough(check, properties);
  }

  synchronized void updatedApiHealth(HealthCheck check, Map<String, Object> properties) {
    if (Objects.equals(bound, properties.get(Constants.SERVICE_ID))) {
      open = letThrough(check, properties);
    }
  }

  /** With a greedy reference a better check is bound before the old one is unbound: only forget our own. */
  synchronized void unbindApiHealth(HealthCheck check, Map<String, Object> properties) {
    if (Objects.equals(bound, properties.get(Constants.SERVICE_ID))) {
      bound = null;
      open = true;
    }
  }

  /** {@code true} when {@code /api} requests may be forwarded. */
  boolean isOpen() {
    return open;
  }

  private static boolean letThrough(HealthCheck check, Map<String, Object> properties) {
    return properties.get(READY) instanceof Boolean ready ? ready : isUp(check);
  }

  private static boolean isUp(HealthCheck check) {
    try {
      return check.check().isUp();
    } catch (RuntimeException e) {
      // The contract says never throw; a check that does cannot vouch for the API, so keep it behind the gate.
      LOG.warn("The api health check failed; answering /api with 503 until it reports up", e);
      return false;
    }
  }
}
