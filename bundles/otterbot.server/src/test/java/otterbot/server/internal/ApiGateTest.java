package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;

/** The gate follows the {@code api} check as DS hands it over: bind, modified, greedy rebind, unbind. */
class ApiGateTest {
  private static final Health UP = Health.up(Map.of("resources", 4));
  private static final Health STARTING = Health.down("starting", Map.of());

  private static Map<String, Object> service(long id) {
    return Map.of("service.id", id, HealthCheck.SUBSYSTEM, "api");
  }

  @Test
  void isOpenWithoutAnApiCheckSoDeploymentsWithoutTheRestBundleForwardAsBefore() {
    assertTrue(new ApiGate().isOpen());
  }

  @Test
  void followsTheCheckWhenItsServiceIsModifiedAndOpensWhenItGoes() {
    var gate = new ApiGate();
    var state = new AtomicReference<>(STARTING);
    HealthCheck check = state::get;

    gate.bindApiHealth(check, service(1));
    assertFalse(gate.isOpen(), "bound while starting");

    state.set(UP);
    assertFalse(gate.isOpen(), "read only on service events, never per request");
    gate.updatedApiHealth(check, service(1));
    assertTrue(gate.isOpen());

    state.set(STARTING);
    gate.updatedApiHealth(check, service(1));
    assertFalse(gate.isOpen(), "the whiteboard rebuilt the application without our resources");

    gate.unbindApiHealth(check, service(1));
    assertTrue(gate.isOpen(), "no api check any more");
  }

  @Test
  void aGreedyRebindFollowsTheNewCheckAndIgnoresTheOldOne() {
    var gate = new ApiGate();
    HealthCheck old = () -> UP;
    HealthCheck replacement = () -> STARTING;
    gate.bindApiHealth(old, service(1));
    assertTrue(gate.isOpen());

    gate.bindApiHealth(replacement, service(2));
    gate.updatedApiHealth(old, service(1));
    gate.unbindApiHealth(old, service(1));
    assertFalse(gate.isOpen(), "the old check's events no longer count");
  }

  @Test
  void aCheckThatThrowsKeepsTheGateClosed() {
    var gate = new ApiGate();
    gate.bindApiHealth(() -> {
      throw new IllegalStateException("broken");
    }, service(1));
    assertFalse(gate.isOpen());
  }
}
