package otterbot.provider.openai.internal;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.EmbeddingRequest;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderException;
import otterbot.provider.support.Failures;
import otterbot.provider.support.GuardedSink;
import otterbot.provider.support.Json;
import otterbot.provider.support.OpenAiCompatible;
import otterbot.provider.support.OpenAiCompatibleProvider;
import otterbot.provider.support.ProviderConfiguration;
import otterbot.provider.support.ProviderRuntime;
import otterbot.provider.support.Redactor;
import otterbot.provider.support.Secrets;

/**
 * OpenAI: chat completions with an API key ({@code OPENAI_BASE_URL} points it at a proxy or Azure-style gateway), or,
 * when the effective secret {@code OPENAI_AUTH_METHOD} is {@code oauth}, the Codex Responses backend with the
 * instance's ChatGPT sign-in (upstream-behaviour §11.3).
 */
@Component(service = ModelProvider.class, property = ModelProvider.PROVIDER_ID + "=openai",
    configurationPid = "otterbot.provider.openai") // <home>/etc/otterbot.provider.openai.cfg: one PID per bundle (a PID is bound to one bundle)
public final class OpenAiProvider extends OpenAiCompatibleProvider {
  static final OpenAiCompatible SETTINGS = new OpenAiCompatible("openai", "OpenAI", true, true, "OPENAI_API_KEY",
      "OPENAI_BASE_URL", "https://api.openai.com/v1", null, "max_completion_tokens");
  /** The secret upstream uses to choose ChatGPT sign-in over an API key. */
  static final String AUTH_METHOD = "OPENAI_AUTH_METHOD";
  /** Upstream's list when the backend's own cannot be had (§11.4). */
  static final List<String> FALLBACK_MODELS = List.of("gpt-5.4-codex", "gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex",
      "gpt-5.3-codex-spark", "gpt-5.2-codex", "gpt-5.1-codex-max", "gpt-5.1-codex-mini");

  private final String codexBaseUrl;
  /** Upstream sends one {@code session_id} per model instance; ours is per provider instance. */
  private final String sessionId = UUID.randomUUID().toString();
  private volatile CodexAccess access;

  @Activate
  public OpenAiProvider(ProviderConfiguration config, OpenAiConfiguration oauth) {
    this(ProviderRuntime.idleTimeout(config), OAuthSettings.of(oauth).codexBaseUrl());
  }

  OpenAiProvider(Duration idleTimeout, String codexBaseUrl) {
    super(SETTINGS, idleTimeout);
    this.codexBaseUrl = codexBaseUrl;
  }

  // Optional: without the sign-in (no vault yet, or the core restarting) API-key chats still work.
  @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void setAccess(CodexAccess access) {
    this.access = access;
  }

  synchronized void unsetAccess(CodexAccess gone) {
    if (access == gone) {
      access = null;
    }
  }

  static boolean oauth(Map<String, String> secrets) {
    return "oauth".equalsIgnoreCase(Secrets.valueOr(secrets, AUTH_METHOD, ""));
  }

  @Override
  public ChatCall chat(ChatRequest request, ChatSink sink) {
    if (!oauth(request.secrets())) {
      return super.chat(request, sink);
    }
    byte[] body;
    try {
      body = CodexRequest.body(request);
    } catch (IllegalArgumentException e) {
      return runtime().fail(sink, e.getMessage());
    }
    GuardedSink guarded = new GuardedSink(sink);
    DeferredCall call = new DeferredCall(guarded);
    // The token may need a refresh (a request to the issuer): never on the caller's thread.
    try {
      runtime().execute(() -> startCodex(body, guarded, call));
    } catch (RejectedExecutionException stopped) {
      return runtime().fail(sink, Failures.stopped(SETTINGS.id()));
    }
    return call;
  }

