package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.agent.AgentInput;
import otterbot.api.agent.AgentProfile;
import otterbot.api.agent.AgentRegistry;
import otterbot.api.agent.AgentSummary;
import otterbot.api.agent.Artwork;
import otterbot.api.agent.ModelRef;
import otterbot.api.asset.AssetFile;
import otterbot.api.asset.AssetLibrary;
import otterbot.api.asset.EnvironmentPack;
import otterbot.api.asset.ModelPack;
import otterbot.api.asset.Scene;

/** The asset listings' shapes, the 503 without the library, and agents shown with a fallback model pack. */
class AssetResourcesTest {
  /** A library with pete (and orc-brute while {@link #installed} holds it). */
  static final class Library implements AssetLibrary {
    final Set<String> installed = new CopyOnWriteArraySet<>(Set.of("prototype-pete"));

    @Override
    public List<ModelPack> modelPacks() {
      return installed.stream().sorted().map(id -> new ModelPack(id, id, "/assets/3d/workers/" + id + "/c.glb",
          "/assets/3d/workers/" + id + "/artwork.png", new ModelPack.Animations("/i.glb", "/a.glb",
              id.equals("orc-brute") ? null : "/w.glb"), "bundle")).toList();
    }

    @Override
    public List<EnvironmentPack> environmentPacks() {
      return List.of(new EnvironmentPack("bits", "Bits", List.of(new EnvironmentPack.Asset("floor_tile", "floor tile",
          "/assets/3d/environments/bits/models/floor_tile.gltf")), "home"));
    }

    @Override
    public List<Scene> scenes() {
      return List.of(new Scene("a", "{\"id\":\"a\",  \"n\":1.50}", "x"), new Scene("b", "{\"id\":\"b\"}", "y"));
    }

    @Override
    public boolean hasModelPack(String id) {
      return installed.contains(id);
    }

    @Override
    public String effectiveModelPack(String requested) {
      return installed.contains(requested) ? requested : "prototype-pete";
    }

    @Override
    public Optional<AssetFile> file(String path) {
      return Optional.empty();
    }
  }

  /** One agent, "orc", whose stored model pack is orc-brute. */
  static final class Agents implements AgentRegistry {
    AgentProfile orc = new AgentProfile("orc", "Orc", AgentProfile.ROLE_AGENT, "", null, null, null, "local", null,
        new Artwork("orc-brute"), true, 5, null, Instant.EPOCH);
    volatile String status = "idle";

    @Override
    public List<AgentSummary> list() {
      // A new list of new records on every call, as the registry answers.
      return List.of(new AgentSummary("orc", "Orc", "agent", status, new ModelRef("builtin", "x"), orc.artwork(), null,
          0));
    }

    @Override
    public Optional<AgentProfile> get(String id) {
      return "orc".equals(id) ? Optional.of(orc) : Optional.empty();
    }

    @Override
    public int count() {
      return 1;
    }

    @Override
    public AgentProfile create(AgentInput input) {
      return orc;
    }

    @Override
    public AgentProfile update(String id, AgentInput patch) {
      return orc;
    }

    @Override
    public void delete(String id) {}
  }

  final Library library = new Library();
  final Agents agents = new Agents();
  final ModelPacksResource models = new ModelPacksResource();
  final ScenesResource scenes = new ScenesResource();
  final EnvironmentPacksResource environments = new EnvironmentPacksResource();
  final AgentsResource agentsResource = new AgentsResource(agents);
  final InProcessApi api = new InProcessApi(models, scenes, environments, agentsResource);

  @Test
  void withoutTheLibraryTheListingsAre503() {
    for (String path : List.of("model-packs", "scenes", "environment-packs")) {
      var answer = api.get(path);
      assertEquals(503, answer.status(), path);
      assertEquals(AssetJson.UNAVAILABLE, answer.json().path("error").asText(), path);
    }
  }

