package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static otterbot.e2e.ChatFixtures.COMPAT;
import static otterbot.e2e.ChatFixtures.FAKE_MODEL;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * The provider endpoints (upstream-behaviour §4.2, §11.4): {@code GET /api/providers} lists the provider bundles the
 * distribution ships, {@code POST /api/provider-models} and {@code POST /api/test-model} reach a real provider
 * endpoint (here a {@link FakeModelServer} on loopback, through each provider's base-URL secret) with the global
 * settings' secrets overlaid by the request's, and report failures as {@code 200 {ok:false,error}}.
 */
class ProvidersIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;
  static FakeModelServer fake;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void start() throws IOException {
    fake = FakeModelServer.start();
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (fake != null) {
      fake.close();
    }
  }

  @BeforeEach
  void defaultResponder() {
    fake.respond(FakeModelServer::echo);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void theShippedProvidersAreListedWithUpstreamsFields() {
    Http.Response r = http.get("/api/providers");
    JsonNode list = http.expect(r, 200);
    assertTrue(list.isArray(), () -> server.explain(r));
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    for (JsonNode p : list) {
      assertTrue(p.path("id").isTextual(), () -> "an entry without an id\n" + server.explain(r));
      assertTrue(byId.put(p.path("id").asText(), p) == null, () -> "listed twice: " + p.path("id") + "\n" + server.explain(r));
      assertFalse(p.path("label").asText("").isBlank(), () -> "no label: " + p + "\n" + server.explain(r));
      assertTrue(p.path("needsApiKey").isBoolean(), () -> "needsApiKey is not a boolean: " + p);
      assertTrue(p.path("supportsEmbeddings").isBoolean(), () -> "supportsEmbeddings is not a boolean: " + p);
      if (p.path("needsApiKey").asBoolean()) {
        assertTrue(p.path("apiKeyName").isTextual(), () -> "a provider that needs a key names it (apiKeyName): " + p);
      }
    }
    assertTrue(byId.keySet().containsAll(List.of("builtin", "minilm", "openai", "anthropic", "lmstudio", "ollama",
        COMPAT)), () -> "expected the seven shipped providers, got " + byId.keySet() + "\n" + server.explain(r));
    assertFalse(byId.containsKey("example"), "the example provider is not part of the distribution");

    assertUpstream(byId.get("openai"), "{\"id\":\"openai\",\"label\":\"OpenAI\",\"needsApiKey\":true,"
        + "\"apiKeyName\":\"OPENAI_API_KEY\",\"supportsEmbeddings\":true}");
    assertUpstream(byId.get("anthropic"), "{\"id\":\"anthropic\",\"label\":\"Anthropic\",\"needsApiKey\":true,"
        + "\"apiKeyName\":\"ANTHROPIC_API_KEY\",\"supportsEmbeddings\":false}");
    assertUpstream(byId.get("lmstudio"), "{\"id\":\"lmstudio\",\"label\":\"LM Studio (local)\",\"needsApiKey\":false,"
        + "\"supportsEmbeddings\":true}");
    assertUpstream(byId.get("ollama"), "{\"id\":\"ollama\",\"label\":\"Ollama (local)\",\"needsApiKey\":false,"
        + "\"supportsEmbeddings\":true}");
    // The built-in embedding model: embeds offline, cannot chat, needs nothing.
    assertUpstream(byId.get("minilm"), "{\"id\":\"minilm\",\"label\":\"all-MiniLM-L6-v2 (built in, offline)\","
        + "\"needsApiKey\":false,\"supportsEmbeddings\":true,\"supportsChat\":false}");
    assertFalse(byId.get("minilm").has("apiKeyName"), () -> "" + byId.get("minilm"));
    assertEquals(true, byId.get(COMPAT).path("supportsEmbeddings").asBoolean(false), () -> "" + byId.get(COMPAT));
    assertFalse(byId.get("lmstudio").has("apiKeyName"), () -> "upstream's lmstudio has no apiKeyName key: " + byId.get("lmstudio"));
    assertFalse(byId.get("ollama").has("apiKeyName"), () -> "upstream's ollama has no apiKeyName key: " + byId.get("ollama"));
    assertFalse(byId.get("builtin").path("needsApiKey").asBoolean(true), () -> "the built-in model needs no key: " + byId.get("builtin"));
    assertFalse(byId.get("builtin").has("apiKeyName"), () -> "" + byId.get("builtin"));
    assertTrue(r.body().indexOf("\"apiKey\"") < 0, () -> "no key values in the list\n" + server.explain(r));
  }

  /** Every field upstream documents, with upstream's value (extra fields of the later catalogue are allowed). */
  static void assertUpstream(JsonNode actual, String expectedJson) {
    JsonNode expected = Http.json(expectedJson);
    expected.fields().forEachRemaining(f -> assertEquals(f.getValue(), actual.path(f.getKey()),
        () -> "field " + f.getKey() + " of " + actual));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "openai-compatible, OPENAI_COMPATIBLE_BASE_URL, OPENAI_COMPATIBLE_API_KEY, authorization, 'Bearer '",
      "openai, OPENAI_BASE_URL, OPENAI_API_KEY, authorization, 'Bearer '",
      "lmstudio, LMSTUDIO_BASE_URL, LMSTUDIO_API_KEY, authorization, 'Bearer '",
      "ollama, OLLAMA_BASE_URL, OLLAMA_API_KEY, authorization, 'Bearer '",
      "anthropic, ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, x-api-key, ''"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void modelsAreListedSortedAndDeduplicatedAndTheModelAnswers(String provider, String baseUrlName, String keyName,
      String header, String prefix) {
    String key = "sk-test-" + UUID.randomUUID();
    fake.respond(request -> request.isChat() ? Reply.text("  ", "ready", " \n")
        : Reply.models("zeta-model", FAKE_MODEL, "alpha-model", "zeta-model", FAKE_MODEL));
    ObjectNode body = Http.JSON.createObjectNode().put("provider", provider);
    body.putObject("secrets").put(baseUrlName, fake.baseUrl()).put(keyName, key);
    int before = fake.requests().size();
    Http.Response r = http.post("/api/provider-models", body);
    assertEquals(Http.json("{\"ok\":true,\"models\":[\"alpha-model\",\"fake-model\",\"zeta-model\"]}"), http.expect(r, 200),
        () -> server.explain(r));
    RecordedRequest listing = only(fake.requests().subList(before, fake.requests().size()));
    assertEquals("GET", listing.method());
    assertEquals("/v1/models", listing.path());
    assertEquals(prefix + key, listing.header(header), () -> "the key should reach the provider: " + listing.headers());
    if (provider.equals("anthropic")) {
      assertEquals("2023-06-01", listing.header("anthropic-version"), () -> "" + listing.headers());
    }

    ObjectNode test = body.deepCopy().put("modelId", FAKE_MODEL);
    int beforeTest = fake.requests().size();
    Http.Response t = http.post("/api/test-model", test);
    assertEquals(Http.json("{\"ok\":true,\"sample\":\"ready\"}"), http.expect(t, 200), () -> server.explain(t));
    RecordedRequest completion = only(fake.requests().subList(beforeTest, fake.requests().size()));
    assertTrue(completion.isChat(), completion::path);
    assertEquals(FAKE_MODEL, completion.model(), completion::rawBody);
    assertEquals("Reply with exactly the word: ready", completion.lastUserText(), completion::rawBody);
    assertEquals(prefix + key, completion.header(header), () -> "" + completion.headers());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void failuresAreOkFalseWith200AndMissingFieldsAre400() {
    fake.respond(request -> Reply.error(500, "the fake is down"));
    ObjectNode body = Http.JSON.createObjectNode().put("provider", COMPAT);
    body.putObject("secrets").put("OPENAI_COMPATIBLE_BASE_URL", fake.baseUrl());
    Http.Response r = http.post("/api/provider-models", body);
    JsonNode failed = http.expect(r, 200);
    assertEquals(false, failed.path("ok").asBoolean(true), () -> server.explain(r));
    assertTrue(failed.path("error").asText().startsWith("provider returned 500"),
        () -> "upstream's message is 'provider returned <status> <statusText>'\n" + server.explain(r));
    assertEquals(2, failed.size(), () -> "only ok and error\n" + server.explain(r));

    Http.Response model = http.post("/api/test-model", body.deepCopy().put("modelId", FAKE_MODEL));
    JsonNode modelFailed = http.expect(model, 200);
    assertEquals(false, modelFailed.path("ok").asBoolean(true), () -> server.explain(model));
    assertTrue(modelFailed.path("error").asText().contains("500"), () -> server.explain(model));

    Http.Response noProvider = http.post("/api/provider-models", "{\"secrets\":{}}");
    assertEquals(Http.json("{\"ok\":false,\"error\":\"provider is required\"}"), http.expect(noProvider, 400),
        () -> server.explain(noProvider));
    Http.Response empty = http.post("/api/provider-models", "{}");
    assertEquals(Http.json("{\"ok\":false,\"error\":\"provider is required\"}"), http.expect(empty, 400),
        () -> server.explain(empty));

    for (String missing : List.of("{\"provider\":\"openai-compatible\"}", "{\"modelId\":\"fake-model\"}", "{}")) {
      Http.Response m = http.post("/api/test-model", missing);
      assertEquals(Http.json("{\"ok\":false,\"error\":\"provider and modelId are required\"}"), http.expect(m, 400),
          () -> missing + "\n" + server.explain(m));
    }

    Http.Response unknownModels = http.post("/api/provider-models", "{\"provider\":\"no-such-provider\"}");
    JsonNode unknown = http.expect(unknownModels, 200);
    assertEquals(false, unknown.path("ok").asBoolean(true), () -> server.explain(unknownModels));
    assertFalse(unknown.path("error").asText("").isBlank(), () -> server.explain(unknownModels));
    Http.Response unknownTest = http.post("/api/test-model", "{\"provider\":\"no-such-provider\",\"modelId\":\"x\"}");
    JsonNode unknown2 = http.expect(unknownTest, 200);
    assertEquals(false, unknown2.path("ok").asBoolean(true), () -> server.explain(unknownTest));
    assertTrue(unknown2.path("error").asText("").contains("no-such-provider"), () -> server.explain(unknownTest));

    // A provider that cannot be reached at all: ok:false, not a 5xx (127.0.0.1:1 refuses connections).
    ObjectNode unreachable = Http.JSON.createObjectNode().put("provider", COMPAT);
    unreachable.putObject("secrets").put("OPENAI_COMPATIBLE_BASE_URL", "http://127.0.0.1:1/v1");
    Http.Response refused = http.post("/api/provider-models", unreachable);
    assertEquals(false, http.expect(refused, 200).path("ok").asBoolean(true), () -> server.explain(refused));
    assertTrue(http.expect(http.get("/api/health"), 200).isObject());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theGlobalSettingsKeyReachesTheProviderAndTheRequestsSecretsWin() {
    String globalKey = "sk-global-" + UUID.randomUUID();
    String bodyKey = "sk-body-" + UUID.randomUUID();
    fake.respond(request -> request.isChat() ? Reply.text("ready") : Reply.models(FAKE_MODEL));
    ChatFixtures.useFake(server, fake, globalKey);

    int before = fake.requests().size();
    Http.Response models = http.post("/api/provider-models", "{\"provider\":\"openai-compatible\"}");
    assertEquals(Http.json("{\"ok\":true,\"models\":[\"fake-model\"]}"), http.expect(models, 200), () -> server.explain(models));
    RecordedRequest listing = only(fake.requests().subList(before, fake.requests().size()));
    assertEquals("Bearer " + globalKey, listing.header("authorization"), () -> "" + listing.headers());

    before = fake.requests().size();
    Http.Response test = http.post("/api/test-model", "{\"provider\":\"openai-compatible\",\"modelId\":\"fake-model\"}");
    assertEquals(Http.json("{\"ok\":true,\"sample\":\"ready\"}"), http.expect(test, 200), () -> server.explain(test));
    RecordedRequest completion = only(fake.requests().subList(before, fake.requests().size()));
    assertEquals("Bearer " + globalKey, completion.header("authorization"), () -> "" + completion.headers());

    before = fake.requests().size();
    ObjectNode overlay = Http.JSON.createObjectNode().put("provider", COMPAT);
    overlay.putObject("secrets").put("OPENAI_COMPATIBLE_API_KEY", bodyKey);
    Http.Response overlaid = http.post("/api/provider-models", overlay);
    assertEquals(true, http.expect(overlaid, 200).path("ok").asBoolean(), () -> server.explain(overlaid));
    RecordedRequest second = only(fake.requests().subList(before, fake.requests().size()));
    assertEquals("Bearer " + bodyKey, second.header("authorization"),
        () -> "the request's secrets should be laid over the global ones: " + second.headers());

    // Neither key comes back in any answer.
    for (Http.Response r : List.of(models, test, overlaid, http.get("/api/settings/global"), http.get("/api/providers"))) {
      assertFalse(r.body().contains(globalKey) || r.body().contains(bodyKey), () -> "a key leaked: " + r);
    }
    Http.Response settings = http.get("/api/settings/global");
    JsonNode entry = http.expect(settings, 200).path("providers").path(COMPAT);
    assertEquals(true, entry.path("apiKeyConfigured").asBoolean(), () -> server.explain(settings));
    assertEquals(fake.baseUrl(), entry.path("baseUrl").asText(), () -> server.explain(settings));
  }

  static RecordedRequest only(List<RecordedRequest> requests) {
    assertEquals(1, requests.size(), () -> "expected exactly one request to the fake, got " + requests);
    return requests.get(0);
  }
}
