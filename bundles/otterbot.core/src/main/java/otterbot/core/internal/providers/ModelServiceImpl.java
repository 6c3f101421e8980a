package otterbot.core.internal.providers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatMessage;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.provider.ToolCall;
import otterbot.api.settings.SettingsService;
import otterbot.core.internal.PluginCalls;
import otterbot.core.internal.secrets.KeyBinding;
import otterbot.core.internal.secrets.Scrubber;

/**
 * The providers registered right now. Providers are tracked dynamically: a provider bundle that starts is usable at
 * once, one that stops is gone, and whoever runs a call on it hears about the removal ({@link #onRemoved}) so that
 * no chat waits for a provider that no longer exists.
 */
@Component(service = {ModelService.class, ModelServiceImpl.class})
public final class ModelServiceImpl implements ModelService {
  private static final Logger LOG = LoggerFactory.getLogger(ModelServiceImpl.class);
  static final String BUILTIN = "builtin";
  static final String TEST_PROMPT = "Reply with exactly the word: ready";
  static final int TEST_MAX_TOKENS = 24;
  static final long TEST_TIMEOUT_SECONDS = 60;
  /** How long a provider may take to list its models, or to start a call. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  /** A model list longer than this, or a model id longer than {@link #MAX_MODEL_ID}, is cut: it is not a list. */
  static final int MAX_MODELS = 10_000;
  static final int MAX_MODEL_ID = 500;

  private final SettingsService settings;
  /** id → the registered providers with that id, best (highest ranking) first; guarded by {@code this}. */
  private final Map<String, List<Registered>> byId = new HashMap<>();
  private final List<Consumer<ModelProvider>> removalListeners = new CopyOnWriteArrayList<>();
  private final PluginCalls plugins = new PluginCalls("otterbot-provider-");

  @Activate
  public ModelServiceImpl(@Reference SettingsService settings) {
    this.settings = settings;
  }

  @Deactivate
  void deactivate() {
    plugins.close();
  }

  /** The provider's description is read and checked once, here ({@link ProviderInfos}); a bad one is skipped. */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
  public void bindProvider(ModelProvider provider, Map<String, Object> props) {
    ProviderInfo info = ProviderInfos.of(provider).orElse(null);
    if (info == null) {
      return;
    }
    Object declared = props.get(ModelProvider.PROVIDER_ID);
    if (declared != null && !info.id().equals(declared)) {
      LOG.warn("Ignoring model provider {}: its {} property must equal info().id()", provider.getClass().getName(),
          ModelProvider.PROVIDER_ID);
      return;
    }
    int ranking = props.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
    synchronized (this) {
      List<Registered> list = byId.computeIfAbsent(info.id(), k -> new ArrayList<>());
      list.add(new Registered(provider, ranking, info));
      list.sort(Comparator.comparingInt(Registered::ranking).reversed());
    }
    LOG.info("Model provider '{}' ({}) is available", info.id(), info.label());
  }

  public void unbindProvider(ModelProvider provider) {
    boolean removed = false;
    synchronized (this) {
      for (var it = byId.values().iterator(); it.hasNext();) {
        List<Registered> list = it.next();
        removed |= list.removeIf(r -> r.provider() == provider);
        if (list.isEmpty()) {
          it.remove();
        }
      }
    }
    if (removed) {
      LOG.info("Model provider '{}' is gone", safeId(provider));
      removalListeners.forEach(listener -> listener.accept(provider));
    }
  }

  /** Calls the listener (on the unregistering thread) with every provider that goes away. */
  public void onRemoved(Consumer<ModelProvider> listener) {
    removalListeners.add(listener);
  }

  public void removeListener(Consumer<ModelProvider> listener) {
    removalListeners.remove(listener);
  }

  @Override
  public synchronized List<ProviderInfo> providers() {
    return byId.values().stream().map(list -> list.get(0).info())
        .sorted(Comparator.comparing((ProviderInfo info) -> BUILTIN.equals(info.id())).thenComparing(ProviderInfo::id))
        .toList();
  }

  @Override
  public synchronized Optional<ModelProvider> provider(String id) {
    List<Registered> list = id == null ? null : byId.get(id);
    return list == null ? Optional.empty() : Optional.of(list.get(0).provider());
  }

  /** The message for a provider id that is not registered, naming those that are. */
  public String unknownProvider(String id) {
    return "Unknown provider: " + id + " (installed: "
        + String.join(", ", providers().stream().map(ProviderInfo::id).toList()) + ")";
  }

