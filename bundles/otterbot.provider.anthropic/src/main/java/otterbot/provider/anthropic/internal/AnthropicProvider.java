package otterbot.provider.anthropic.internal;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;
import otterbot.provider.support.Endpoint;
import otterbot.provider.support.Failures;
import otterbot.provider.support.GuardedSink;
import otterbot.provider.support.ModelListing;
import otterbot.provider.support.ProviderConfiguration;
import otterbot.provider.support.ProviderRuntime;
import otterbot.provider.support.Redactor;
import otterbot.provider.support.Requests;
import otterbot.provider.support.Secrets;

/** Anthropic: the Messages API, streamed, with an API key. */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=anthropic",
    configurationPid = "otterbot.provider.anthropic") // <home>/etc/otterbot.provider.anthropic.cfg: one PID per bundle (a PID is bound to one bundle)
public final class AnthropicProvider implements ModelProvider {
  static final String API_KEY_ENV = "ANTHROPIC_API_KEY";
  static final String BASE_URL_ENV = "ANTHROPIC_BASE_URL";
  static final ProviderInfo INFO = new ProviderInfo("anthropic", "Anthropic", true, false, true, API_KEY_ENV,
      BASE_URL_ENV, "https://api.anthropic.com/v1");
  /** The API version this code speaks; Anthropic keeps each version's wire format stable. */
  static final String API_VERSION = "2023-06-01";

  private final ProviderRuntime runtime;

  @Activate
  public AnthropicProvider(ProviderConfiguration config) {
    this(ProviderRuntime.idleTimeout(config));
  }

  AnthropicProvider(Duration idleTimeout) {
    this.runtime = new ProviderRuntime(INFO.id(), idleTimeout);
  }

  @Override
  public ProviderInfo info() {
    return INFO;
  }

  @Override
  public List<String> listModels(Map<String, String> secrets) throws ProviderException {
    Endpoint endpoint = Endpoint.resolve(secrets, BASE_URL_ENV, INFO.defaultBaseUrl());
    Failures failures = new Failures(INFO.label(), endpoint.display(), Redactor.of(secrets));
    // The list is paged at 20 by default; one page of the maximum size holds every model.
    HttpRequest request = authorized(Requests.to(endpoint, "/models?limit=1000", failures), secrets).GET().build();
    return ModelListing.fetch(runtime, request, failures);
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    Map<String, String> secrets = request.secrets();
    Endpoint endpoint = Endpoint.resolve(secrets, BASE_URL_ENV, INFO.defaultBaseUrl());
    Failures failures = new Failures(INFO.label(), endpoint.display(), Redactor.of(secrets));
    HttpRequest http;
    try {
      byte[] body = MessagesRequest.body(request);
      http = authorized(Requests.to(endpoint, "/messages", failures), secrets)
          .header("content-type", "application/json")
          .header("accept", "text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
    } catch (ProviderException | IllegalArgumentException e) {
      // Both carry messages written by us: a missing or unsendable key, a bad base URL, a tool with an invalid schema.
      return runtime.fail(sink, e.getMessage());
    }
    GuardedSink guarded = new GuardedSink(sink);
    return runtime.stream(http, guarded, new MessagesDecoder(guarded, failures), failures);
  }

  @Deactivate
  void deactivate() {
    runtime.close();
  }

  /** Adds the key and version headers; fails before any request when the key is not set. */
  private static HttpRequest.Builder authorized(HttpRequest.Builder request, Map<String, String> secrets)
      throws ProviderException {
    String key = Secrets.valueOr(secrets, API_KEY_ENV, null);
    if (key == null) {
      throw new ProviderException(Failures.missingKey(API_KEY_ENV));
    }
    return Requests.secretHeader(request, "x-api-key", key, API_KEY_ENV).header("anthropic-version", API_VERSION);
  }
}
