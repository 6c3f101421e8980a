package otterbot.core.internal.settings;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import otterbot.api.OtterbotException;
import otterbot.api.agent.ModelRef;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;
import otterbot.core.internal.ModelRefs;

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

  /** The providers the settings know, in display order, with their default endpoints. */
  static final Map<String, String> DEFAULT_BASE_URLS = orderedMap(
      "anthropic", "https://api.anthropic.com/v1",
      "openai", "https://api.openai.com/v1",
      "lmstudio", "http://localhost:1234/v1",
      "ollama", "http://localhost:11434/v1");

  static final ModelRef DEFAULT_MODEL = new ModelRef("lmstudio", "local-model");

  private SettingsRules() {}

  /**
   * Defaults used while nothing is stored. As upstream, LM Studio's endpoint, key and model may come from the
   * environment ({@code LMSTUDIO_BASE_URL}, {@code LMSTUDIO_API_KEY}, {@code LMSTUDIO_MODEL}).
   */
  static GlobalSettings defaults(Map<String, String> env) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    DEFAULT_BASE_URLS.forEach((id, url) -> providers.put(id, new ProviderSettings(url, false, null,
        OPENAI.equals(id) ? AUTH_API_KEY : null)));
    String lmUrl = env.get("LMSTUDIO_BASE_URL");
    String lmKey = env.get("LMSTUDIO_API_KEY");
    if ((lmUrl != null && !lmUrl.isBlank()) || (lmKey != null && !lmKey.isBlank())) {
      providers.put("lmstudio", new ProviderSettings(
          lmUrl != null && !lmUrl.isBlank() ? lmUrl.strip() : DEFAULT_BASE_URLS.get("lmstudio"),
          lmKey != null && !lmKey.isBlank(), blankToNull(lmKey), null));
    }
    String lmModel = env.get("LMSTUDIO_MODEL");
    ModelRef model = lmModel != null && !lmModel.isBlank() ? new ModelRef("lmstudio", lmModel.strip()) : DEFAULT_MODEL;
    return new GlobalSettings(DEFAULT_THEME, model, model, providers);
  }

  /**
   * Fills in every known provider (default entry overlaid by the given one), drops unknown providers, recomputes
   * {@code apiKeyConfigured} from the key actually held, forces OpenAI's auth method to {@code api-key} unless it is
   * {@code oauth}, and falls back to defaults for a missing theme or model.
   */
  static GlobalSettings normalise(GlobalSettings s, GlobalSettings defaults) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    for (String id : DEFAULT_BASE_URLS.keySet()) {
      ProviderSettings base = defaults.providers().get(id);
      ProviderSettings given = s.providers() == null ? null : s.providers().get(id);
      String baseUrl = given != null && given.baseUrl() != null ? given.baseUrl() : base.baseUrl();
      String apiKey = given != null ? blankToNull(given.apiKey()) : blankToNull(base.apiKey());
      String auth = null;
      if (OPENAI.equals(id)) {
        auth = given != null && AUTH_OAUTH.equals(given.authMethod()) ? AUTH_OAUTH : AUTH_API_KEY;
      }
      providers.put(id, new ProviderSettings(baseUrl, apiKey != null, apiKey, auth));
    }
    return new GlobalSettings(
        s.theme() != null ? s.theme() : defaults.theme(),
        s.defaultChatModel() != null ? s.defaultChatModel() : defaults.defaultChatModel(),
        s.defaultEmbeddingModel() != null ? s.defaultEmbeddingModel() : defaults.defaultEmbeddingModel(),
        providers);
  }

  /**
   * Validates a PUT body and merges it into the current settings: per provider in the body, an absent
   * {@code apiKey} keeps the stored key, {@code ""} clears it and any other value replaces it; an absent
   * {@code baseUrl} keeps the stored one. Upstream crashes (500) on an unknown provider without a key and silently
   * drops one with a key; we answer 400 naming the known providers.
   */
  static GlobalSettings merge(GlobalSettings current, GlobalSettings in, GlobalSettings defaults) {
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
      if (!DEFAULT_BASE_URLS.containsKey(id)) {
        throw OtterbotException.invalid(
            "unknown provider '" + clip(id) + "' (known: " + String.join(", ", DEFAULT_BASE_URLS.keySet()) + ")");
      }
      ProviderSettings given = entry.getValue();
      if (given == null) {
        throw OtterbotException.invalid("providers." + id + " must be an object");
      }
      ProviderSettings stored = current.providers().get(id);
      String baseUrl = given.baseUrl() == null ? stored.baseUrl() : validUrl(given.baseUrl(), "providers." + id + ".baseUrl");
      String apiKey;
      if (given.apiKey() == null) {
        apiKey = stored.apiKey();
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
        defaults);
  }

  /** The settings as clients see them: no API key anywhere. */
  static GlobalSettings redact(GlobalSettings s) {
    var providers = new LinkedHashMap<String, ProviderSettings>();
    s.providers().forEach((id, p) -> providers.put(id,
        new ProviderSettings(p.baseUrl(), p.apiKey() != null, null, p.authMethod())));
    return new GlobalSettings(s.theme(), s.defaultChatModel(), s.defaultEmbeddingModel(), providers);
  }

  /** {@code <P>_API_KEY}, {@code <P>_BASE_URL} and {@code OPENAI_AUTH_METHOD}, as upstream derives them. */
  static Map<String, String> secrets(GlobalSettings s) {
    var out = new LinkedHashMap<String, String>();
    s.providers().forEach((id, p) -> {
      String prefix = id.toUpperCase(Locale.ROOT);
      if (p.apiKey() != null) {
        out.put(prefix + "_API_KEY", p.apiKey());
      }
      if (p.baseUrl() != null) {
        out.put(prefix + "_BASE_URL", p.baseUrl());
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

  private static Map<String, String> orderedMap(String... kv) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
