package otterbot.api.health;

import java.util.Map;

/**
 * The state of one subsystem.
 *
 * @param status {@link #UP} or {@link #DOWN}
 * @param details a few facts an operator can act on (endpoint, driver, error); never secrets
 */
public record Health(String status, Map<String, Object> details) {
  public static final String UP = "up";
  public static final String DOWN = "down";

  public Health {
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public static Health up(Map<String, Object> details) {
    return new Health(UP, details);
  }

  public static Health down(String reason, Map<String, Object> details) {
    var all = new java.util.LinkedHashMap<String, Object>(details == null ? Map.of() : details);
    all.put("reason", reason);
    return new Health(DOWN, all);
  }

  public boolean isUp() {
    return UP.equals(status);
  }
}
