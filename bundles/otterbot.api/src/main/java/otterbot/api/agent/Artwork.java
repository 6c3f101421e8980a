package otterbot.api.agent;

/** An agent's visual identity: the id of a 3D model pack. */
public record Artwork(String modelPack) {
  /** The model pack used when none is given. */
  public static final String DEFAULT_MODEL_PACK = "prototype-pete";
}
