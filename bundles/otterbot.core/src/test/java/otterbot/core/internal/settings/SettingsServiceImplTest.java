package otterbot.core.internal.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.OtterbotException;
import otterbot.api.agent.ModelRef;
import otterbot.api.persistence.SettingsStore;
import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatRequest;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ProviderInfo;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;
import otterbot.core.internal.secrets.SecretBox;

class SettingsServiceImplTest {
  @TempDir
  Path home;

  final Map<String, String> table = new HashMap<>();
  final SettingsStore store = new SettingsStore() {
    @Override
    public Optional<String> get(String key) {
      return Optional.ofNullable(table.get(key));
    }

    @Override
    public void put(String key, String value) {
      table.put(key, value);
    }
  };

  /** The providers of the distribution as they describe themselves. */
  static final List<ModelProvider> PROVIDERS = List.of(
      provider(new ProviderInfo("anthropic", "Anthropic", true, false, true, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1")),
      provider(new ProviderInfo("openai", "OpenAI", true, true, true, "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1")),
      provider(new ProviderInfo("lmstudio", "LM Studio (local)", true, true, false, "LMSTUDIO_API_KEY", "LMSTUDIO_BASE_URL", "http://localhost:1234/v1")),
      provider(new ProviderInfo("ollama", "Ollama (local)", true, true, false, "OLLAMA_API_KEY", "OLLAMA_BASE_URL", "http://localhost:11434/v1")),
      provider(new ProviderInfo("openai-compatible", "OpenAI-compatible server", true, false, false, "OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL", "http://localhost:8080/v1")),
      provider(new ProviderInfo("builtin", "Built-in", true, false, false, null, null, null)));

  static ModelProvider provider(ProviderInfo info) {
    return new ModelProvider() {
      @Override
      public ProviderInfo info() {
        return info;
      }

      @Override
      public List<String> listModels(Map<String, String> secrets) {
        return List.of();
      }

      @Override
      public ChatCall chat(ChatRequest request, ChatSink sink) {
        throw new UnsupportedOperationException();
      }
    };
  }

  SettingsServiceImpl open() throws Exception {
    var service = new SettingsServiceImpl(store, SecretBox.open(null, home.resolve("secret.key")), Map.of());
    service.providers = PROVIDERS;
    return service;
  }

  static GlobalSettings put(String theme, ModelRef chat, Map<String, ProviderSettings> providers) {
    return new GlobalSettings(theme, chat, chat, providers);
  }

  @Test
  void freshSettingsListTheRegisteredProvidersAndDefaultToTheBuiltInModel() throws Exception {
    GlobalSettings s = open().global();
    assertEquals("obsidian", s.theme());
    assertEquals(new ModelRef("builtin", "offline"), s.defaultChatModel());
    assertEquals(List.of("anthropic", "lmstudio", "ollama", "openai", "openai-compatible"),
        List.copyOf(s.providers().keySet()), "configurable providers only: the built-in one takes no settings");
    assertEquals(new ProviderSettings("https://api.openai.com/v1", false, null, "api-key"), s.providers().get("openai"));
    assertEquals(new ProviderSettings("http://localhost:11434/v1", false, null, null), s.providers().get("ollama"));
  }

  @Test
  void upstreamsSettingsTestPassesAndTheKeyIsEncryptedAtRest() throws Exception {
    var service = open();
    var chat = new ModelRef("openai", "gpt-4o");
    GlobalSettings answer = service.updateGlobal(put("forest", chat,
        Map.of("openai", new ProviderSettings(null, null, "sk-test", "oauth"))));
    assertEquals("forest", answer.theme());
    assertEquals(chat, answer.defaultChatModel());
    ProviderSettings openai = answer.providers().get("openai");
    assertNull(openai.apiKey());
    assertTrue(openai.apiKeyConfigured());
    assertEquals("oauth", openai.authMethod());
    assertEquals("sk-test", service.providerSecrets().get("OPENAI_API_KEY"));
    assertEquals("oauth", service.providerSecrets().get("OPENAI_AUTH_METHOD"));
    assertEquals("https://api.openai.com/v1", service.providerSecrets().get("OPENAI_BASE_URL"));

    String stored = table.get(SettingsServiceImpl.KEY_GLOBAL);
    assertFalse(stored.contains("sk-test"), "no plaintext key in the database: " + stored);
    assertTrue(stored.contains("\"apiKey\":\"v2:"), stored);
    assertEquals(Optional.of("rw-------"),
        Optional.of(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("secret.key")))));

    // A restart reads the key back with the same key file.
    var reopened = open();
    assertEquals("sk-test", reopened.providerSecrets().get("OPENAI_API_KEY"));
    assertEquals("forest", reopened.global().theme());
  }

