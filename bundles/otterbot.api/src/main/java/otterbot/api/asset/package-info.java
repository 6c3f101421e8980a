/**
 * 3D assets: model packs (characters), environment packs and scenes, contributed by {@link AssetPack} services and
 * listed and served through the {@link AssetLibrary}.
 */
@Version("1.0.0")
@Export
package otterbot.api.asset;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
