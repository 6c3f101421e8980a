package otterbot.api.settings;

/**
 * One provider's entry in the global settings.
 *
 * @param baseUrl the provider's endpoint
 * @param apiKeyConfigured whether a key is stored; computed on every read
 * @param apiKey on input: null keeps the stored key, {@code ""} clears it, anything else replaces it; never returned
 *     by {@link SettingsService}
 * @param authMethod OpenAI only: {@code "api-key"} or {@code "oauth"}; null for other providers
 */
public record ProviderSettings(String baseUrl, Boolean apiKeyConfigured, String apiKey, String authMethod) {}
