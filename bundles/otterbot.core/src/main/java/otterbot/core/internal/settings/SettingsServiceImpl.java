package otterbot.core.internal.settings;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.agent.ModelRef;
import otterbot.api.persistence.SettingsStore;
import otterbot.api.runtime.ServerEnvironment;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;
import otterbot.api.settings.SettingsService;

/**
 * Onboarding state and global settings, kept in the settings store under upstream's keys
 * ({@code onboarding_complete}, {@code global_settings}). API keys are stored AES-256-GCM encrypted
 * ({@link SecretBox}); the decrypted settings are held in memory only.
 */
@Component(service = SettingsService.class, immediate = true)
public final class SettingsServiceImpl implements SettingsService {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsServiceImpl.class);
  static final String KEY_ONBOARDING = "onboarding_complete";
  static final String KEY_GLOBAL = "global_settings";
  static final String KEY_FILE = "secret.key";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final SettingsStore store;
  private final SecretBox box;
  private final GlobalSettings defaults;
  private volatile GlobalSettings current;
  private volatile boolean onboarded;

  @Activate
  public SettingsServiceImpl(@Reference SettingsStore store, @Reference ServerEnvironment env) throws IOException {
    this(store, SecretBox.open(System.getenv("OTTERBOT_SECRET_KEY"), env.home().resolve(KEY_FILE)), System.getenv());
  }

  SettingsServiceImpl(SettingsStore store, SecretBox box, Map<String, String> env) {
    this.store = store;
    this.box = box;
    this.defaults = SettingsRules.defaults(env);
    this.current = SettingsRules.normalise(load(), defaults);
    this.onboarded = "true".equals(store.get(KEY_ONBOARDING).orElse(null));
  }

  @Override
  public boolean onboardingComplete() {
    return onboarded;
  }

  @Override
  public synchronized void completeOnboarding() {
    store.put(KEY_ONBOARDING, "true");
    onboarded = true;
  }

  @Override
  public GlobalSettings global() {
    return SettingsRules.redact(current);
  }

  @Override
  public synchronized GlobalSettings updateGlobal(GlobalSettings incoming) {
    GlobalSettings merged = SettingsRules.merge(current, incoming, defaults);
    store.put(KEY_GLOBAL, toStored(merged));
    current = merged;
    LOG.info("Global settings updated (providers with a key: {})",
        merged.providers().entrySet().stream().filter(e -> e.getValue().apiKey() != null).map(Map.Entry::getKey).toList());
    return SettingsRules.redact(merged);
  }

  @Override
  public Map<String, String> providerSecrets() {
    return SettingsRules.secrets(current);
  }

  private GlobalSettings load() {
    String json = store.get(KEY_GLOBAL).orElse(null);
    if (json == null) {
      return defaults;
    }
    try {
      Stored stored = JSON.readValue(json, Stored.class);
      var providers = new LinkedHashMap<String, ProviderSettings>();
      if (stored.providers() != null) {
        stored.providers().forEach((id, p) -> providers.put(id, new ProviderSettings(p.baseUrl(), null,
            p.apiKey() == null ? null : decrypt(id, p.apiKey()), p.authMethod())));
      }
      return new GlobalSettings(stored.theme(), stored.defaultChatModel(), stored.defaultEmbeddingModel(), providers);
    } catch (JsonProcessingException e) {
      LOG.error("The stored global settings are unreadable ({}); using the defaults until they are saved again",
          e.getOriginalMessage());
      return defaults;
    }
  }

  private String decrypt(String provider, String sealed) {
    try {
      return box.decrypt(sealed);
    } catch (IllegalStateException e) {
      // A changed OTTERBOT_SECRET_KEY or a replaced key file: say so loudly, keep running without that key.
      LOG.error("The stored API key of provider {} cannot be decrypted with the current secret key; set it again", provider);
      return null;
    }
  }

  private String toStored(GlobalSettings s) {
    var providers = new LinkedHashMap<String, StoredProvider>();
    s.providers().forEach((id, p) -> providers.put(id,
        new StoredProvider(p.baseUrl(), p.apiKey() == null ? null : box.encrypt(p.apiKey()), p.authMethod())));
    try {
      return JSON.writeValueAsString(new Stored(s.theme(), s.defaultChatModel(), s.defaultEmbeddingModel(), providers));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the global settings", e);
    }
  }

  /** The stored form: like {@link GlobalSettings}, with each API key sealed. */
  record Stored(String theme, ModelRef defaultChatModel, ModelRef defaultEmbeddingModel,
      Map<String, StoredProvider> providers) {}

  record StoredProvider(String baseUrl, String apiKey, String authMethod) {}
}
