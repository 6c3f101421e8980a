package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;

/** {@code autoLearn} on the agent routes: taken on create and update, returned on read, refused when not a boolean. */
class AgentsAutoLearnTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** Stores profiles by id; learning defaults to on, as the core's registry does. Records every input. */
  static final class Registry implements AgentRegistry {
    final Map<String, AgentProfile> profiles = new LinkedHashMap<>();
    final List<AgentInput> inputs = new ArrayList<>();

    @Override
    public List<AgentSummary> list() {
      return List.of();
    }

    @Override
    public Optional<AgentProfile> get(String id) {
      return Optional.ofNullable(profiles.get(id));
    }

    @Override
    public int count() {
      return profiles.size();
    }

    @Override
    public AgentProfile create(AgentInput input) {
      inputs.add(input);
      String id = input.displayName().toLowerCase(java.util.Locale.ROOT);
      return store(id, input.displayName(), input.autoLearn() == null || input.autoLearn());
    }

    @Override
    public AgentProfile update(String id, AgentInput patch) {
      inputs.add(patch);
      AgentProfile old = get(id).orElseThrow(() -> OtterbotException.notFound("not found"));
      return store(id, old.displayName(), patch.autoLearn() == null ? old.autoLearn() : patch.autoLearn());
    }

    private AgentProfile store(String id, String name, boolean autoLearn) {
      var p = new AgentProfile(id, name, AgentProfile.ROLE_AGENT, "", null, null, null, "socketio", null, null, false,
          0, null, T0, autoLearn);
      profiles.put(id, p);
      return p;
    }

    @Override
    public void delete(String id) {
      profiles.remove(id);
    }
  }

  private final Registry registry = new Registry();
  private final InProcessApi api = new InProcessApi(new AgentsResource(registry));

  @Test
  void anAgentLearnsUnlessCreatedWithAutoLearnFalse() {
    var learner = api.postJson("agents", "{\"displayName\":\"Ada\"}");
    var quiet = api.postJson("agents", "{\"displayName\":\"Bob\",\"autoLearn\":false}");

    assertEquals(200, learner.status(), learner::toString);
    assertEquals(true, learner.json().get("autoLearn").asBoolean());
    assertEquals(false, quiet.json().get("autoLearn").asBoolean(), quiet::toString);
    assertNull(registry.inputs.get(0).autoLearn(), "not given is null, so the registry applies its default");
    assertEquals(false, registry.inputs.get(1).autoLearn());
    assertEquals(false, api.get("agents/bob").json().get("autoLearn").asBoolean());
    assertEquals(true, api.get("agents/ada").json().get("autoLearn").asBoolean());
  }

  @Test
  void aPatchTurnsLearningOffAndOnAndAPatchWithoutItKeepsIt() {
    api.postJson("agents", "{\"displayName\":\"Ada\"}");

    var off = api.call("PATCH", "agents/ada", "application/json", "{\"autoLearn\":false}");
    assertEquals(200, off.status(), off::toString);
    assertEquals(false, off.json().get("autoLearn").asBoolean());
    assertEquals(false, api.get("agents/ada").json().get("autoLearn").asBoolean());

    var other = api.call("PATCH", "agents/ada", "application/json", "{\"persona\":\"calm\"}");
    assertEquals(false, other.json().get("autoLearn").asBoolean(), "a patch without autoLearn leaves it");

    var on = api.call("PATCH", "agents/ada", "application/json", "{\"autoLearn\":true}");
    assertEquals(true, on.json().get("autoLearn").asBoolean());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"false\"", "0", "1", "\"yes\"", "[]", "{}"})
  void aNonBooleanAutoLearnIs400NamingIt(String value) {
    api.postJson("agents", "{\"displayName\":\"Ada\"}");
    registry.inputs.clear();

    var create = api.postJson("agents", "{\"displayName\":\"Bob\",\"autoLearn\":" + value + "}");
    var patch = api.call("PATCH", "agents/ada", "application/json", "{\"autoLearn\":" + value + "}");

    for (var answer : List.of(create, patch)) {
      assertEquals(400, answer.status(), value + ": " + answer);
      assertEquals("{\"error\":\"field 'autoLearn' has the wrong type (expected boolean)\"}", answer.body());
    }
    assertEquals(List.of(), registry.inputs, "the registry was not asked");
  }
}
