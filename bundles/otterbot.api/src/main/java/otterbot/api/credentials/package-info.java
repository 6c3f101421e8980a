/** Per-agent credentials (secrets), write-only through the API and encrypted at rest. */
@Version("1.1.0")
@Export
package otterbot.api.credentials;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
