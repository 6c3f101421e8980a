package otterbot.core.internal.providers;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.core.internal.PluginCalls;

/**
 * Each provider's {@link ModelProvider#info()}, asked once (on a plug-in thread, with a timeout), checked and kept for
 * as long as the provider object lives: the provider list, the global settings and every chat read this snapshot, so
 * a provider whose {@code info()} throws, hangs or returns nonsense is skipped (and logged once) instead of failing
 * {@code GET /api/providers} or {@code GET /api/settings/global} on every call.
 */
public final class ProviderInfos {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderInfos.class);
  static final Duration INFO_TIMEOUT = Duration.ofSeconds(5);
  /** Provider ids: what model references and settings keys can hold. */
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  /** Secret names ({@code OPENAI_API_KEY}). */
  static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
  static final int MAX_LABEL = 200;
  static final int MAX_URL = 2000;

  /** By identity of the provider object, weakly: a provider of an uninstalled bundle is not kept alive here. */
  private static final Map<ModelProvider, Optional<ProviderInfo>> SNAPSHOTS =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static final PluginCalls CALLS = new PluginCalls("otterbot-provider-info-");

  private ProviderInfos() {}

  /** The provider's checked description, or empty when it has none that can be used (logged the first time). */
  public static Optional<ProviderInfo> of(ModelProvider provider) {
    Optional<ProviderInfo> known = SNAPSHOTS.get(provider);
    if (known != null) {
      return known;
    }
    // Asked outside any lock; two threads asking at once both ask, and the first answer is kept.
    Optional<ProviderInfo> info = Optional.ofNullable(ask(provider));
    Optional<ProviderInfo> previous = SNAPSHOTS.putIfAbsent(provider, info);
    return previous != null ? previous : info;
  }

  private static ProviderInfo ask(ModelProvider provider) {
    String name = provider.getClass().getName();
    ProviderInfo info;
    try {
      info = CALLS.call(provider::info, INFO_TIMEOUT);
    } catch (PluginCalls.Timeout e) {
      LOG.warn("Ignoring model provider {}: its info() did not answer within {} s", name, INFO_TIMEOUT.toSeconds());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      LOG.warn("Ignoring model provider {}: its info() failed: {}", name, e.toString());
      return null;
    }
    String problem = problem(info);
    if (problem != null) {
      LOG.warn("Ignoring model provider {}: its info() {}", name, problem);
      return null;
    }
    return info;
  }

  /** What is wrong with a description, or null. */
  static String problem(ProviderInfo info) {
    if (info == null) {
      return "returned null";
    }
    if (info.id() == null || !ID.matcher(info.id()).matches()) {
      return "has an id that is not 1 to 64 lower-case letters, digits, '.', '_' or '-'";
    }
    if (info.label() == null || info.label().isBlank() || info.label().length() > MAX_LABEL) {
      return "has no label of 1 to " + MAX_LABEL + " characters";
    }
    if (!envOk(info.apiKeyEnv()) || !envOk(info.baseUrlEnv())) {
      return "names a secret that is not a variable name (letters, digits, '_')";
    }
    if (info.defaultBaseUrl() != null && (info.defaultBaseUrl().length() > MAX_URL
        || !(info.defaultBaseUrl().startsWith("http://") || info.defaultBaseUrl().startsWith("https://")))) {
      return "has a defaultBaseUrl that is not an http(s) URL of at most " + MAX_URL + " characters";
    }
    return null;
  }

  private static boolean envOk(String name) {
    return name == null || ENV.matcher(name).matches();
  }
}
