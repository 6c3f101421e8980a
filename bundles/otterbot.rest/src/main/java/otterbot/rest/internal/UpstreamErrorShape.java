package otterbot.rest.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks routes that answer bad input in upstream's {@code {"ok": false, "error": ...}} shape rather than the API's
 * {@code {"error": ...}}: the {@link ErrorMapper} then writes a 400 about the request body (a JSON problem or an
 * invalid value) that way. The body is read the same way as everywhere else, as an entity parameter through the
 * {@link JsonProvider}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface UpstreamErrorShape {}
