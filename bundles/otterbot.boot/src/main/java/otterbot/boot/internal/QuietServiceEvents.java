package otterbot.boot.internal;

import java.util.Collection;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.hooks.service.ListenerHook.ListenerInfo;

/**
 * Keeps service events from the OSGi Log Service implementation (Felix Log), which turns every one of them into a log
 * entry and takes a stack trace of the current thread for each: thousands at start-up, and one for every agent a
 * create registers as a service (issue 12: a sixth of a create's CPU). Registered only while those entries would never
 * be shown anyway (the logger {@code Events} above INFO, as the launch properties set it); bundle and framework events
 * still reach the log.
 */
final class QuietServiceEvents implements EventListenerHook {
  static final String LOG_BUNDLE = "org.apache.felix.log";

  @Override
  public void event(ServiceEvent event, Map<BundleContext, Collection<ListenerInfo>> listeners) {
    listeners.keySet().removeIf(QuietServiceEvents::isLog);
  }

  static boolean isLog(BundleContext context) {
    try {
      Bundle bundle = context.getBundle();
      return bundle != null && LOG_BUNDLE.equals(bundle.getSymbolicName());
    } catch (IllegalStateException stopped) {
      return false; // a context that is no longer valid gets no events anyway
    }
  }
}
