package otterbot.core.internal.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import otterbot.api.provider.ProviderInfo;

class KeyBindingTest {
  static final ProviderInfo OPENAI = new ProviderInfo("openai", "OpenAI", true, true, true, "OPENAI_API_KEY",
      "OPENAI_BASE_URL", "https://api.openai.com/v1");
  static final ProviderInfo BUILTIN = new ProviderInfo("builtin", "Built-in", true, false, false, null, null, null);
  static final List<ProviderInfo> PROVIDERS = List.of(OPENAI, BUILTIN);
  static final Map<String, String> GLOBAL = Map.of("OPENAI_API_KEY", "sk-stored", "OPENAI_BASE_URL",
      "https://api.openai.com/v1");

  @Test
  void aRequestThatPointsTheProviderElsewhereDoesNotGetTheStoredKey() {
    var result = KeyBinding.merge(PROVIDERS, List.of(GLOBAL,
        Map.of("OPENAI_BASE_URL", "https://attacker.example/v1")));
    assertNull(result.secrets().get("OPENAI_API_KEY"));
    assertEquals("https://attacker.example/v1", result.secrets().get("OPENAI_BASE_URL"));
    assertEquals(1, result.withheld().size());
    String why = result.withheld().get(0).describe();
    assertTrue(why.contains("OPENAI_API_KEY") && why.contains("https://attacker.example/v1"), why);
    assertFalse(why.contains("sk-stored"), "never the key itself");
  }

  @Test
  void aRequestWithItsOwnKeyForItsOwnEndpointIsUsedAsGiven() {
    var result = KeyBinding.merge(PROVIDERS, List.of(GLOBAL,
        Map.of("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1", "OPENAI_API_KEY", "sk-mine")));
    assertEquals("sk-mine", result.secrets().get("OPENAI_API_KEY"));
    assertTrue(result.withheld().isEmpty());
  }

  @Test
  void anAgentKeyWithoutAnEndpointGoesWhereTheEndpointBelowIt() {
    Map<String, String> global = Map.of("OPENAI_BASE_URL", "http://proxy.local/v1");
    var result = KeyBinding.merge(PROVIDERS, List.of(global, Map.of("OPENAI_API_KEY", "sk-agent")));
    assertEquals("sk-agent", result.secrets().get("OPENAI_API_KEY"));
    assertEquals("http://proxy.local/v1", result.secrets().get("OPENAI_BASE_URL"));
  }

  @Test
  void aLowerKeyIsKeptWhenTheHigherLayerNamesTheSameEndpoint() {
    var result = KeyBinding.merge(PROVIDERS, List.of(GLOBAL, Map.of("OPENAI_BASE_URL", "https://API.openai.com/v1/")));
    assertEquals("sk-stored", result.secrets().get("OPENAI_API_KEY"));
  }

  @Test
  void aChildLayerThatMovesTheEndpointDropsTheParentsKeyToo() {
    Map<String, String> parent = Map.of("OPENAI_API_KEY", "sk-parent");
    Map<String, String> child = Map.of("OPENAI_BASE_URL", "http://127.0.0.1:1/v1");
    var result = KeyBinding.merge(PROVIDERS, List.of(GLOBAL, parent, child));
    assertNull(result.secrets().get("OPENAI_API_KEY"));
  }

  @Test
  void theDefaultEndpointCountsWhenNoLayerNamesOne() {
    var result = KeyBinding.merge(PROVIDERS, List.of(Map.of("OPENAI_API_KEY", "sk"), Map.of("OTHER", "x")));
    assertEquals("sk", result.secrets().get("OPENAI_API_KEY"));
    assertEquals("x", result.secrets().get("OTHER"));
  }

  @Test
  void aTargetWithControlCharactersIsShownEscaped() {
    var result = KeyBinding.merge(PROVIDERS, List.of(GLOBAL, Map.of("OPENAI_BASE_URL", "http://x/\nFAKE LOG LINE")));
    String why = result.withheld().get(0).describe();
    assertFalse(why.contains("\n"), why);
    assertTrue(why.contains("\\u000a"), why);
  }

  @Test
  void endpointsCompareByServerAndPath() {
    assertTrue(KeyBinding.sameEndpoint("https://api.openai.com/v1", "https://api.openai.com:443/v1/"));
    assertFalse(KeyBinding.sameEndpoint("https://api.openai.com/v1", "http://api.openai.com/v1"));
    assertFalse(KeyBinding.sameEndpoint("https://api.openai.com/v1", "https://api.openai.com.evil.example/v1"));
    assertFalse(KeyBinding.sameEndpoint("https://api.openai.com/v1", "https://user@api.openai.com/v1"));
  }
}
