/**
 * Types shared by every OtterBot API package: the one exception type whose kind decides the answer a client gets.
 */
@Version("1.0.0")
@Export
package otterbot.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
