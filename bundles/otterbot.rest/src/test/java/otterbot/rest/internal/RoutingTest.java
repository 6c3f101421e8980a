package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;

/**
 * The new resources beside the agents resource in one application, as in the whiteboard's default application: the
 * providers resource sits at the root and the credentials resource under {@code agents/{id}}, and neither may take a
 * request that belongs to the agents resource.
 */
class RoutingTest {
  /** Has no agents; records which of its methods were called. */
  static final class NoAgents implements AgentRegistry {
    final List<String> calls = new ArrayList<>();

    @Override
    public List<AgentSummary> list() {
      calls.add("list");
      return List.of();
    }

    @Override
    public Optional<AgentProfile> get(String id) {
      calls.add("get " + id);
      return Optional.empty();
    }

    @Override
    public int count() {
      return 0;
    }

    @Override
    public AgentProfile create(AgentInput input) {
      throw OtterbotException.invalid("not here");
    }

    @Override
    public AgentProfile update(String id, AgentInput patch) {
      throw OtterbotException.notFound("not found");
    }

    @Override
    public void delete(String id) {
      calls.add("delete " + id);
      throw OtterbotException.notFound("not found");
    }
  }

  private final NoAgents agents = new NoAgents();
  private final CredentialsResourceTest.FakeCredentials credentials = new CredentialsResourceTest.FakeCredentials();
  private final InProcessApi api;

  RoutingTest() {
    var providers = new ProvidersResource();
    providers.setModels(new ProvidersResourceTest.FakeModels());
    var credentialsResource = new CredentialsResource();
    credentialsResource.setCredentials(credentials);
    api = new InProcessApi(new AgentsResource(agents), providers, credentialsResource);
  }

  @Test
  void eachRequestReachesItsOwnResource() {
    assertEquals("[]", api.get("agents").body());
    assertEquals(404, api.get("agents/ada").status());
    assertEquals(404, api.call("DELETE", "agents/ada", null, null).status());
    assertEquals(List.of("list", "get ada", "delete ada"), agents.calls);

    assertEquals("{\"ok\":true}", api.postJson("agents/ada/credentials", "{\"K\":\"v\"}").body());
    assertEquals(List.of("ada"), credentials.replaced);
    assertEquals(3, api.get("providers").json().size());
    assertEquals(200, api.postJson("provider-models", "{\"provider\":\"x\"}").status());
  }

  @Test
  void unknownPathsAreStill404InTheApisErrorShape() {
    for (String path : List.of("nothing", "agents/ada/nothing", "providers/extra", "agents/ada/credentials/x")) {
      var answer = api.get(path);
      assertEquals(404, answer.status(), path + ": " + answer);
      assertEquals("{\"error\":\"not found\"}", answer.body(), path);
    }
  }
}