  @Test
  void modelPacksHaveUpstreamsShapeAndLeaveOutAMissingWorkingAnimation() {
    models.setLibrary(library);
    library.installed.add("orc-brute");
    JsonNode packs = api.get("model-packs").json();
    assertEquals(2, packs.size());
    assertEquals(List.of("id", "name", "characterUrl", "thumbnailUrl", "animations", "source"), fields(packs.get(0)));
    assertEquals("orc-brute", packs.get(0).path("id").asText());
    assertEquals(List.of("idle", "action"), fields(packs.get(0).path("animations")));
    assertEquals(List.of("idle", "action", "working"), fields(packs.get(1).path("animations")));
  }

  @Test
  void environmentPacksHaveUpstreamsShape() {
    environments.setLibrary(library);
    JsonNode pack = api.get("environment-packs").json().get(0);
    assertEquals(List.of("id", "name", "assets", "source"), fields(pack));
    assertEquals(List.of("id", "name", "modelUrl"), fields(pack.path("assets").get(0)));
    assertEquals("floor tile", pack.path("assets").get(0).path("name").asText());
  }

  @Test
  void scenesAreTheFilesJsonAsWritten() {
    scenes.setLibrary(library);
    var answer = api.get("scenes");
    assertEquals(200, answer.status());
    assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
    assertEquals("[{\"id\":\"a\",  \"n\":1.50},{\"id\":\"b\"}]", answer.body());
  }

  @Test
  void anAgentWhosePackIsMissingIsShownWithTheFallbackAndItsOwnPackIsKept() {
    agentsResource.setAssets(library);
    JsonNode profile = api.get("agents/orc").json();
    assertEquals("prototype-pete", profile.path("artwork").path("modelPack").asText());
    assertEquals("orc-brute", profile.path("artwork").path("requestedModelPack").asText());
    JsonNode summary = api.get("agents").json().get(0);
    assertEquals("prototype-pete", summary.path("artwork").path("modelPack").asText());
    assertEquals("orc-brute", summary.path("artwork").path("requestedModelPack").asText());

    library.installed.add("orc-brute");
    JsonNode back = api.get("agents/orc").json();
    assertEquals("orc-brute", back.path("artwork").path("modelPack").asText());
    assertFalse(back.path("artwork").has("requestedModelPack"), back.toString());
    assertEquals("orc-brute", agents.orc.artwork().modelPack(), "the stored value never changes");
    JsonNode listed = api.get("agents").json().get(0);
    assertEquals("orc-brute", listed.path("artwork").path("modelPack").asText(), "the listing follows the install");
    assertFalse(listed.path("artwork").has("requestedModelPack"), listed.toString());
  }

  @Test
  void theListingIsJsonAndShowsEveryChangeOfStatusOrPackAtTheNextCall() {
    agentsResource.setAssets(library);
    var first = api.get("agents");
    assertEquals(200, first.status());
    assertTrue(first.contentType().startsWith("application/json"), first.contentType());
    assertEquals(first.body(), api.get("agents").body(), "nothing changed, the same answer");
    assertEquals("idle", first.json().get(0).path("status").asText());

    agents.status = "busy";
    assertEquals("busy", api.get("agents").json().get(0).path("status").asText());
    library.installed.add("orc-brute");
    JsonNode listed = api.get("agents").json().get(0);
    assertEquals("orc-brute", listed.path("artwork").path("modelPack").asText());
    assertEquals("busy", listed.path("status").asText());
    library.installed.remove("orc-brute");
    agents.status = "idle";
    assertEquals(first.body(), api.get("agents").body(), "back as it was, the same answer as the first");
  }

  @Test
  void withoutTheLibraryAgentsShowTheirStoredPack() {
    JsonNode profile = api.get("agents/orc").json();
    assertEquals("orc-brute", profile.path("artwork").path("modelPack").asText());
    assertFalse(profile.path("artwork").has("requestedModelPack"));
  }

  static List<String> fields(JsonNode node) {
    var out = new java.util.ArrayList<String>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

}
