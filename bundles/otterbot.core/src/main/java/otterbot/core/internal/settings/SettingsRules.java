package otterbot.core.internal.settings;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import otterbot.api.OtterbotException;
import otterbot.api.agent.ModelRef;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;
import otterbot.core.internal.ModelRefs;
import otterbot.core.internal.secrets.KeyBinding;

/**
 * Global settings rules (upstream-behaviour §12): defaults, normalisation, the PUT merge and redaction. Settings
 * here are held in plain form (API keys decrypted); encryption happens at the storage boundary.
 */
final class SettingsRules {
  static final List<String> THEMES = List.of("obsidian", "light", "forest");
  static final String DEFAULT_THEME = "obsidian";
  static final String OPENAI = "openai";
  static final String AUTH_API_KEY = "api-key";
  static final String AUTH_OAUTH = "oauth";
  static final int MAX_API_KEY = 4096;
  static final int MAX_URL = 2048;

  static final String BUILTIN = "builtin";
  static final String LMSTUDIO = "lmstudio";

  /**
   * The default chat and embedding model on a fresh install: the built-in offline provider, so that chatting works
   * with no keys and no network. Agents on it follow the global default once the user picks a real model.
   */
  static final ModelRef DEFAULT_MODEL = new ModelRef(BUILTIN, "offline");

  private SettingsRules() {}

