/** Scheduled tasks: prompts an agent runs on a cron schedule. */
@Version("1.0.0")
@Export
package otterbot.api.schedule;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
