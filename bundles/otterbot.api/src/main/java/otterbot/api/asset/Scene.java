package otterbot.api.asset;

/**
 * A scene configuration ({@code scenes/<id>.json}), returned as written.
 *
 * @param id the file name without {@code .json}
 * @param json the file's content: a JSON object that parsed
 * @param source the name of the {@link AssetPack} it comes from
 */
public record Scene(String id, String json, String source) {}