  /**
   * Defaults used while nothing is stored. As upstream, LM Studio's endpoint, key and model may come from the
   * environment ({@code LMSTUDIO_BASE_URL}, {@code LMSTUDIO_API_KEY}, {@code LMSTUDIO_MODEL}); the provider entry
   * here only carries those overrides, every other entry comes from the registered provider's own defaults.
   */
  static GlobalSettings defaults(Map<String, String> env) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    String lmUrl = blankToNull(env.get("LMSTUDIO_BASE_URL"));
    String lmKey = blankToNull(env.get("LMSTUDIO_API_KEY"));
    if (lmUrl != null || lmKey != null) {
      providers.put(LMSTUDIO, new ProviderSettings(lmUrl == null ? null : lmUrl.strip(), lmKey != null, lmKey, null));
    }
    String lmModel = blankToNull(env.get("LMSTUDIO_MODEL"));
    ModelRef model = lmModel != null ? new ModelRef(LMSTUDIO, lmModel.strip()) : DEFAULT_MODEL;
    return new GlobalSettings(DEFAULT_THEME, model, model, providers);
  }

  /**
   * The settings as they apply now: every known provider present (its default entry overlaid by the given one),
   * {@code apiKeyConfigured} recomputed from the key actually held, OpenAI's auth method forced to {@code api-key}
   * unless it is {@code oauth}, a missing theme or model replaced by the default. Entries of providers that are not
   * registered right now are kept after the known ones (their bundle may come back; nothing is lost).
   *
   * @param known the configurable providers registered now, in display order
   */
  static GlobalSettings normalise(GlobalSettings s, GlobalSettings defaults, Map<String, ProviderInfo> known) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    for (ProviderInfo info : known.values()) {
      ProviderSettings given = s.providers() == null ? null : s.providers().get(info.id());
      providers.put(info.id(), entry(info.id(), given != null ? given : defaults.providers().get(info.id()),
          info.defaultBaseUrl()));
    }
    if (s.providers() != null) {
      s.providers().forEach((id, given) -> {
        if (!providers.containsKey(id) && given != null) {
          providers.put(id, entry(id, given, null));
        }
      });
    }
    return new GlobalSettings(
        s.theme() != null ? s.theme() : defaults.theme(),
        s.defaultChatModel() != null ? s.defaultChatModel() : defaults.defaultChatModel(),
        s.defaultEmbeddingModel() != null ? s.defaultEmbeddingModel() : defaults.defaultEmbeddingModel(),
        providers);
  }

  private static ProviderSettings entry(String id, ProviderSettings given, String defaultBaseUrl) {
    String baseUrl = given != null && given.baseUrl() != null ? given.baseUrl() : defaultBaseUrl;
    String apiKey = given == null ? null : blankToNull(given.apiKey());
    String auth = null;
    if (OPENAI.equals(id)) {
      auth = given != null && AUTH_OAUTH.equals(given.authMethod()) ? AUTH_OAUTH : AUTH_API_KEY;
    }
    return new ProviderSettings(baseUrl, apiKey != null, apiKey, auth);
  }

  /**
   * Validates a PUT body and merges it into the current settings: per provider in the body, an absent
   * {@code apiKey} keeps the stored key unless {@code baseUrl} moves to another endpoint (then the key is dropped),
   * {@code ""} clears it and any other value replaces it; an absent {@code baseUrl} keeps the stored one. Upstream crashes (500) on an unknown provider without a key and silently
   * drops one with a key; we answer 400 naming the known providers.
   *
   * @param current the normalised current settings
   */
  static GlobalSettings merge(GlobalSettings current, GlobalSettings in, GlobalSettings defaults,
      Map<String, ProviderInfo> known) {
    if (in == null || in.defaultChatModel() == null || in.defaultEmbeddingModel() == null || in.providers() == null) {
      throw OtterbotException.invalid("theme, default models, and providers are required");
    }
    if (in.theme() != null && !THEMES.contains(in.theme())) {
      throw OtterbotException.invalid("theme must be one of " + String.join(", ", THEMES));
    }
    ModelRef chat = ModelRefs.valid(in.defaultChatModel(), "defaultChatModel", false);
    ModelRef embedding = ModelRefs.valid(in.defaultEmbeddingModel(), "defaultEmbeddingModel", false);
    var providers = new LinkedHashMap<>(current.providers());
    for (var entry : in.providers().entrySet()) {
      String id = entry.getKey();
      if (!known.containsKey(id)) {
        throw OtterbotException.invalid("unknown provider '" + clip(id) + "' (known: "
            + String.join(", ", known.keySet()) + ")");
      }
      ProviderSettings given = entry.getValue();
      if (given == null) {
        throw OtterbotException.invalid("providers." + id + " must be an object");
      }
      ProviderSettings stored = current.providers().get(id);
      String baseUrl = given.baseUrl() == null ? stored.baseUrl() : validUrl(given.baseUrl(), "providers." + id + ".baseUrl");
      String apiKey;
      if (given.apiKey() == null) {
        // A stored key stays with the endpoint it was given for: moving the endpoint without a new key drops it, so
        // a settings change cannot send the key somewhere else (the resource tells the client which were dropped).
        apiKey = KeyBinding.sameEndpoint(baseUrl, stored.baseUrl()) ? stored.apiKey() : null;
      } else if (given.apiKey().isEmpty()) {
        apiKey = null;
      } else {
        apiKey = validKey(given.apiKey(), "providers." + id + ".apiKey");
      }
      String auth = stored.authMethod();
      if (OPENAI.equals(id) && given.authMethod() != null) {
        if (!AUTH_API_KEY.equals(given.authMethod()) && !AUTH_OAUTH.equals(given.authMethod())) {
          throw OtterbotException.invalid("providers.openai.authMethod must be 'api-key' or 'oauth'");
        }
        auth = given.authMethod();
      }
      providers.put(id, new ProviderSettings(baseUrl, apiKey != null, apiKey, auth));
    }
    return normalise(new GlobalSettings(in.theme() != null ? in.theme() : current.theme(), chat, embedding, providers),
        defaults, known);
  }

  /** The settings as clients see them: the registered providers only, and no API key anywhere. */
  static GlobalSettings redact(GlobalSettings s, Map<String, ProviderInfo> known) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    s.providers().forEach((id, p) -> {
      if (known.containsKey(id)) {
        providers.put(id, new ProviderSettings(p.baseUrl(), p.apiKey() != null, null, p.authMethod()));
      }
    });
    return new GlobalSettings(s.theme(), s.defaultChatModel(), s.defaultEmbeddingModel(), providers);
  }

  /**
   * {@code <P>_API_KEY}, {@code <P>_BASE_URL} and {@code OPENAI_AUTH_METHOD}, as upstream derives them; the names
   * are the ones the provider declares ({@link ProviderInfo#apiKeyEnv()}), else upstream's {@code <ID>_...}.
   */
  static Map<String, String> secrets(GlobalSettings s, Map<String, ProviderInfo> known) {
    var out = new LinkedHashMap<String, String>();
    s.providers().forEach((id, p) -> {
      ProviderInfo info = known.get(id);
      String prefix = id.toUpperCase(Locale.ROOT).replace('-', '_');
      if (p.apiKey() != null) {
        out.put(info != null && info.apiKeyEnv() != null ? info.apiKeyEnv() : prefix + "_API_KEY", p.apiKey());
      }
      if (p.baseUrl() != null) {
        out.put(info != null && info.baseUrlEnv() != null ? info.baseUrlEnv() : prefix + "_BASE_URL", p.baseUrl());
      }
      if (OPENAI.equals(id) && p.authMethod() != null) {
        out.put("OPENAI_AUTH_METHOD", p.authMethod());
      }
    });
    return out;
  }

  private static String validUrl(String value, String field) {
    String url = value.strip();
    if (url.length() > MAX_URL) {
      throw OtterbotException.invalid(field + " is longer than " + MAX_URL + " characters");
    }
    try {
      URI uri = new URI(url);
      if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          || uri.getHost() == null) {
        throw OtterbotException.invalid(field + " must be an http or https URL");
      }
    } catch (java.net.URISyntaxException e) {
      throw OtterbotException.invalid(field + " must be an http or https URL");
    }
    return url;
  }

  private static String validKey(String value, String field) {
    if (value.length() > MAX_API_KEY) {
      throw OtterbotException.invalid(field + " is longer than " + MAX_API_KEY + " characters");
    }
    if (value.chars().anyMatch(c -> Character.isISOControl(c) || c == ' ')) {
      // Do not echo the value: it is a secret.
      throw OtterbotException.invalid(field + " must not contain spaces or control characters");
    }
    return value;
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
