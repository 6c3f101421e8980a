/** Instance-wide settings: the onboarding state and the global settings with provider endpoints and API keys. */
@Version("1.0.0")
@Export
package otterbot.api.settings;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
