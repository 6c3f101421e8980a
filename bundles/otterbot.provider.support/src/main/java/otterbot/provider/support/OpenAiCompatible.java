package otterbot.provider.support;

import otterbot.api.provider.ProviderInfo;

/**
 * What distinguishes one OpenAI-compatible provider from another.
 *
 * @param id the provider id
 * @param label the display name
 * @param supportsEmbeddings whether the provider can embed text
 * @param needsApiKey whether a call without a key fails at once
 * @param apiKeyEnv the secret holding the API key
 * @param baseUrlEnv the secret that overrides the base URL
 * @param defaultBaseUrl the base URL when {@code baseUrlEnv} is unset
 * @param defaultApiKey the key sent when {@code apiKeyEnv} is unset (local servers that want any bearer token), or
 *     null to send no {@code Authorization} header then
 * @param maxTokensField the request field of the token limit: OpenAI wants {@code max_completion_tokens} (its
 *     reasoning models reject {@code max_tokens}), other servers {@code max_tokens}
 */
public record OpenAiCompatible(
    String id,
    String label,
    boolean supportsEmbeddings,
    boolean needsApiKey,
    String apiKeyEnv,
    String baseUrlEnv,
    String defaultBaseUrl,
    String defaultApiKey,
    String maxTokensField) {

  public ProviderInfo info() {
    return new ProviderInfo(id, label, true, supportsEmbeddings, needsApiKey, apiKeyEnv, baseUrlEnv, defaultBaseUrl);
  }
}
