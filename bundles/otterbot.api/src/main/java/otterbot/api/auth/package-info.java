/** Signing the instance in to an account of a model vendor (ChatGPT through OAuth). */
@Version("1.0.0")
@Export
package otterbot.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
