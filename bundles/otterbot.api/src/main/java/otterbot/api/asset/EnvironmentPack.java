package otterbot.api.asset;

import java.util.List;

/**
 * An environment pack as upstream lists it in {@code GET /api/environment-packs}.
 *
 * @param id its directory name
 * @param name the id title-cased
 * @param assets its models, one per {@code .gltf} file
 * @param source the name of the {@link AssetPack} it comes from
 */
public record EnvironmentPack(String id, String name, List<Asset> assets, String source) {

  /**
   * One model of an environment pack.
   *
   * @param id the file name without {@code .gltf}
   * @param name the id with {@code _} as spaces
   * @param modelUrl the file's URL under {@code /assets/3d/environments/}
   */
  public record Asset(String id, String name, String modelUrl) {}
}
