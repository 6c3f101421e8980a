package otterbot.api.agent;

/**
 * A model of a provider, for example {@code {provider: "openai", modelId: "gpt-4o"}}. A {@code modelId} of
 * {@code "*"} is a wildcard, meaningful only in an agent's allowed models.
 */
public record ModelRef(String provider, String modelId) {
  /** The wildcard model id. */
  public static final String ANY_MODEL = "*";
}
