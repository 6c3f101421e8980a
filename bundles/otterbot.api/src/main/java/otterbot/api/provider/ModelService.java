package otterbot.api.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The providers registered right now, and the operations of {@code /api/provider-models} and {@code /api/test-model}. */
@ProviderType
public interface ModelService {
  /** The registered providers in a stable order (the built-in one last). */
  List<ProviderInfo> providers();

  /** The provider with that id, if it is registered now. */
  Optional<ModelProvider> provider(String id);

  /**
   * The provider's models, sorted and without duplicates. Secrets are the global provider secrets overlaid by
   * {@code secrets}.
   *
   * @throws ProviderException for an unknown provider or any failure of the provider
   */
  List<String> listModels(String providerId, Map<String, String> secrets) throws ProviderException;

  /**
   * Runs one short completion ({@code Reply with exactly the word: ready}) and returns the trimmed reply, cut to 120
   * characters.
   *
   * @throws ProviderException for an unknown provider or any failure of the provider
   */
  String testModel(String providerId, String modelId, Map<String, String> secrets) throws ProviderException;
}
