package otterbot.rest.internal;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Jersey settings of our application, as a whiteboard {@link Feature}: the whiteboard (osgitech rest 1.2.2) builds the
 * default application's {@code ResourceConfig} from its own properties and those of an {@code Application} service, not
 * from its configuration, so a feature is where an extension can set them. Jersey configures features before it builds
 * the routing, which reads them.
 *
 * <p>{@code jersey.config.server.empty.request.media.matches.any.consumes} off: by default a request without
 * {@code Content-Type} matches {@code @Consumes(APPLICATION_JSON)}, which is exactly what a cross-site
 * {@code fetch(..., {mode: 'no-cors', body: blob})} sends. With it off such a request is a 415. The public port refuses
 * it first ({@code Admission}); this holds for requests that reach the REST application some other way.
 */
@Component(service = Feature.class)
@JakartarsExtension
@JakartarsName("otterbot.jersey-properties")
public final class JerseyProperties implements Feature {
  /** {@code ServerProperties.EMPTY_REQUEST_MEDIA_TYPE_MATCHES_ANY_CONSUMES}, by name: Jersey is not an import of ours. */
  static final String EMPTY_REQUEST_MEDIA_TYPE_MATCHES_ANY_CONSUMES =
      "jersey.config.server.empty.request.media.matches.any.consumes";

  @Override
  public boolean configure(FeatureContext context) {
    context.property(EMPTY_REQUEST_MEDIA_TYPE_MATCHES_ANY_CONSUMES, Boolean.FALSE);
    return true;
  }
}
