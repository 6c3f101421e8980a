/** Health reporting: each subsystem registers a {@link otterbot.api.health.HealthCheck}; {@code GET /api/health} shows them all. */
@Version("1.0.0")
@Export
package otterbot.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
