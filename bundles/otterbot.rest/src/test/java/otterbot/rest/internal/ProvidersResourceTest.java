package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.provider.ModelProvider;
import otterbot.api.provider.ModelService;
import otterbot.api.provider.ProviderException;
import otterbot.api.provider.ProviderInfo;

/** {@code /api/providers}, {@code /api/provider-models} and {@code /api/test-model} through Jersey. */
class ProvidersResourceTest {
  static final ProviderInfo ANTHROPIC = new ProviderInfo("anthropic", "Anthropic", true, false, true,
      "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1");
  static final ProviderInfo LMSTUDIO = new ProviderInfo("lmstudio", "LM Studio (local)", true, true, false,
      null, "LMSTUDIO_BASE_URL", "http://localhost:1234/v1");
  static final ProviderInfo BUILTIN = new ProviderInfo("builtin", "Built-in (CPU)", false, true, false,
      null, null, null);

  /** Records what it was asked and answers as told. */
  static final class FakeModels implements ModelService {
    List<ProviderInfo> providers = List.of(ANTHROPIC, LMSTUDIO, BUILTIN);
    List<String> models = List.of("gpt-4o", "gpt-4o-mini");
    String sample = "ready";
    ProviderException failure;
    final List<List<Object>> calls = new ArrayList<>();

    @Override
    public List<ProviderInfo> providers() {
      return providers;
    }

    @Override
    public Optional<ModelProvider> provider(String id) {
      return Optional.empty();
    }

    @Override
    public List<String> listModels(String providerId, Map<String, String> secrets) throws ProviderException {
      calls.add(List.of("listModels", providerId, secrets));
      if (failure != null) {
        throw failure;
      }
      return models;
    }

    @Override
    public String testModel(String providerId, String modelId, Map<String, String> secrets)
        throws ProviderException {
      calls.add(List.of("testModel", providerId, modelId, secrets));
      if (failure != null) {
        throw failure;
      }
      return sample;
    }
  }

  private final FakeModels models = new FakeModels();
  private final ProvidersResource resource = new ProvidersResource();
  private final InProcessApi api = new InProcessApi(resource);

  ProvidersResourceTest() {
    resource.setModels(models);
  }

  @Test
  void providersListTheRegisteredOnesWithUpstreamsFieldsInUpstreamsOrder() {
    var answer = api.get("providers");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("application/json", answer.contentType());
    assertEquals("["
        + "{\"id\":\"anthropic\",\"label\":\"Anthropic\",\"needsApiKey\":true,\"apiKeyName\":\"ANTHROPIC_API_KEY\","
        + "\"supportsEmbeddings\":false,\"supportsChat\":true,\"apiKeyEnv\":\"ANTHROPIC_API_KEY\","
        + "\"baseUrlEnv\":\"ANTHROPIC_BASE_URL\",\"defaultBaseUrl\":\"https://api.anthropic.com/v1\"},"
        + "{\"id\":\"lmstudio\",\"label\":\"LM Studio (local)\",\"needsApiKey\":false,\"supportsEmbeddings\":true,"
        + "\"supportsChat\":true,\"baseUrlEnv\":\"LMSTUDIO_BASE_URL\",\"defaultBaseUrl\":\"http://localhost:1234/v1\"},"
        + "{\"id\":\"builtin\",\"label\":\"Built-in (CPU)\",\"needsApiKey\":false,\"supportsEmbeddings\":true,"
        + "\"supportsChat\":false}]", answer.body());
  }

  @Test
  void providersFollowWhatIsRegisteredAtTheTimeOfTheRequest() {
    models.providers = List.of();
    assertEquals("[]", api.get("providers").body());

    models.providers = List.of(BUILTIN);
    assertEquals(1, api.get("providers").json().size());
  }

  @Test
  void everyRouteAnswers503UntilTheModelServiceIsThereAndAfterItWent() {
    var other = new FakeModels();
    resource.unsetModels(other);
    assertEquals(200, api.get("providers").status(), "unbinding another instance changes nothing");

    resource.unsetModels(models);

    for (var answer : List.of(api.get("providers"), api.postJson("provider-models", "{\"provider\":\"openai\"}"),
        api.postJson("test-model", "{\"provider\":\"openai\",\"modelId\":\"m\"}"))) {
      assertEquals(503, answer.status(), answer::toString);
      assertEquals("{\"error\":\"" + ProvidersResource.UNAVAILABLE + "\"}", answer.body());
    }

    resource.setModels(other);
    assertEquals(200, api.get("providers").status());
  }

  @Test
  void providerModelsListsTheModelsWithTheRequestsSecrets() {
    var answer = api.postJson("provider-models",
        "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":\"sk-live-123\"}}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"ok\":true,\"models\":[\"gpt-4o\",\"gpt-4o-mini\"]}", answer.body());
    assertEquals(List.of(List.of("listModels", "openai", Map.of("OPENAI_API_KEY", "sk-live-123"))), models.calls);
  }