  @Test
  void anAbsentKeyIsKeptAnEmptyOneClearsIt() throws Exception {
    var service = open();
    var chat = new ModelRef("lmstudio", "m");
    service.updateGlobal(put(null, chat, Map.of("anthropic", new ProviderSettings(null, null, "sk-ant", null))));
    service.updateGlobal(put(null, chat, Map.of("anthropic", new ProviderSettings(null, null, null, null))));
    assertEquals("sk-ant", service.providerSecrets().get("ANTHROPIC_API_KEY"));
    assertEquals("https://api.anthropic.com/v1", service.global().providers().get("anthropic").baseUrl());
    service.updateGlobal(put(null, chat, Map.of("anthropic", new ProviderSettings(null, true, "", null))));
    assertNull(service.providerSecrets().get("ANTHROPIC_API_KEY"));
    assertFalse(service.global().providers().get("anthropic").apiKeyConfigured(),
        "apiKeyConfigured follows the key actually held, not the client's claim");
  }

  @Test
  void badSettingsAreRejectedWithoutEchoingSecrets() throws Exception {
    var service = open();
    var chat = new ModelRef("lmstudio", "m");
    assertEquals("theme, default models, and providers are required",
        assertThrows(OtterbotException.class, () -> service.updateGlobal(new GlobalSettings("forest", null, chat, Map.of()))).getMessage());
    assertEquals("theme, default models, and providers are required",
        assertThrows(OtterbotException.class, () -> service.updateGlobal(new GlobalSettings("forest", chat, chat, null))).getMessage());
    assertThrows(OtterbotException.class, () -> service.updateGlobal(put("neon", chat, Map.of())));
    var unknown = assertThrows(OtterbotException.class,
        () -> service.updateGlobal(put(null, chat, Map.of("mystery", new ProviderSettings(null, null, null, null)))));
    assertTrue(unknown.getMessage().startsWith("unknown provider 'mystery'"), unknown.getMessage());
    assertThrows(OtterbotException.class, () -> service.updateGlobal(put(null, chat,
        Map.of("openai", new ProviderSettings("file:///etc/passwd", null, null, null)))));
    var badKey = assertThrows(OtterbotException.class, () -> service.updateGlobal(put(null, chat,
        Map.of("openai", new ProviderSettings(null, null, "sk secret with spaces", null)))));
    assertFalse(badKey.getMessage().contains("secret"), badKey.getMessage());
    assertNull(table.get(SettingsServiceImpl.KEY_GLOBAL), "nothing was stored");
  }

  @Test
  void aProviderThatGoesAwayIsHiddenButItsKeyIsKeptForWhenItComesBack() throws Exception {
    var service = open();
    var chat = new ModelRef("openai-compatible", "llama");
    service.updateGlobal(put(null, chat, Map.of("openai-compatible",
        new ProviderSettings("http://127.0.0.1:9999/v1", null, "sk-compat-123", null))));
    assertEquals("sk-compat-123", service.providerSecrets().get("OPENAI_COMPATIBLE_API_KEY"),
        "secret names are the ones the provider declares");
    assertEquals("http://127.0.0.1:9999/v1", service.providerSecrets().get("OPENAI_COMPATIBLE_BASE_URL"));

    service.providers = PROVIDERS.stream().filter(p -> !p.info().id().equals("openai-compatible")).toList();
    assertFalse(service.global().providers().containsKey("openai-compatible"));
    var gone = assertThrows(OtterbotException.class, () -> service.updateGlobal(put(null, chat,
        Map.of("openai-compatible", new ProviderSettings(null, null, null, null)))));
    assertTrue(gone.getMessage().contains("known: anthropic, lmstudio, ollama, openai"), gone.getMessage());
    service.updateGlobal(put("light", chat, Map.of()));

    service.providers = PROVIDERS;
    assertTrue(service.global().providers().get("openai-compatible").apiKeyConfigured());
    assertEquals("sk-compat-123", open().providerSecrets().get("OPENAI_COMPATIBLE_API_KEY"), "kept across a restart");
  }

