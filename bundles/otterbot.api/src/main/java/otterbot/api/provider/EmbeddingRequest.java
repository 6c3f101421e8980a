package otterbot.api.provider;

import java.util.List;
import java.util.Map;

/**
 * Texts to embed.
 *
 * @param modelId the provider's embedding model id; a provider with one built-in model ignores it
 * @param texts one or more texts; the result has one vector per text, in order
 * @param secrets the calling agent's effective secrets (see {@link ModelProvider})
 */
public record EmbeddingRequest(String modelId, List<String> texts, Map<String, String> secrets) {
  public EmbeddingRequest {
    texts = List.copyOf(texts);
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
  }

  /** Hides the secrets. */
  @Override
  public String toString() {
    return "EmbeddingRequest[modelId=" + modelId + ", texts=" + texts.size() + ", secrets=" + secrets.keySet() + "]";
  }
}
