package otterbot.provider.support;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/**
 * A {@link ModelProvider} for a server speaking OpenAI chat completions: {@code POST <base>/chat/completions} streamed,
 * {@code GET <base>/models}, {@code POST <base>/embeddings} when the settings say it embeds, the key as a bearer token. A provider bundle's DS component extends this class with its
 * {@link OpenAiCompatible} settings and calls {@link #close()} when deactivated.
 */
public class OpenAiCompatibleProvider implements ModelProvider {
  private final OpenAiCompatible config;
  private final ProviderInfo info;
  private final ProviderRuntime runtime;

  /**
   * @param idleTimeout how long a stream may stay silent before the call fails ({@link
   *     ProviderRuntime#DEFAULT_IDLE_TIMEOUT} in production)
   */
  protected OpenAiCompatibleProvider(OpenAiCompatible config, Duration idleTimeout) {
    this.config = config;
    this.info = config.info();
    this.runtime = new ProviderRuntime(config.id(), idleTimeout);
  }

  @Override
  public ProviderInfo info() {
    return info;
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) throws ProviderException {
    String refusal = refusal(secrets);
    if (refusal != null) {
      throw new ProviderException(refusal);
    }
    Endpoint endpoint = Endpoint.resolve(secrets, config.baseUrlEnv(), config.defaultBaseUrl());
    Failures failures = new Failures(config.label(), endpoint.display(), Redactor.of(secrets));
    HttpRequest request = authorized(Requests.to(endpoint, "/models", failures), secrets).GET().build();
    return ModelListing.fetch(runtime, request, failures);
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    Map<String, String> secrets = request.secrets();
    String refusal = refusal(secrets);
    if (refusal != null) {
      return runtime.fail(sink, refusal);
    }
    Endpoint endpoint = Endpoint.resolve(secrets, config.baseUrlEnv(), config.defaultBaseUrl());
    Failures failures = new Failures(config.label(), endpoint.display(), Redactor.of(secrets));
    HttpRequest http;
    try {
      byte[] body = ChatCompletionsRequest.body(request, config.maxTokensField());
      http = authorized(Requests.to(endpoint, "/chat/completions", failures), secrets)
          .header("content-type", "application/json")
          .header("accept", "text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
    } catch (ProviderException | IllegalArgumentException e) {
      // Both carry messages written here: a bad base URL or key, or a tool with an invalid schema.
      return runtime.fail(sink, e.getMessage());
    }
    GuardedSink guarded = new GuardedSink(sink);
    return runtime.stream(http, guarded, new ChatCompletionsDecoder(guarded, failures), failures);
  }

  /**
   * {@code POST <base>/embeddings} with the texts in one request; the vectors come back as the server sends them (not
   * normalised). Refused without a request when the provider does not embed, a required key is missing, no model is
   * named or there are more than {@link Embeddings#MAX_TEXTS} texts.
   */
  @Override
  public List<float[]> embed(EmbeddingRequest request) throws ProviderException {
    if (!config.supportsEmbeddings()) {
      return ModelProvider.super.embed(request);
    }
    Map<String, String> secrets = request.secrets();
    String refusal = refusal(secrets);
    if (refusal != null) {
      throw new ProviderException(refusal);
    }
    List<String> texts = request.texts();
    if (texts.isEmpty()) {
      return List.of();
    }
    if (texts.size() > Embeddings.MAX_TEXTS) {
      throw new ProviderException("at most " + Embeddings.MAX_TEXTS + " texts can be embedded at once, not "
          + texts.size());
    }
    if (request.modelId() == null || request.modelId().isBlank()) {
      throw new ProviderException("no embedding model given for " + config.label());
    }
    Endpoint endpoint = Endpoint.resolve(secrets, config.baseUrlEnv(), config.defaultBaseUrl());
    Failures failures = new Failures(config.label(), endpoint.display(), Redactor.of(secrets));
    HttpRequest http = authorized(Requests.to(endpoint, "/embeddings", failures), secrets)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Embeddings.body(request.modelId(), texts)))
        .build();
    return List.of(Embeddings.fetch(runtime, http, texts.size(), failures));
  }

  /**
   * Why a call with these secrets cannot be made, checked before any request; null when it can. By default: a
   * required key that is not set.
   */
  protected String refusal(Map<String, String> secrets) {
    if (config.needsApiKey() && Secrets.valueOr(secrets, config.apiKeyEnv(), null) == null) {
      return Failures.missingKey(config.apiKeyEnv());
    }
    return null;
  }

  /** The provider's HTTP client, threads and calls in flight, for a subclass that makes calls of its own. */
  protected final ProviderRuntime runtime() {
    return runtime;
  }

  /** Ends every call in flight and stops the provider's threads; for the component's {@code @Deactivate}. */
  protected final void close() {
    runtime.close();
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request, Map<String, String> secrets)
      throws ProviderException {
    String key = Secrets.valueOr(secrets, config.apiKeyEnv(), config.defaultApiKey());
    return key == null ? request : Requests.secretHeader(request, "authorization", "Bearer " + key, config.apiKeyEnv());
  }
}