  @Test
  void onboardingIsPersisted() throws Exception {
    var service = open();
    assertFalse(service.onboardingComplete());
    service.completeOnboarding();
    service.completeOnboarding();
    assertTrue(service.onboardingComplete());
    assertTrue(open().onboardingComplete());
  }

  @Test
  void lmStudioDefaultsComeFromTheEnvironmentWhileNothingIsStored() throws Exception {
    var env = new LinkedHashMap<String, String>();
    env.put("LMSTUDIO_BASE_URL", "http://10.0.0.5:1234/v1");
    env.put("LMSTUDIO_MODEL", "qwen");
    var service = new SettingsServiceImpl(store, SecretBox.open(null, home.resolve("k")), env);
    service.providers = PROVIDERS;
    assertEquals("http://10.0.0.5:1234/v1", service.global().providers().get("lmstudio").baseUrl());
    assertEquals(new ModelRef("lmstudio", "qwen"), service.global().defaultChatModel());
  }

  @Test
  void secretBoxUsesAFreshNonceAndRejectsAnotherKey() throws Exception {
    SecretBox box = SecretBox.open(null, home.resolve("a.key"));
    String one = box.encrypt("sk-same", "row");
    String two = box.encrypt("sk-same", "row");
    assertFalse(one.equals(two), "a fresh nonce per value");
    assertEquals("sk-same", box.decrypt(one, "row"));
    SecretBox other = SecretBox.open(null, home.resolve("b.key"));
    var e = assertThrows(IllegalStateException.class, () -> other.decrypt(one, "row"));
    assertFalse(e.getMessage().contains("sk-same"));
    String env = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    assertEquals("x", SecretBox.open(env, home.resolve("unused")).decrypt(SecretBox.open(env, home.resolve("unused")).encrypt("x", "r"), "r"));
    assertFalse(Files.exists(home.resolve("unused")), "an environment key means no key file");
    assertThrows(IllegalArgumentException.class, () -> SecretBox.open("too-short", home.resolve("x")));
  }

  @Test
  void movingAProvidersEndpointWithoutANewKeyDropsTheStoredKey() throws Exception {
    var service = open();
    var chat = new ModelRef("openai", "gpt-4o");
    service.updateGlobal(put("forest", chat, Map.of("openai", new ProviderSettings(null, null, "sk-test", null))));
    // The same endpoint, spelled differently, keeps the key.
    service.updateGlobal(put("forest", chat,
        Map.of("openai", new ProviderSettings("HTTPS://api.openai.com:443/v1/", null, null, null))));
    assertEquals("sk-test", service.providerSecrets().get("OPENAI_API_KEY"));
    // Another endpoint without a key: the key is not carried over to it.
    GlobalSettings moved = service.updateGlobal(put("forest", chat,
        Map.of("openai", new ProviderSettings("http://127.0.0.1:9/v1", null, null, null))));
    assertFalse(moved.providers().get("openai").apiKeyConfigured());
    assertNull(service.providerSecrets().get("OPENAI_API_KEY"));
    assertFalse(table.get(SettingsServiceImpl.KEY_GLOBAL).contains("\"apiKey\":\"v"), "nothing sealed is left");
    // With its own key the new endpoint is fine.
    service.updateGlobal(put("forest", chat,
        Map.of("openai", new ProviderSettings("http://127.0.0.1:9/v1", null, "sk-proxy", null))));
    assertEquals("sk-proxy", service.providerSecrets().get("OPENAI_API_KEY"));
  }

  @Test
  void aProviderWhoseInfoThrowsOrIsNonsenseIsNotKnownAndTheSettingsStillAnswer() throws Exception {
    var service = open();
    var broken = new java.util.ArrayList<>(PROVIDERS);
    broken.add(new ModelProvider() {
      @Override
      public ProviderInfo info() {
        throw new IllegalStateException("info is broken");
      }

      @Override
      public List<String> listModels(Map<String, String> secrets) {
        return List.of();
      }

      @Override
      public ChatCall chat(ChatRequest request, ChatSink sink) {
        throw new UnsupportedOperationException();
      }
    });
    broken.add(provider(null));
    broken.add(provider(new ProviderInfo("Bad Id", "x", true, false, false, "X_KEY", null, null)));
    service.providers = broken;
    assertEquals(List.of("anthropic", "lmstudio", "ollama", "openai", "openai-compatible"),
        List.copyOf(service.global().providers().keySet()));
  }
}