  private void startCodex(byte[] body, GuardedSink sink, DeferredCall call) {
    if (sink.isDone()) {
      return; // cancelled before it started
    }
    CodexAccess.Credentials credentials;
    try {
      credentials = credentials();
    } catch (ProviderException e) {
      sink.failed(e.getMessage());
      return;
    }
    CodexFailures failures = failures(credentials);
    HttpRequest http;
    try {
      http = codexRequest("/responses", credentials)
          .header("content-type", "application/json")
          .header("accept", "text/event-stream")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
    } catch (IllegalArgumentException e) {
      sink.failed("the ChatGPT access token cannot be sent in an HTTP header");
      return;
    }
    call.started(runtime().stream(http, sink, new ResponsesDecoder(sink, failures), failures));
  }

  private CodexAccess.Credentials credentials() throws ProviderException {
    CodexAccess current = access;
    if (current == null) {
      throw new ProviderException(ChatGptAccount.NOT_CONNECTED);
    }
    return current.credentials();
  }

  /** §11.3's headers on a request to {@code <codexBaseUrl><path>}. */
  private HttpRequest.Builder codexRequest(String path, CodexAccess.Credentials credentials) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(codexBaseUrl + path))
        .header("authorization", "Bearer " + credentials.accessToken())
        .header("openai-beta", "responses=experimental")
        .header("originator", "codex_cli_rs")
        .header("User-Agent", "codex_cli_rs/0.0.0 (Otterbot)")
        .header("session_id", sessionId);
    if (credentials.accountId() != null) {
      builder.header("ChatGPT-Account-ID", credentials.accountId());
    }
    return builder;
  }

  private CodexFailures failures(CodexAccess.Credentials credentials) {
    Map<String, String> secrets = new HashMap<>();
    secrets.put("access", credentials.accessToken());
    CodexAccess current = access;
    return new CodexFailures(codexBaseUrl, Redactor.of(secrets), () -> {
      if (current != null) {
        current.rejected(credentials.accessToken());
      }
    });
  }

  /**
   * With ChatGPT sign-in: the backend's list ({@code GET <codex>/models?client_version=1.0.0}: visible ones by
   * priority), or upstream's fixed list when it cannot be had. Without a connected account: that error, rather than a
   * list that could not be used.
   */
  @Override
  public List<String> listModels(Map<String, String> secrets) throws ProviderException {
    if (!oauth(secrets)) {
      return super.listModels(secrets);
    }
    CodexAccess.Credentials credentials = credentials();
    try {
      HttpRequest request = codexRequest("/models?client_version=1.0.0", credentials)
          .header("accept", "application/json").GET().build();
      HttpResponse<String> response = runtime().fetch(request, failures(credentials));
      JsonNode models = response.statusCode() / 100 == 2 ? Json.parseOrNull(response.body()) : null;
      List<JsonNode> visible = new ArrayList<>();
      if (models != null) {
        for (JsonNode model : models.path("models")) {
          if (!"hidden".equals(model.path("visibility").textValue()) && model.path("slug").isTextual()) {
            visible.add(model);
          }
        }
      }
      visible.sort(Comparator.comparingInt(m -> m.path("priority").asInt(Integer.MAX_VALUE)));
      List<String> slugs = visible.stream().map(m -> m.path("slug").textValue()).toList();
      return slugs.isEmpty() ? FALLBACK_MODELS : slugs;
    } catch (ProviderException | IllegalArgumentException e) {
      return FALLBACK_MODELS;
    }
  }

  @Override
  public List<float[]> embed(EmbeddingRequest request) throws ProviderException {
    if (oauth(request.secrets())) {
      throw new ProviderException("embeddings are not available with ChatGPT sign-in; set an OpenAI API key and "
          + "authMethod \"api-key\", or use another embedding provider");
    }
    return super.embed(request);
  }

  @Deactivate
  void deactivate() {
    close();
  }

  /** A call whose stream starts after the token is known; cancelling before that stops it from starting. */
  private static final class DeferredCall implements ChatCall {
    private final GuardedSink sink;
    private ChatCall stream;
    private boolean cancelled;

    DeferredCall(GuardedSink sink) {
      this.sink = sink;
    }

    synchronized void started(ChatCall call) {
      stream = call;
      if (cancelled) {
        call.cancel();
      }
    }

    @Override
    public void cancel() {
      sink.close();
      ChatCall current;
      synchronized (this) {
        cancelled = true;
        current = stream;
      }
      if (current != null) {
        current.cancel();
      }
    }
  }
}
