package otterbot.core.internal.settings;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import otterbot.api.agent.ModelRef;
import otterbot.api.persistence.SettingsStore;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;
import otterbot.api.settings.SettingsService;
import otterbot.core.internal.providers.ProviderInfos;
import otterbot.core.internal.secrets.SecretBox;

/**
 * Onboarding state and global settings, kept in the settings store under upstream's keys
 * ({@code onboarding_complete}, {@code global_settings}). API keys are stored AES-256-GCM encrypted
 * ({@link SecretBox}); the decrypted settings are held in memory only.
 *
 * <p>The providers the settings know are the {@link ModelProvider} services registered right now (those that take
 * an endpoint or a key). A provider whose bundle is removed disappears from the answers, but its stored entry (and
 * key) is kept for when it comes back.
 */
@Component(service = SettingsService.class, immediate = true)
public final class SettingsServiceImpl implements SettingsService {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsServiceImpl.class);
  static final String KEY_ONBOARDING = "onboarding_complete";
  static final String KEY_GLOBAL = "global_settings";

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private final SettingsStore store;
  private final SecretBox box;
  private final GlobalSettings defaults;
  /** The stored settings merged with the defaults; normalised against the known providers on every read. */
  private volatile GlobalSettings current;
  private volatile boolean onboarded;

  /** Replaced by DS whenever a provider comes or goes. */
  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  volatile List<ModelProvider> providers = List.of();

  @Activate
  public SettingsServiceImpl(@Reference SettingsStore store, @Reference SecretBox box) {
    this(store, box, System.getenv());
  }

  SettingsServiceImpl(SettingsStore store, SecretBox box, Map<String, String> env) {
    this.store = store;
    this.box = box;
    this.defaults = SettingsRules.defaults(env);
    this.current = load();
    this.onboarded = "true".equals(store.get(KEY_ONBOARDING).orElse(null));
  }

  /** The configurable providers registered now, by id in id order. */
  Map<String, ProviderInfo> known() {
    var out = new LinkedHashMap<String, ProviderInfo>();
    // The checked snapshot taken once per provider: a provider whose info() throws or hangs is simply not known.
    providers.stream().map(ProviderInfos::of).flatMap(java.util.Optional::stream).filter(ProviderInfo::configurable)
        .sorted(Comparator.comparing(ProviderInfo::id))
        .forEach(info -> out.putIfAbsent(info.id(), info));
    return out;
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
    Map<String, ProviderInfo> known = known();
    return SettingsRules.redact(SettingsRules.normalise(current, defaults, known), known);
  }

  @Override
  public synchronized GlobalSettings updateGlobal(GlobalSettings incoming) {
    Map<String, ProviderInfo> known = known();
    GlobalSettings merged = SettingsRules.merge(SettingsRules.normalise(current, defaults, known), incoming, defaults, known);
    store.put(KEY_GLOBAL, toStored(merged));
    current = merged;
    LOG.info("Global settings updated (providers with a key: {})",
        merged.providers().entrySet().stream().filter(e -> e.getValue().apiKey() != null).map(Map.Entry::getKey).toList());
    return SettingsRules.redact(merged, known);
  }

  @Override
  public Map<String, String> providerSecrets() {
    Map<String, ProviderInfo> known = known();
    return SettingsRules.secrets(SettingsRules.normalise(current, defaults, known), known);
  }

  private GlobalSettings load() {
    String json = store.get(KEY_GLOBAL).orElse(null);
    if (json == null) {
      return defaults;
    }
    try {
      Stored stored = JSON.readValue(json, Stored.class);
      var providers = new LinkedHashMap<String, ProviderSettings>();
      boolean legacy = false;
      boolean unreadable = false;
      if (stored.providers() != null) {
        for (var entry : stored.providers().entrySet()) {
          StoredProvider p = entry.getValue();
          String key = p.apiKey() == null ? null : decrypt(entry.getKey(), p.apiKey());
          providers.put(entry.getKey(), new ProviderSettings(p.baseUrl(), null, key, p.authMethod()));
          legacy |= SecretBox.isLegacy(p.apiKey());
          unreadable |= p.apiKey() != null && key == null;
        }
      }
      var settings = new GlobalSettings(stored.theme(), stored.defaultChatModel(), stored.defaultEmbeddingModel(),
          providers);
      if (legacy && !unreadable) {
        // Keys sealed by an older release without a row binding: seal them again, bound to their provider's row.
        store.put(KEY_GLOBAL, toStored(settings));
        LOG.info("Stored API keys sealed again, bound to their providers");
      }
      return settings;
    } catch (JsonProcessingException e) {
      LOG.error("The stored global settings are unreadable ({}); using the defaults until they are saved again",
          e.getOriginalMessage());
      return defaults;
    }
  }

  private String decrypt(String provider, String sealed) {
    try {
      return box.decrypt(sealed, row(provider));
    } catch (IllegalStateException e) {
      // A changed OTTERBOT_SECRET_KEY or a replaced key file: say so loudly, keep running without that key.
      LOG.error("The stored API key of provider {} cannot be decrypted with the current secret key; set it again", provider);
      return null;
    }
  }

  private static String row(String provider) {
    return SecretBox.row("settings", "global", provider);
  }

  private String toStored(GlobalSettings s) {
    var providers = new LinkedHashMap<String, StoredProvider>();
    s.providers().forEach((id, p) -> providers.put(id,
        new StoredProvider(p.baseUrl(), p.apiKey() == null ? null : box.encrypt(p.apiKey(), row(id)), p.authMethod())));
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
