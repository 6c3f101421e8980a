package otterbot.rest.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Hashtable;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.runtime.ServerEnvironment;

/**
 * The built-in default for the Jakarta REST whiteboard, which stays dark without configuration
 * ({@code configurationPolicy=REQUIRE}): the API lives under {@code /api}. An operator's
 * {@code etc/JakartarsServletWhiteboardRuntimeComponent.cfg} wins; we only fill the gap when there is none.
 */
@Component(immediate = true, service = {})
public final class WhiteboardDefaults {
  static final String PID = "JakartarsServletWhiteboardRuntimeComponent";
  private static final Logger LOG = LoggerFactory.getLogger(WhiteboardDefaults.class);

  @Activate
  public WhiteboardDefaults(@Reference ConfigurationAdmin cm, @Reference ServerEnvironment env)
      throws IOException, InvalidSyntaxException {
    if (Files.exists(env.etcDirectory().resolve(PID + ".cfg"))) {
      return; // FileInstall applies the operator's file.
    }
    Configuration[] existing = cm.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + PID + ")");
    if (existing != null && existing.length > 0) {
      return;
    }
    var props = new Hashtable<String, Object>();
    props.put("jersey.context.path", "/api");
    props.put("jersey.jakartars.whiteboard.name", "otterbot");
    cm.getConfiguration(PID, "?").update(props);
    LOG.debug("Configured the REST whiteboard at /api");
  }
}
