/**
 * The storage SPI the core writes through. One implementation is active at a time (JPA with H2 or PostgreSQL in the
 * distribution). Every method commits before it returns: the REST layer acknowledges a write only after that.
 */
@Version("1.4.0")
@Export
package otterbot.api.persistence;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
