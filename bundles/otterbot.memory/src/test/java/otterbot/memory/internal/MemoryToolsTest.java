package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.tool.Tool;
import otterbot.api.tool.ToolException;

/** What the three memory tools share: how they are offered and how they answer arguments that are not usable. */
class MemoryToolsTest {
  /** What the model APIs accept as a tool name (and the core checks when a tool binds). */
  static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  final MapMemoryStore store = new MapMemoryStore();
  final MapProfileStore profiles = new MapProfileStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true));
  final MemoryServiceImpl memory = Fixtures.service(store, profiles, agents, new Fixtures.WordsEmbedder("words"),
      Map.of(), Clock.systemUTC());
  final List<Tool> tools = List.of(new SearchMemoryTool(memory), new SaveMemoryTool(memory),
      new UpdateUserProfileTool(memory));

  @AfterEach
  void stop() {
    memory.close();
  }

  @Test
  void eachToolHasItsOwnValidNameAndAnObjectSchemaWhoseRequiredFieldsAreDeclared() throws Exception {
    Set<String> names = new HashSet<>();
    for (Tool tool : tools) {
      assertTrue(NAME.matcher(tool.name()).matches(), tool.name());
      assertTrue(names.add(tool.name()), "two tools named " + tool.name());
      JsonNode schema = MemoryTools.JSON.readTree(tool.parameters());
      assertEquals("object", schema.path("type").asText(), tool.name());
      assertTrue(schema.path("required").size() > 0, tool.name());
      for (JsonNode field : schema.path("required")) {
        assertTrue(schema.path("properties").has(field.asText()), tool.name() + " requires an undeclared " + field);
      }
    }
    assertEquals(Set.of("search_memory", "save_memory", "update_user_profile"), names);
  }

  @Test
  void argumentsThatAreNotAJsonObjectAreToolErrors() {
    for (Tool tool : tools) {
      assertToolError(tool, "the arguments are not valid JSON", "{\"query\":");
      assertToolError(tool, "the arguments are not valid JSON", "query=cats");
      assertToolError(tool, "the arguments must be a JSON object", "[\"cats\"]");
      assertToolError(tool, "the arguments must be a JSON object", "\"cats\"");
      assertToolError(tool, "the arguments must be a JSON object", "42");
    }
  }

  @Test
  void missingArgumentsAreAnEmptyObjectSoTheFirstRequiredFieldIsNamed() {
    for (String none : new String[] {null, "", "  "}) {
      assertToolError(tools.get(0), "query is required", none);
      assertToolError(tools.get(1), "content is required", none);
      assertToolError(tools.get(2), "bucket is required", none);
    }
    assertEquals(0, store.count());
    assertTrue(profiles.profiles.isEmpty());
  }

  /** A failure the model cannot fix by changing its arguments is reported as such, with no internals. */
  @Test
  void aFailureThatIsNotTheModelsToFixIsAToolErrorSayingMemoryIsNotAvailable() {
    // An agent the registry does not know (deleted while its turn ran): the service answers "not found".
    var gone = Fixtures.toolContext(Fixtures.agent("carol", "openai", true));
    ToolException e = assertThrows(ToolException.class,
        () -> tools.get(1).invoke(gone, "{\"content\":\"The user likes jazz\"}"));
    assertEquals("memory is not available right now (not_found)", e.getMessage());
    assertEquals(0, store.count());
  }

  @Test
  void unknownArgumentsAreIgnored() throws Exception {
    assertEquals("{\"ok\":true}", tools.get(2).invoke(Fixtures.toolContext(agents.profiles.get("alice")),
        "{\"bucket\":\"facts\",\"content\":\"Keeps bees\",\"confidence\":9}"));
    assertEquals(5, memory.profile("alice").facts().get(0).confidence(), "the model cannot set the confidence");
  }

  static void assertToolError(Tool tool, String message, String arguments) {
    ToolException e = assertThrows(ToolException.class,
        () -> tool.invoke(Fixtures.toolContext(Fixtures.agent("alice", "openai", true)), arguments),
        tool.name() + " " + arguments);
    assertEquals(message, e.getMessage(), tool.name() + " " + arguments);
  }
}
