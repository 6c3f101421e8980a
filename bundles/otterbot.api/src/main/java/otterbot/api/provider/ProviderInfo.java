package otterbot.api.provider;

/**
 * A provider's description, as {@code GET /api/providers} lists it and as the global settings use it.
 *
 * @param id a short lower-case id such as {@code openai}; also the {@code provider} of a model reference
 * @param label the display name
 * @param supportsChat whether {@link ModelProvider#chat} works
 * @param supportsEmbeddings whether the provider can embed text
 * @param needsApiKey whether an API key is required to use it
 * @param apiKeyEnv the secret name of the API key (for example {@code OPENAI_API_KEY}), or null when it takes none
 * @param baseUrlEnv the secret name of the endpoint override (for example {@code OPENAI_BASE_URL}), or null when its
 *     endpoint is fixed
 * @param defaultBaseUrl the endpoint used when no override is set, or null
 */
public record ProviderInfo(
    String id,
    String label,
    boolean supportsChat,
    boolean supportsEmbeddings,
    boolean needsApiKey,
    String apiKeyEnv,
    String baseUrlEnv,
    String defaultBaseUrl) {

  /** Whether the global settings hold an entry (endpoint and key) for this provider. */
  public boolean configurable() {
    return apiKeyEnv != null || baseUrlEnv != null;
  }
}