  @Override
  public List<String> listModels(String providerId, Map<String, String> secrets) throws ProviderException {
    ModelProvider provider = provider(providerId).orElseThrow(() -> new ProviderException(unknownProvider(providerId)));
    Map<String, String> effective = overlay(providerId, secrets);
    try {
      List<String> models = plugins.call(() -> provider.listModels(effective), CALL_TIMEOUT);
      if (models == null) {
        throw new ProviderException("provider " + providerId + " returned no model list");
      }
      return models.stream().limit(MAX_MODELS).filter(m -> m != null && !m.isBlank() && m.length() <= MAX_MODEL_ID)
          .distinct().sorted().toList();
    } catch (ProviderException e) {
      throw new ProviderException(Scrubber.scrub(e.getMessage(), Scrubber.secretValues(effective)));
    } catch (PluginCalls.Timeout e) {
      LOG.warn("Provider '{}' did not list its models within {} s", providerId, CALL_TIMEOUT.toSeconds());
      throw new ProviderException("provider " + providerId + " did not answer within " + CALL_TIMEOUT.toSeconds()
          + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted");
    } catch (Exception e) {
      LOG.warn("Provider '{}' failed to list models: {}", providerId, Scrubber.scrub(e.toString(), Scrubber.secretValues(effective)));
      throw new ProviderException("provider " + providerId + " failed: "
          + Scrubber.scrub(String.valueOf(e.getMessage()), Scrubber.secretValues(effective)));
    }
  }

  @Override
  public String testModel(String providerId, String modelId, Map<String, String> secrets) throws ProviderException {
    ModelProvider provider = provider(providerId).orElseThrow(() -> new ProviderException(unknownProvider(providerId)));
    Map<String, String> effective = overlay(providerId, secrets);
    var text = new StringBuilder();
    var outcome = new CompletableFuture<String>();
    ChatRequest request = new ChatRequest(modelId, "", List.of(ChatMessage.user(TEST_PROMPT)), List.of(), effective,
        TEST_MAX_TOKENS);
    ChatCall call;
    try {
      call = plugins.call(() -> provider.chat(request, new ChatSink() {
      @Override
      public void text(String delta) {
        synchronized (text) {
          text.append(delta);
        }
      }

      @Override
      public void toolCall(ToolCall toolCall) {
        // No tools were offered; nothing to do.
      }

      @Override
      public void completed(String finishReason) {
        synchronized (text) {
          outcome.complete(text.toString());
        }
      }

      @Override
      public void failed(String message) {
        outcome.completeExceptionally(new ProviderException(message));
      }
    }), CALL_TIMEOUT);
      if (call == null) {
        throw new ProviderException("provider " + providerId + " returned no call");
      }
    } catch (ProviderException e) {
      throw e;
    } catch (PluginCalls.Timeout e) {
      throw new ProviderException("provider " + providerId + " did not start the call within "
          + CALL_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted");
    } catch (Exception e) {
      // A provider that breaks its contract by throwing is reported like any other provider failure.
      LOG.warn("Provider '{}' failed to start a call: {}", providerId, Scrubber.scrub(e.toString(), Scrubber.secretValues(effective)));
      throw new ProviderException("provider " + providerId + " failed: "
          + Scrubber.scrub(String.valueOf(e.getMessage()), Scrubber.secretValues(effective)));
    }
    try {
      String reply = outcome.get(TEST_TIMEOUT_SECONDS, TimeUnit.SECONDS).strip();
      return reply.length() > 120 ? reply.substring(0, 120) : reply;
    } catch (ExecutionException e) {
      throw new ProviderException(Scrubber.scrub(e.getCause().getMessage(), Scrubber.secretValues(effective)));
    } catch (TimeoutException e) {
      call.cancel();
      throw new ProviderException("the model did not answer within " + TEST_TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      call.cancel();
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted");
    }
  }

  /**
   * The global provider secrets overlaid by a request's, each key kept to the endpoint it was given for
   * ({@link KeyBinding}): a request that points a provider elsewhere must bring its own key.
   *
   * @throws OtterbotException (invalid) when the called provider needs a key and the only one there is was withheld
   */
  private Map<String, String> overlay(String providerId, Map<String, String> secrets) {
    KeyBinding.Result result = KeyBinding.merge(providers(), List.of(settings.providerSecrets(),
        secrets == null ? Map.of() : secrets));
    for (KeyBinding.Withheld w : result.withheld()) {
      LOG.info("Provider '{}': {}", w.provider().id(), w.describe());
      if (w.provider().id().equals(providerId) && w.provider().needsApiKey()) {
        throw OtterbotException.invalid(w.describe());
      }
    }
    return result.secrets();
  }

  private static String safeId(ModelProvider provider) {
    return ProviderInfos.of(provider).map(ProviderInfo::id).orElse(provider.getClass().getName());
  }

  private record Registered(ModelProvider provider, int ranking, ProviderInfo info) {}
}
