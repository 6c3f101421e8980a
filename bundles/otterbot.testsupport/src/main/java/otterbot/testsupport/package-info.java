/**
 * Test support, never deployed: {@link otterbot.testsupport.FakeModelServer}, a loopback model server speaking the
 * OpenAI and Anthropic streaming wire formats with scripted {@link otterbot.testsupport.Reply replies};
 * {@link otterbot.testsupport.RecordingSink}, a chat sink tests can wait on; {@link otterbot.testsupport.FakeEmbedder},
 * a provider that embeds without a model; and {@link otterbot.testsupport.GltfAssets}, the generator of the asset
 * packs' glTF files. Exported so that OSGi integration tests can use it too.
 */
@Version("1.1.0")
@Export
package otterbot.testsupport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
