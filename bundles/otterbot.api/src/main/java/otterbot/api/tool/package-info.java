/**
 * Tools a model may call during a chat turn. Every {@link otterbot.api.tool.Tool} service is offered to the models of
 * the agents it is available to, so a bundle can add tools at runtime.
 */
@Version("1.0.0")
@Export
package otterbot.api.tool;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
