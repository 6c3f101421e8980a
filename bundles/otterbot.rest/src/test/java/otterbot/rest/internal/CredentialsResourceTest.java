package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.OtterbotException;
import otterbot.api.credentials.CredentialService;

/** {@code POST /api/agents/:id/credentials} through Jersey. */
class CredentialsResourceTest {
  /** Knows the agents "ada" and "bob"; records every replacement. */
  static final class FakeCredentials implements CredentialService {
    final Map<String, Map<String, String>> stored = new LinkedHashMap<>();
    final List<String> replaced = new ArrayList<>();

    @Override
    public void replace(String agentId, Map<String, String> secrets) {
      if (!Set.of("ada", "bob").contains(agentId)) {
        throw OtterbotException.notFound("agent '" + agentId + "' does not exist");
      }
      for (String key : secrets.keySet()) {
        if (key.contains(" ")) {
          throw OtterbotException.invalid("secret name '" + key + "' must not contain spaces");
        }
      }
      replaced.add(agentId);
      stored.put(agentId, new LinkedHashMap<>(secrets));
    }

    @Override
    public Set<String> keys(String agentId) {
      return stored.getOrDefault(agentId, Map.of()).keySet();
    }

    @Override
    public Map<String, String> effectiveSecrets(String agentId) {
      return stored.getOrDefault(agentId, Map.of());
    }

    @Override
    public void deleteAll(String agentId) {
      stored.remove(agentId);
    }
  }

  private final FakeCredentials credentials = new FakeCredentials();
  private final CredentialsResource resource = new CredentialsResource();
  private final InProcessApi api = new InProcessApi(resource);

  CredentialsResourceTest() {
    resource.setCredentials(credentials);
  }

  @Test
  void theBodyReplacesTheAgentsSecretsAndTheAnswerIsOkOnly() {
    var answer = api.postJson("agents/ada/credentials",
        "{\"ANTHROPIC_API_KEY\":\"sk-live-ant\",\"GITHUB_TOKEN\":\"ghp_live\",\"EMPTY\":\"\"}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"ok\":true}", answer.body());
    assertEquals(Map.of("ANTHROPIC_API_KEY", "sk-live-ant", "GITHUB_TOKEN", "ghp_live", "EMPTY", ""),
        credentials.stored.get("ada"));
    assertEquals(List.of("ANTHROPIC_API_KEY", "GITHUB_TOKEN", "EMPTY"), List.copyOf(credentials.keys("ada")),
        "the client's order is kept");
  }

  @Test
  void anEmptyObjectClearsTheSet() {
    credentials.stored.put("bob", Map.of("K", "v"));

    assertEquals(200, api.postJson("agents/bob/credentials", "{}").status());
    assertEquals(Map.of(), credentials.stored.get("bob"));
  }

  @Test
  void anUnknownAgentIs404NotFoundWhateverTheServiceSaid() {
    var answer = api.postJson("agents/nobody/credentials", "{\"K\":\"sk-live-1\"}");

    assertEquals(404, answer.status(), answer::toString);
    assertEquals("{\"error\":\"not found\"}", answer.body());
  }

  @Test
  void aRuleTheServiceEnforcesIs400WithItsMessage() {
    var answer = api.postJson("agents/ada/credentials", "{\"BAD NAME\":\"sk-live-1\"}");

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"secret name 'BAD NAME' must not contain spaces\"}", answer.body());
    assertEquals(List.of(), credentials.replaced);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"sk-live-1\"]", "\"sk-live-1\"", "42", "null", "", "true"})
  void aBodyThatIsNotAnObjectIs400(String body) throws Exception {
    String log = Logs.of(() -> {
      var answer = api.postJson("agents/ada/credentials", body);
      assertEquals(400, answer.status(), answer::toString);
      assertEquals("{\"error\":\"the request body must be a JSON object of names to secret values\"}", answer.body());
    });
    assertFalse(log.contains("sk-live"), log);
    assertEquals(List.of(), credentials.replaced);
  }

  /** A value that is not a string: the key is named, the value is quoted nowhere, nothing is replaced. */
  @ParameterizedTest
  @ValueSource(strings = {"17", "true", "null", "{\"nested\":\"sk-live-1\"}", "[\"sk-live-1\"]"})
  void aValueThatIsNotAStringIs400NamingTheKey(String value) throws Exception {
    String log = Logs.of(() -> {
      var answer = api.postJson("agents/ada/credentials",
          "{\"GITHUB_TOKEN\":\"sk-live-ok\",\"OPENAI_API_KEY\":" + value + "}");
      assertEquals(400, answer.status(), answer::toString);
      assertEquals("{\"error\":\"the value of 'OPENAI_API_KEY' must be a string\"}", answer.body());
    });
    assertFalse(log.contains("sk-live"), log);
    assertEquals(List.of(), credentials.replaced);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"OPENAI_API_KEY\":skLive1}|malformed JSON at line 1, column 27",
      "{\"OPENAI_API_KEY\":\"sk-live-1\"|malformed JSON at line 1, column 30",
      "{\"K\":\"sk-live-1\",\"K\":\"sk-live-2\"}|malformed JSON at line 1, column 21",
      "{\"K\":\"sk-live-1\"} skLive2|malformed JSON at line 1, column 26"})
  void malformedJsonIs400WithoutQuotingTheBody(String body, String message) throws Exception {
    String log = Logs.of(() -> {
      var answer = api.postJson("agents/ada/credentials", body);
      assertEquals(400, answer.status(), answer::toString);
      assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    });
    assertFalse(log.contains("sk-live") || log.contains("skLive"), log);
    assertEquals(List.of(), credentials.replaced);
  }

  @Test
  void withoutTheCredentialServiceTheRouteIs503() {
    resource.unsetCredentials(new FakeCredentials());
    assertEquals(200, api.postJson("agents/ada/credentials", "{}").status(), "another instance went, not ours");

    resource.unsetCredentials(credentials);
    var answer = api.postJson("agents/ada/credentials", "{\"K\":\"sk-live-1\"}");

    assertEquals(503, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + CredentialsResource.UNAVAILABLE + "\"}", answer.body());
  }

  @Test
  void thereIsNoWayToReadSecretsBack() {
    api.postJson("agents/ada/credentials", "{\"K\":\"sk-live-1\"}");

    var get = api.get("agents/ada/credentials");
    assertEquals(405, get.status(), get::toString);
    assertFalse(get.body().contains("sk-live"));
  }
}
