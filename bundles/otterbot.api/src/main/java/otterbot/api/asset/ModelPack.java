package otterbot.api.asset;

/**
 * A character as upstream lists it in {@code GET /api/model-packs}. URLs are absolute paths under
 * {@code /assets/3d/}.
 *
 * @param id the pack's directory name, e.g. {@code prototype-pete}
 * @param name the id title-cased, e.g. {@code Prototype Pete}
 * @param characterUrl the character's GLB
 * @param thumbnailUrl {@code artwork.png} when the pack has one, else the character's GLB
 * @param animations idle and action (the character's GLB when missing) and working (null when missing)
 * @param source the name of the {@link AssetPack} it comes from
 */
public record ModelPack(String id, String name, String characterUrl, String thumbnailUrl, Animations animations,
    String source) {

  /** Animation clips of a model pack. */
  public record Animations(String idle, String action, String working) {}
}
