/** Facts about the running server that every subsystem needs: where its home is and where it listens. */
@Version("1.0.0")
@Export
package otterbot.api.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