  @Test
  void providerModelsWithoutSecretsPassesNone() {
    assertEquals(200, api.postJson("provider-models", "{\"provider\":\"lmstudio\"}").status());
    assertEquals(200, api.postJson("provider-models", "{\"provider\":\"lmstudio\",\"secrets\":null}").status());
    assertEquals(List.of(List.of("listModels", "lmstudio", Map.of()), List.of("listModels", "lmstudio", Map.of())),
        models.calls);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"provider\":\"\"}", "{\"provider\":\"  \"}", "{\"provider\":null}", "", "null",
      "{\"secrets\":{\"K\":\"v\"}}"})
  void providerModelsWithoutAProviderIs400InItsOwnShape(String body) {
    var answer = api.postJson("provider-models", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"ok\":false,\"error\":\"provider is required\"}", answer.body());
    assertEquals(List.of(), models.calls);
  }

  @Test
  void aProvidersFailureIs200NotOk() {
    models.failure = new ProviderException("provider returned 401 Unauthorized");

    var list = api.postJson("provider-models", "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":\"sk-x\"}}");
    var test = api.postJson("test-model", "{\"provider\":\"openai\",\"modelId\":\"gpt-4o\"}");

    assertEquals(200, list.status());
    assertEquals("{\"ok\":false,\"error\":\"provider returned 401 Unauthorized\"}", list.body());
    assertEquals(200, test.status());
    assertEquals("{\"ok\":false,\"error\":\"provider returned 401 Unauthorized\"}", test.body());
  }

  @Test
  void aFailureWithoutAMessageStillSaysSomething() {
    models.failure = new ProviderException(null);
    assertEquals("{\"ok\":false,\"error\":\"the provider failed\"}",
        api.postJson("test-model", "{\"provider\":\"x\",\"modelId\":\"y\"}").body());
  }

  @Test
  void testModelRunsTheModelAndAnswersTheSample() {
    var answer = api.postJson("test-model",
        "{\"provider\":\"anthropic\",\"modelId\":\"claude-sonnet\",\"secrets\":{\"ANTHROPIC_API_KEY\":\"sk-ant\"}}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"ok\":true,\"sample\":\"ready\"}", answer.body());
    assertEquals(List.of(List.of("testModel", "anthropic", "claude-sonnet", Map.of("ANTHROPIC_API_KEY", "sk-ant"))),
        models.calls);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"provider\":\"openai\"}", "{\"modelId\":\"gpt-4o\"}",
      "{\"provider\":\"openai\",\"modelId\":\" \"}", "{\"provider\":null,\"modelId\":\"m\"}", ""})
  void testModelWithoutProviderOrModelIs400InItsOwnShape(String body) {
    var answer = api.postJson("test-model", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"ok\":false,\"error\":\"provider and modelId are required\"}", answer.body());
    assertEquals(List.of(), models.calls);
  }

  /** Bad input on either route: 400 in the routes' own shape, the field named, the secret never quoted. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":skLive777}}|malformed JSON at line 1, column 60",
      "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":17}}|field 'secrets.OPENAI_API_KEY' has the wrong type (expected string)",
      "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":{\"v\":\"sk-live-777\"}}}|field 'secrets.OPENAI_API_KEY' has the wrong type (expected string)",
      "{\"provider\":\"openai\",\"secrets\":{\"OPENAI_API_KEY\":null}}|field 'secrets.OPENAI_API_KEY' has the wrong type (expected string)",
      "{\"provider\":\"openai\",\"secrets\":[\"sk-live-777\"]}|field 'secrets' has the wrong type (expected object)",
      "{\"provider\":\"openai\",\"secrets\":\"sk-live-777\"}|field 'secrets' has the wrong type (expected object)",
      "{\"provider\":7}|field 'provider' has the wrong type (expected string)",
      "{\"provider\":\"openai\",\"apiKey\":\"sk-live-777\",\"secrets\":7}|field 'secrets' has the wrong type (expected object)",
      "[\"sk-live-777\"]|the request body must be a JSON object (expected object)",
      "\"sk-live-777\"|the request body must be a JSON object (expected object)",
      "{\"provider\":\"a\",\"provider\":\"sk-live-777\"}|malformed JSON at line 1, column 27",
      "{\"provider\":\"openai\"} skLive777|malformed JSON at line 1, column 32"})
  void badInputIs400NotOkNamingTheFieldButNeverTheSecret(String body, String message) throws Exception {
    String log = Logs.of(() -> {
      for (String route : List.of("provider-models", "test-model")) {
        var answer = api.postJson(route, body);
        assertEquals(400, answer.status(), route + ": " + answer);
        assertEquals(Map.of("ok", false, "error", message),
            JsonProvider.MAPPER.convertValue(answer.json(), Map.class), route + ": " + answer);
        assertFalse(answer.body().contains("sk-live") || answer.body().contains("skLive"), answer.body());
      }
    });
    assertFalse(log.contains("sk-live") || log.contains("skLive"), log);
    assertEquals(List.of(), models.calls);
  }

  @Test
  void aBodyThatIsNotJsonIs415InTheApisErrorShape() {
    var answer = api.call("POST", "provider-models", "text/plain", "provider=openai");
    assertEquals(415, answer.status(), answer::toString);
    assertEquals("{\"error\":\"unsupported media type: send application/json\"}", answer.body());
  }

  /**
   * What a cross-site {@code fetch(url, {mode: 'no-cors', body: blob})} sends: no content type. Jersey would read it as
   * JSON by default; {@link JerseyProperties} turns that off, so the provider is never called.
   */
  @Test
  void aBodyWithoutContentTypeIs415AndNothingIsCalled() {
    for (String route : List.of("provider-models", "test-model")) {
      var answer = api.call("POST", route, null, "{\"provider\":\"openai\",\"modelId\":\"m\"}");
      assertEquals(415, answer.status(), answer::toString);
      assertEquals("{\"error\":\"unsupported media type: send application/json\"}", answer.body());
    }
    assertEquals(List.of(), models.calls);
  }

  @Test
  void otherMethodsAreNotAllowed() {
    assertEquals(405, api.get("provider-models").status());
    assertEquals(405, api.postJson("providers", "{}").status());
    var unknown = api.get("no-such-route");
    assertEquals(404, unknown.status());
    assertEquals("{\"error\":\"not found\"}", unknown.body());
    assertTrue(models.calls.isEmpty());
  }
}
