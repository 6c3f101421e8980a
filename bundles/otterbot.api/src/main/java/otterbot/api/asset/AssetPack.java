package otterbot.api.asset;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A read-only tree of asset files in upstream's layout, registered as a service: {@code workers/<pack>/characters/*.glb}
 * (with {@code workers/<pack>/Animations/gltf/Rig_Medium/*.glb} and {@code workers/<pack>/artwork.png}),
 * {@code environments/<pack>/models/*.gltf} (and the {@code .bin} and textures they refer to), {@code scenes/*.json}.
 *
 * <p>The {@link AssetLibrary} merges every registered pack; when two packs hold a model pack, environment pack or scene
 * of the same id, the service with the higher ranking wins. A bundle usually does not implement this: a bundle with
 * the manifest header {@link #ASSETS_HEADER} gets a pack registered for it by the assets extender.
 */
@ConsumerType
public interface AssetPack {
  /** Manifest header naming the folder of a bundle that holds an asset tree (e.g. {@code assets}). */
  String ASSETS_HEADER = "OtterBot-Assets";
  /** Service property: the pack's name, for logs and listings (letters, digits, '.', '_', '-'). */
  String NAME = "otterbot.asset.pack";

  /** The pack's name (the value of {@link #NAME}). */
  String name();

  /**
   * Every file of the pack, as relative paths with {@code /} separators and no {@code .} or {@code ..} segments,
   * in no particular order. Called on every listing request, so it must be cheap or cached; at most 10,000 paths are
   * read. Return a new list when the files change: the library keeps what it derived from a list it is given again.
   */
  List<String> paths();

  /** The file at a relative path as {@link #paths()} gives them, or empty when the pack has no such file. */
  Optional<AssetFile> file(String path);
}
