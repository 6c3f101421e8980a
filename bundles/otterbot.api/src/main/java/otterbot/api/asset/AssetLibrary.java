package otterbot.api.asset;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Everything the registered {@link AssetPack}s hold right now, merged. */
@ProviderType
public interface AssetLibrary {
  /** URL path prefix under which {@link #file} paths are served. */
  String URL_PREFIX = "/assets/3d/";

  /** Model packs (characters), sorted by id. */
  List<ModelPack> modelPacks();

  /** Environment packs, sorted by id. */
  List<EnvironmentPack> environmentPacks();

  /** Scenes, sorted by id; a file that is not a JSON object is logged and left out. */
  List<Scene> scenes();

  /** Whether a model pack of this id is installed right now. */
  boolean hasModelPack(String id);

  /**
   * The model pack an agent is shown with: {@code requested} when installed, else the default
   * ({@code prototype-pete}) when installed, else the first installed one, else {@code requested}.
   */
  String effectiveModelPack(String requested);

  /**
   * A file by its path under {@link #URL_PREFIX} (already percent-decoded, {@code /}-separated), from the pack that
   * wins for it. Empty for a path with {@code .} or {@code ..} segments, a backslash, a NUL, or no such file.
   */
  Optional<AssetFile> file(String path);
}
