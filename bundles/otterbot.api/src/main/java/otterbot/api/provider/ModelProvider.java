package otterbot.api.provider;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A source of language models, registered as an OSGi service by a provider bundle. The server finds providers only
 * through the service registry: a provider is usable while its service is registered, so installing a provider
 * bundle makes it appear in {@code GET /api/providers} and uninstalling it makes it disappear (chats that were using
 * it end with an error chunk).
 *
 * <p>Register with the service property {@link #PROVIDER_ID} set to {@link ProviderInfo#id()}.
 *
 * <p>Secrets: every call receives the calling agent's effective secrets (global provider settings overlaid by the
 * agent's own credentials, for example {@code OPENAI_API_KEY} and {@code OPENAI_BASE_URL}). A provider must never put
 * a secret value into an exception message, a {@link ChatSink#failed} message or a log line.
 */
@ConsumerType
public interface ModelProvider {
  /** Service property: the provider's id. */
  String PROVIDER_ID = "otterbot.provider.id";

  /**
   * Service property ({@code Boolean}): this provider is the server's default embedder, used for agents whose
   * embedding model does not name a provider that embeds. Among several, the one with the highest service ranking
   * wins, so a bundle can replace the built-in offline model.
   */
  String DEFAULT_EMBEDDER = "otterbot.embedding.default";

  /** What the provider is and which settings it takes. Called often; return a value. */
  ProviderInfo info();

  /**
   * The ids of the models the provider serves, as it reports them (order and duplicates do not matter).
   *
   * @throws ProviderException when the provider cannot be reached or refuses; the message is shown to the user
   */
  List<String> listModels(Map<String, String> secrets) throws ProviderException;

  /**
   * Starts one model step: the model reads the request and streams text and tool calls to the sink. Returns without
   * waiting for the model; the sink is called in order, from one thread at a time, and ends with exactly one of
   * {@link ChatSink#completed} or {@link ChatSink#failed}. A provider that needs no I/O may call the sink before this
   * method returns. Failures (network, HTTP status, bad stream) are reported to the sink, not thrown.
   *
   * @return a handle that aborts the call and frees its connection; after cancel the sink may receive nothing more
   */
  ChatCall chat(ChatRequest request, ChatSink sink);

  /**
   * Embeds texts, for providers whose {@link ProviderInfo#supportsEmbeddings()} is true. Blocks until the vectors are
   * there; honours interruption. Vectors of one model always have the same length; callers normalise them.
   *
   * @return one vector per text, in order
   * @throws ProviderException when the provider cannot embed, cannot be reached or refuses
   * @since 1.1
   */
  default List<float[]> embed(EmbeddingRequest request) throws ProviderException {
    throw new ProviderException("the provider '" + info().id() + "' does not embed text");
  }
}
