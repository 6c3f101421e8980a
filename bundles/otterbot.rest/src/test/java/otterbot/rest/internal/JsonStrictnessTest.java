package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.core.JsonProcessingException;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentModels;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.api.settings.GlobalSettings;
import otterbot.api.settings.ProviderSettings;

/** What a client sees when its JSON is wrong: a message naming the field, never the value it sent. */
class JsonStrictnessTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"displayName\":123}|field 'displayName' has the wrong type (expected string)",
      "{\"displayName\":\"x\",\"subagentLimit\":\"5\"}|field 'subagentLimit' has the wrong type (expected number)",
      "{\"displayName\":\"x\",\"subagentLimit\":1.5}|field 'subagentLimit' has the wrong type (expected number)",
      "{\"displayName\":\"x\",\"canSpawnSubagents\":\"yes\"}|field 'canSpawnSubagents' has the wrong type (expected boolean)",
      "{\"displayName\":\"x\",\"autoLearn\":\"false\"}|field 'autoLearn' has the wrong type (expected boolean)",
      "{\"displayName\":\"x\",\"allowedPeers\":[],\"subagentLimit\":true}|field 'subagentLimit' has the wrong type (expected number)",
      "{\"displayName\":\"x\",\"allowedModels\":{}}|field 'allowedModels' has the wrong type (expected array)",
      "[1,2]|the request body must be a JSON object (expected object)",
      "{\"displayName\":\"a\",\"displayName\":\"b\"}|malformed JSON at line 1, column 33",
      "{\"displayName\":\"x\"} trailing|malformed JSON at line 1, column 29",
      "{\"displayName\":|malformed JSON at line 1, column 16"})
  void badJsonIsDescribed(String body, String message) {
    var e = assertThrows(JsonProcessingException.class, () -> JsonProvider.MAPPER.readValue(body, AgentInput.class));
    assertEquals(message, ErrorMapper.describe(e));
  }

  @Test
  void unknownFieldsAreIgnoredAtEveryLevelAsUpstreamDoes() throws Exception {
    AgentInput input = JsonProvider.MAPPER.readValue("{\"displayName\":\"x\",\"allowedPeers\":[\"coo\"],"
        + "\"avatar\":{\"url\":\"a.png\",\"n\":[1,{\"d\":2}]},\"model\":{\"chat\":{\"provider\":\"a\","
        + "\"modelId\":\"b\",\"x\":1}},\"subagentLimit\":3}", AgentInput.class);
    assertEquals("x", input.displayName());
    assertEquals(new ModelRef("a", "b"), input.model().chat());
    assertEquals(3, input.subagentLimit());
  }

  @Test
  void clientInputIsQuotedForLogs() {
    assertEquals("'a\\u000ab\\u0027c'", ErrorMapper.quote("a\nb'c"));
    assertEquals("'" + "x".repeat(100) + "'...", ErrorMapper.quote("x".repeat(500)));
  }

  @Test
  void aMalformedBodyIsNotQuotedBack() {
    var e = assertThrows(JsonProcessingException.class,
        () -> JsonProvider.MAPPER.readValue("{\"providers\":{\"openai\":{\"apiKey\":sk-live-secret}}}", GlobalSettings.class));
    assertFalse(ErrorMapper.describe(e).contains("sk-live"), ErrorMapper.describe(e));
  }

  @Test
  void profilesSerialiseWithUpstreamsShape() throws Exception {
    var local = new ModelRef("lmstudio", "local-model");
    var p = new AgentProfile("a", "A", "agent", "", new AgentModels(local, local), java.util.List.of(local),
        java.util.List.of("web"), "local", null, new Artwork("prototype-pete"), true, 5, null,
        Instant.parse("2026-11-28T10:15:30.123Z"));
    assertEquals("{\"id\":\"a\",\"displayName\":\"A\",\"role\":\"agent\",\"persona\":\"\",\"model\":{\"chat\":"
        + "{\"provider\":\"lmstudio\",\"modelId\":\"local-model\"},\"embedding\":{\"provider\":\"lmstudio\",\"modelId\":"
        + "\"local-model\"}},\"allowedModels\":[{\"provider\":\"lmstudio\",\"modelId\":\"local-model\"}],"
        + "\"allowedChatServices\":[\"web\"],\"transport\":\"local\",\"email\":null,\"artwork\":{\"modelPack\":"
        + "\"prototype-pete\"},\"canSpawnSubagents\":true,\"subagentLimit\":5,\"parentId\":null,"
        + "\"createdAt\":\"2026-11-28T10:15:30.123Z\",\"autoLearn\":true}", JsonProvider.MAPPER.writeValueAsString(p));
  }

  @Test
  void providerEntriesLeaveOutAbsentKeysAndAuthMethods() throws Exception {
    assertEquals("{\"baseUrl\":\"http://localhost:1234/v1\",\"apiKeyConfigured\":false}",
        JsonProvider.MAPPER.writeValueAsString(new ProviderSettings("http://localhost:1234/v1", false, null, null)));
    assertEquals(Map.of("baseUrl", "u", "apiKeyConfigured", true, "authMethod", "oauth"),
        JsonProvider.MAPPER.readValue(JsonProvider.MAPPER.writeValueAsString(new ProviderSettings("u", true, null, "oauth")), Map.class));
  }
}
