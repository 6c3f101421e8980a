/**
 * Model providers: the {@link otterbot.api.provider.ModelProvider} service a provider bundle registers, the value
 * types of a streaming chat call, and the {@link otterbot.api.provider.ModelService} through which the rest of the
 * server reaches whatever providers are registered right now.
 */
@Version("1.1.0")
@Export
package otterbot.api.provider;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
