package otterbot.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;

class QuietServiceEventsTest {
  static Bundle bundle(String symbolicName) {
    return (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getSymbolicName" -> symbolicName;
          case "toString" -> symbolicName;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  static BundleContext context(String symbolicName, boolean valid) {
    Bundle bundle = bundle(symbolicName);
    return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
        new Class<?>[] {BundleContext.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getBundle" -> {
            if (!valid) {
              throw new IllegalStateException("invalid context");
            }
            yield bundle;
          }
          case "toString" -> "context of " + symbolicName;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void onlyTheLogServiceStopsHearingServiceEvents() {
    BundleContext log = context("org.apache.felix.log", true);
    BundleContext scr = context("org.apache.felix.scr", true);
    BundleContext core = context("otterbot.core", true);
    BundleContext stopped = context("otterbot.rest", false);
    Map<BundleContext, Collection<ListenerInfo>> listeners = new HashMap<>();
    for (BundleContext c : List.of(log, scr, core, stopped)) {
      listeners.put(c, List.of());
    }
    new QuietServiceEvents().event(null, listeners);
    assertEquals(Set.of(scr, core, stopped), listeners.keySet());
  }
}
