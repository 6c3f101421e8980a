package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The REST contract of upstream-behaviour §4.1, §4.3 and §12 against the real server: exact shapes, exact status
 * codes, {@code application/json} on every answer. One server for the class; the tests run in order because they
 * build on each other the way a user's session would (fresh install first, settings changes late).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiContractIT {
  static final Set<String> PROFILE_FIELDS = Set.of("id", "displayName", "role", "persona", "model", "allowedModels",
      "allowedChatServices", "transport", "email", "artwork", "canSpawnSubagents", "subagentLimit", "parentId",
      "createdAt", "autoLearn");
  static final Set<String> SUMMARY_FIELDS = Set.of("id", "displayName", "role", "status", "chatModel", "artwork",
      "parentId", "activeSubagents");

  /** Upstream's defaults, except the built-in model and the provider bundles of the distribution (see the README). */
  static final String DEFAULT_SETTINGS = """
      {"theme":"obsidian",
       "defaultChatModel":{"provider":"builtin","modelId":"offline"},
       "defaultEmbeddingModel":{"provider":"builtin","modelId":"offline"},
       "providers":{
         "openai-compatible":{"baseUrl":"http://localhost:8080/v1","apiKeyConfigured":false},
         "anthropic":{"baseUrl":"https://api.anthropic.com/v1","apiKeyConfigured":false},
         "openai":{"baseUrl":"https://api.openai.com/v1","apiKeyConfigured":false,"authMethod":"api-key"},
         "lmstudio":{"baseUrl":"http://localhost:1234/v1","apiKeyConfigured":false},
         "ollama":{"baseUrl":"http://localhost:11434/v1","apiKeyConfigured":false}}}
      """;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static ServerProcess server;
  static Http http;

  @BeforeAll
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  static void startServer() {
    server = ServerProcess.start(tmp.resolve("home"));
    http = server.http();
  }

  @AfterAll
  @Timeout(value = 40, unit = TimeUnit.SECONDS)
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void aFreshHomeIsNotOnboardedAndHasOnlyTheCoo() {
    JsonNode state = http.expect(http.get("/api/setup-state"), 200);
    assertEquals(Http.json("{\"onboardingComplete\":false,\"agentCount\":1}"), state, state::toString);
  }

  @Test
  @Order(2)
  void healthReportsEverySubsystemUpAndNothingFailed() {
    Http.Response r = http.get("/api/health");
    JsonNode health = http.expect(r, 200);
    assertEquals("ok", health.path("status").asText(), () -> server.explain(r));
    assertTrue(health.path("version").isTextual() && !health.path("version").asText().isBlank(), () -> server.explain(r));
    assertTrue(health.path("uptimeMillis").isIntegralNumber() && health.path("uptimeMillis").asLong() >= 0,
        () -> server.explain(r));
    for (String subsystem : List.of("database", "http", "socket")) {
      assertEquals("up", health.path("subsystems").path(subsystem).path("status").asText(),
          () -> subsystem + " is not up\n" + server.explain(r));
    }
    JsonNode bundles = health.path("bundles");
    assertTrue(bundles.path("total").isInt() && bundles.path("total").asInt() > 0, () -> server.explain(r));
    assertEquals(bundles.path("total").asInt(), bundles.path("active").asInt(), () -> "not every bundle is active\n" + server.explain(r));
    assertEquals(Http.json("[]"), bundles.path("failed"), () -> server.explain(r));
    assertEquals(Http.json("[]"), health.path("components").path("failed"), () -> server.explain(r));
  }

  @Test
  @Order(3)
  void theAgentListStartsWithTheCoo() {
    Http.Response r = http.get("/api/agents");
    JsonNode agents = http.expect(r, 200);
    assertTrue(agents.isArray() && agents.size() >= 1, () -> server.explain(r));
    assertEquals(Http.json("""
        {"id":"coo","displayName":"Otterbot COO","role":"coo","status":"idle",
         "chatModel":{"provider":"builtin","modelId":"offline"},"artwork":{"modelPack":"prototype-pete"},
         "parentId":null,"activeSubagents":0}
        """), agents.get(0), () -> server.explain(r));
  }

  @Test
  @Order(4)
  void theCooHasAFullProfile() {
    Http.Response r = http.get("/api/agents/coo");
    JsonNode coo = http.expect(r, 200);
    assertEquals(PROFILE_FIELDS, fieldNames(coo), () -> server.explain(r));
    assertEquals("coo", coo.path("id").asText());
    assertEquals("coo", coo.path("role").asText());
    assertEquals("Otterbot COO", coo.path("displayName").asText());
    assertTrue(coo.path("persona").isTextual(), () -> server.explain(r));
    assertTrue(coo.path("parentId").isNull(), () -> server.explain(r));
    assertIsoInstant(coo.path("createdAt"), r);
  }

  @Test
  @Order(5)
  void creatingAnAgentAnswers200WithTheNormalisedProfile() {
    Instant before = Instant.now().minusSeconds(5);
    Http.Response r = http.post("/api/agents", "{\"displayName\":\"Api Agent\"}");
    JsonNode created = http.expect(r, 200);
    assertEquals(PROFILE_FIELDS, fieldNames(created), () -> server.explain(r));
    Instant createdAt = assertIsoInstant(created.path("createdAt"), r);
    assertTrue(!createdAt.isBefore(before) && !createdAt.isAfter(Instant.now().plusSeconds(5)),
        () -> "createdAt " + createdAt + " is not now\n" + server.explain(r));

    ObjectNode expected = (ObjectNode) Http.json("""
        {"id":"api-agent","displayName":"Api Agent","role":"agent","persona":"",
         "model":{"chat":{"provider":"builtin","modelId":"offline"},
                  "embedding":{"provider":"builtin","modelId":"offline"}},
         "allowedModels":[{"provider":"builtin","modelId":"*"}],
         "allowedChatServices":["web"],"transport":"local","email":null,
         "artwork":{"modelPack":"prototype-pete"},"canSpawnSubagents":true,"subagentLimit":5,"parentId":null}
        """);
    expected.set("createdAt", created.get("createdAt"));
    expected.put("autoLearn", true); // an agent learns from its conversations unless told not to
    assertEquals(expected, created, () -> server.explain(r));

    Http.Response again = http.post("/api/agents", "{\"displayName\":\"Api Agent\"}");
    assertEquals("api-agent-2", http.expect(again, 200).path("id").asText(), () -> server.explain(again));

    Http.Response read = http.get("/api/agents/api-agent");
    assertEquals(created, http.expect(read, 200), () -> server.explain(read));

    Http.Response list = http.get("/api/agents");
    JsonNode agents = http.expect(list, 200);
    assertEquals(List.of("coo", "api-agent", "api-agent-2"), ids(agents), () -> server.explain(list));
    assertEquals(Http.json("""
        {"id":"api-agent","displayName":"Api Agent","role":"agent","status":"idle",
         "chatModel":{"provider":"builtin","modelId":"offline"},"artwork":{"modelPack":"prototype-pete"},
         "parentId":null,"activeSubagents":0}
        """), agents.get(1), () -> server.explain(list));
    for (JsonNode summary : agents) {
      assertEquals(SUMMARY_FIELDS, fieldNames(summary), () -> server.explain(list));
    }
    Http.Response state = http.get("/api/setup-state");
    assertEquals(3, http.expect(state, 200).path("agentCount").asInt(), () -> server.explain(state));
  }

  @Test
  @Order(6)
  void idsAreSlugsOfTheDisplayName() {
    String longName = "A".repeat(30) + " " + "B".repeat(30);
    String[][] cases = {
        {"!!!", "agent"},
        {"  Hello,   World!! ", "hello-world"},
        {"Ünïcode Name", "n-code-name"},
        {"Data_Analyst 42", "data-analyst-42"},
        {longName, "a".repeat(30) + "-" + "b".repeat(9)},
    };
    for (String[] c : cases) {
      Http.Response r = http.post("/api/agents", Http.JSON.createObjectNode().put("displayName", c[0]));
      JsonNode created = http.expect(r, 200);
      assertEquals(c[1], created.path("id").asText(), () -> "slug of '" + c[0] + "'\n" + server.explain(r));
      assertTrue(created.path("id").asText().length() <= 40, () -> server.explain(r));
    }
  }

  @Test
  @Order(7)
  void aDisplayNameIsRequiredAndTheCooRoleIsReserved() {
    for (String body : List.of("{}", "{\"displayName\":\"\"}", "{\"displayName\":\"   \"}", "{\"displayName\":null}",
        "", "{\"persona\":\"no name\"}")) {
      Http.Response r = http.post("/api/agents", body);
      assertEquals(Http.json("{\"error\":\"displayName is required\"}"), http.expect(r, 400),
          () -> "body <" + body + ">\n" + server.explain(r));
    }
    Http.Response coo = http.post("/api/agents", "{\"displayName\":\"Second Boss\",\"role\":\"coo\"}");
    assertErrorMessage(http.expect(coo, 400), coo);
    Http.Response list = http.get("/api/agents");
    assertFalse(ids(http.expect(list, 200)).contains("second-boss"), () -> server.explain(list));
  }

  @Test
  @Order(8)
  void anUnknownAgentIsNotFound() {
    Http.Response r = http.get("/api/agents/no-such-agent");
    assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(r, 404), () -> server.explain(r));
  }

  @Test
  @Order(9)
  void patchIsAShallowMergeThatKeepsIdAndCreatedAt() {
    Http.Response original = http.get("/api/agents/api-agent");
    JsonNode before = http.expect(original, 200);

    Http.Response r = http.patch("/api/agents/api-agent", "{\"persona\":\"an updated persona\"}");
    JsonNode patched = http.expect(r, 200);
    ObjectNode expected = before.deepCopy();
    expected.put("persona", "an updated persona");
    assertEquals(expected, patched, () -> server.explain(r));

    Http.Response m = http.patch("/api/agents/api-agent", "{\"model\":{\"chat\":{\"provider\":\"openai\",\"modelId\":\"gpt-4o\"}}}");
    JsonNode model = http.expect(m, 200).path("model");
    assertEquals(Http.json("""
        {"chat":{"provider":"openai","modelId":"gpt-4o"},"embedding":{"provider":"openai","modelId":"gpt-4o"}}
        """), model, () -> "a model without embedding makes the embedding the chat model\n" + server.explain(m));

    Http.Response hijack = http.patch("/api/agents/api-agent",
        "{\"id\":\"hijacked\",\"createdAt\":\"2001-01-01T00:00:00Z\",\"displayName\":\"Api Agent Renamed\"}");
    assertTrue(hijack.status() == 200 || hijack.status() == 400, () -> server.explain(hijack));
    Http.Response after = http.get("/api/agents/api-agent");
    JsonNode now = http.expect(after, 200);
    assertEquals("api-agent", now.path("id").asText(), () -> server.explain(after));
    assertEquals(before.path("createdAt"), now.path("createdAt"), () -> "createdAt changed\n" + server.explain(after));
    assertEquals("an updated persona", now.path("persona").asText(), () -> server.explain(after));
    Http.Response hijacked = http.get("/api/agents/hijacked");
    http.expect(hijacked, 404);

    Http.Response unknown = http.patch("/api/agents/no-such-agent", "{\"persona\":\"x\"}");
    assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(unknown, 404), () -> server.explain(unknown));
  }

  /** Newer upstream web clients send fields this server does not know; upstream ignores them, and so do we. */
  @Test
  @Order(9)
  void fieldsThisServerDoesNotKnowAreIgnored() {
    Http.Response r = http.post("/api/agents",
        "{\"displayName\":\"Peer Otter\",\"allowedPeers\":[\"coo\"],\"avatar\":{\"url\":\"x.png\"},\"future\":1}");
    JsonNode created = http.expect(r, 200);
    assertEquals("peer-otter", created.path("id").asText(), () -> server.explain(r));
    assertTrue(created.path("allowedPeers").isMissingNode() && created.path("avatar").isMissingNode(),
        () -> "unknown fields are not stored\n" + server.explain(r));
    Http.Response p = http.patch("/api/agents/peer-otter", "{\"persona\":\"peers\",\"allowedPeers\":[]}");
    assertEquals("peers", http.expect(p, 200).path("persona").asText(), () -> server.explain(p));
    http.expect(http.delete("/api/agents/peer-otter"), 200);
  }

  @Test
  @Order(10)
  void deleteRemovesAnAgentButNeverTheCoo() {
    http.expect(http.post("/api/agents", "{\"displayName\":\"Doomed Agent\"}"), 200);
    Http.Response r = http.delete("/api/agents/doomed-agent");
    assertEquals(Http.json("{\"ok\":true}"), http.expect(r, 200), () -> server.explain(r));
    http.expect(http.get("/api/agents/doomed-agent"), 404);
    Http.Response list = http.get("/api/agents");
    assertFalse(ids(http.expect(list, 200)).contains("doomed-agent"), () -> server.explain(list));
    Http.Response again = http.delete("/api/agents/doomed-agent");
    assertEquals(Http.json("{\"error\":\"not found\"}"), http.expect(again, 404), () -> server.explain(again));

    Http.Response coo = http.delete("/api/agents/coo");
    assertEquals(Http.json("{\"error\":\"the COO cannot be deleted\"}"), http.expect(coo, 400), () -> server.explain(coo));
    http.expect(http.get("/api/agents/coo"), 200);
  }

  @Test
  @Order(11)
  void globalSettingsStartWithTheDefaultsAndNoKeys() {
    Http.Response r = http.get("/api/settings/global");
    JsonNode settings = http.expect(r, 200);
    assertEquals(Http.json(DEFAULT_SETTINGS), settings, () -> server.explain(r));
    assertFalse(r.body().contains("apiKey\""), () -> server.explain(r));
  }

  @Test
  @Order(12)
  void puttingSettingsStoresThemRedactedAndNewAgentsUseTheDefaults() {
    Http.Response r = http.put("/api/settings/global", """
        {"theme":"forest",
         "defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"openai":{"authMethod":"oauth","apiKey":"sk-test"}}}
        """);
    JsonNode put = http.expect(r, 200);
    assertEquals("forest", put.path("theme").asText(), () -> server.explain(r));
    assertEquals(Http.json("{\"provider\":\"openai\",\"modelId\":\"gpt-4o\"}"), put.path("defaultChatModel"), () -> server.explain(r));
    assertEquals(Http.json("{\"baseUrl\":\"https://api.openai.com/v1\",\"apiKeyConfigured\":true,\"authMethod\":\"oauth\"}"),
        put.path("providers").path("openai"), () -> server.explain(r));
    assertEquals(Set.of("anthropic", "openai", "lmstudio", "ollama", "openai-compatible"), fieldNames(put.path("providers")),
        () -> server.explain(r));
    assertEquals(Http.json(DEFAULT_SETTINGS).path("providers").path("anthropic"), put.path("providers").path("anthropic"),
        () -> server.explain(r));
    assertFalse(r.body().contains("apiKey\"") || r.body().contains("sk-test"), () -> server.explain(r));

    Http.Response read = http.get("/api/settings/global");
    assertEquals(put, http.expect(read, 200), () -> server.explain(read));
    assertFalse(read.body().contains("sk-test"), () -> server.explain(read));

    Http.Response created = http.post("/api/agents", "{\"displayName\":\"Follows Defaults\"}");
    assertEquals(Http.json("""
        {"chat":{"provider":"openai","modelId":"gpt-4o"},"embedding":{"provider":"openai","modelId":"text-embedding-3-small"}}
        """), http.expect(created, 200).path("model"), () -> server.explain(created));
  }

  @Test
  @Order(13)
  void anAbsentKeyIsKeptAnEmptyKeyClearsItAndAKeyNeverFollowsAMovedEndpoint() {
    Http.Response keep = http.put("/api/settings/global", """
        {"theme":"forest","defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"openai":{"authMethod":"oauth"}}}
        """);
    JsonNode kept = http.expect(keep, 200);
    assertTrue(kept.path("providers").path("openai").path("apiKeyConfigured").asBoolean(),
        () -> "an absent apiKey must keep the key\n" + server.explain(keep));
    assertTrue(kept.path("warnings").isMissingNode(), () -> "nothing to warn about\n" + server.explain(keep));

    // Upstream kept the key when baseUrl moved, so a settings change could send it anywhere; here it is dropped and
    // the answer says so.
    Http.Response moved = http.put("/api/settings/global", """
        {"theme":"forest","defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"openai":{"authMethod":"oauth","baseUrl":"https://proxy.example.com/v1"}}}
        """);
    JsonNode afterMove = http.expect(moved, 200);
    assertFalse(afterMove.path("providers").path("openai").path("apiKeyConfigured").asBoolean(true),
        () -> "a key must not follow its provider to another endpoint\n" + server.explain(moved));
    assertEquals("https://proxy.example.com/v1", afterMove.path("providers").path("openai").path("baseUrl").asText(),
        () -> server.explain(moved));
    assertTrue(afterMove.path("warnings").path(0).asText().startsWith("providers.openai.apiKey was removed"),
        () -> server.explain(moved));
    http.expect(http.put("/api/settings/global", """
        {"theme":"forest","defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"openai":{"apiKey":"sk-test"}}}
        """), 200);

    Http.Response clear = http.put("/api/settings/global", """
        {"theme":"forest","defaultChatModel":{"provider":"openai","modelId":"gpt-4o"},
         "defaultEmbeddingModel":{"provider":"openai","modelId":"text-embedding-3-small"},
         "providers":{"openai":{"apiKey":""}}}
        """);
    JsonNode cleared = http.expect(clear, 200).path("providers").path("openai");
    assertFalse(cleared.path("apiKeyConfigured").asBoolean(true), () -> "apiKey \"\" must clear the key\n" + server.explain(clear));
    Http.Response read = http.get("/api/settings/global");
    assertFalse(http.expect(read, 200).path("providers").path("openai").path("apiKeyConfigured").asBoolean(true),
        () -> server.explain(read));
  }

  @Test
  @Order(14)
  void invalidSettingsAreRejectedAndChangeNothing() {
    Http.Response current = http.get("/api/settings/global");
    JsonNode before = http.expect(current, 200);
    String required = "{\"error\":\"theme, default models, and providers are required\"}";
    String model = "{\"provider\":\"lmstudio\",\"modelId\":\"local-model\"}";
    for (String body : List.of(
        "{\"theme\":\"light\",\"defaultEmbeddingModel\":" + model + ",\"providers\":{}}",
        "{\"theme\":\"light\",\"defaultChatModel\":" + model + ",\"providers\":{}}",
        "{\"theme\":\"light\",\"defaultChatModel\":" + model + ",\"defaultEmbeddingModel\":" + model + "}",
        "{}")) {
      Http.Response r = http.put("/api/settings/global", body);
      assertEquals(Http.json(required), http.expect(r, 400), () -> "body " + body + "\n" + server.explain(r));
    }
    for (String body : List.of(
        "{\"theme\":\"light\",\"defaultChatModel\":" + model + ",\"defaultEmbeddingModel\":" + model
            + ",\"providers\":{\"mistral\":{\"baseUrl\":\"https://api.mistral.ai/v1\"}}}",
        "{\"theme\":\"neon\",\"defaultChatModel\":" + model + ",\"defaultEmbeddingModel\":" + model + ",\"providers\":{}}",
        "{\"theme\":\"light\",\"defaultChatModel\":" + model + ",\"defaultEmbeddingModel\":" + model
            + ",\"providers\":{\"ollama\":{\"baseUrl\":\"ftp://localhost:11434/v1\"}}}",
        "{\"theme\":\"light\",\"defaultChatModel\":" + model + ",\"defaultEmbeddingModel\":" + model
            + ",\"providers\":{\"ollama\":{\"baseUrl\":\"javascript:alert(1)\"}}}")) {
      Http.Response r = http.put("/api/settings/global", body);
      assertErrorMessage(http.expect(r, 400), r);
    }
    Http.Response after = http.get("/api/settings/global");
    assertEquals(before, http.expect(after, 200), () -> "a rejected PUT changed the settings\n" + server.explain(after));
  }

  @Test
  @Order(15)
  void completingOnboardingIsIdempotent() {
    for (int i = 0; i < 2; i++) {
      Http.Response r = http.send("POST", "/api/setup-state/complete", "", "application/json");
      assertEquals(Http.json("{\"ok\":true}"), http.expect(r, 200), () -> server.explain(r));
      Http.Response state = http.get("/api/setup-state");
      JsonNode s = http.expect(state, 200);
      assertTrue(s.path("onboardingComplete").asBoolean(false), () -> server.explain(state));
      Http.Response list = http.get("/api/agents");
      assertEquals(http.expect(list, 200).size(), s.path("agentCount").asInt(), () -> server.explain(state));
    }
  }

  /** Last: it stops the server, so that everything it wrote is on disk when the home is scanned. */
  @Test
  @Order(100)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void anApiKeyNeverLeavesTheServerAndIsStoredEncrypted() throws Exception {
    String key = "sk-e2e-" + java.util.UUID.randomUUID().toString().replace("-", "");
    Http.Response r = http.put("/api/settings/global", """
        {"theme":"obsidian","defaultChatModel":{"provider":"lmstudio","modelId":"local-model"},
         "defaultEmbeddingModel":{"provider":"lmstudio","modelId":"local-model"},
         "providers":{"anthropic":{"apiKey":"%s"}}}
        """.formatted(key));
    JsonNode put = http.expect(r, 200);
    assertTrue(put.path("providers").path("anthropic").path("apiKeyConfigured").asBoolean(), () -> server.explain(r));

    var answers = new ArrayList<Http.Response>();
    answers.add(r);
    for (String path : List.of("/api/settings/global", "/api/agents", "/api/health", "/api/setup-state")) {
      answers.add(http.get(path));
    }
    for (JsonNode agent : http.expect(http.get("/api/agents"), 200)) {
      answers.add(http.get("/api/agents/" + agent.path("id").asText()));
    }
    for (Http.Response answer : answers) {
      assertFalse(answer.body().contains(key), () -> "the API key leaked in an answer\n" + answer);
      assertFalse(answer.body().contains("apiKey\""), () -> "an apiKey field in an answer\n" + answer);
    }

    Duration stopped = server.stop();
    assertFalse(server.wasForced(), "the server needed kill -9 after " + stopped);
    assertFalse(server.logText().contains(key), () -> "the API key is in the server log " + server.log());

    byte[] plain = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] base64 = java.util.Base64.getEncoder().encodeToString(plain).substring(0, 40)
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] utf16 = key.getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
    Path home = server.home();
    var scanned = new TreeSet<String>();
    long[] dbBytes = {0};
    try (var files = Files.walk(home)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(file);
        scanned.add(home.relativize(file) + " (" + content.length + " bytes)");
        if (home.relativize(file).startsWith("db")) {
          dbBytes[0] += content.length;
        }
        for (byte[] needle : List.of(plain, base64, utf16)) {
          assertFalse(contains(content, needle),
              () -> "the API key is readable in " + file + " (" + new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1) + ")");
        }
      }
    }
    System.out.println("[e2e] scanned for the API key: " + scanned);
    assertTrue(dbBytes[0] > 0, () -> "nothing under db/ was scanned: " + scanned);
    assertTrue(Files.isRegularFile(home.resolve("secret.key")), () -> "no secret.key in " + scanned);
  }

  static Set<String> fieldNames(JsonNode node) {
    var names = new TreeSet<String>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> ids(JsonNode agents) {
    var ids = new ArrayList<String>();
    agents.forEach(a -> ids.add(a.path("id").asText()));
    return ids;
  }

  static Instant assertIsoInstant(JsonNode value, Http.Response r) {
    assertTrue(value.isTextual() && value.asText().endsWith("Z"), () -> "createdAt is not ISO-8601 UTC\n" + server.explain(r));
    try {
      return Instant.parse(value.asText());
    } catch (DateTimeParseException e) {
      throw new AssertionError("createdAt '" + value.asText() + "' is not ISO-8601\n" + server.explain(r), e);
    }
  }

  static void assertErrorMessage(JsonNode body, Http.Response r) {
    assertEquals(Set.of("error"), fieldNames(body), () -> server.explain(r));
    assertTrue(body.path("error").isTextual() && !body.path("error").asText().isBlank(), () -> server.explain(r));
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
