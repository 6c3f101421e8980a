package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.persistence.StoredMemory;
import otterbot.api.tool.ToolException;

/** {@code save_memory} (upstream-behaviour §6.2, the later name of save_finding) as the model sees it. */
class SaveMemoryToolTest {
  final MapMemoryStore store = new MapMemoryStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final MemoryServiceImpl memory = Fixtures.service(store, new MapProfileStore(), agents,
      new Fixtures.WordsEmbedder("words"), Map.of(), Clock.systemUTC());
  final SaveMemoryTool tool = new SaveMemoryTool(memory);

  @AfterEach
  void stop() {
    memory.close();
  }

  String invoke(String agent, String arguments) throws ToolException {
    return tool.invoke(Fixtures.toolContext(agents.profiles.get(agent)), arguments);
  }

  /** Saves through the tool and returns the new memory's row. */
  StoredMemory save(String agent, String arguments) throws Exception {
    JsonNode result = MemoryTools.JSON.readTree(invoke(agent, arguments));
    assertTrue(result.path("ok").asBoolean(), result.toString());
    return store.get(result.path("id").asText()).orElseThrow();
  }

  @Test
  void isOfferedAsSaveMemoryWithARequiredContentAndTheFiveCategories() throws Exception {
    assertEquals("save_memory", tool.name());
    assertFalse(tool.description().isBlank());
    JsonNode schema = MemoryTools.JSON.readTree(tool.parameters());
    assertEquals("object", schema.path("type").asText());
    assertEquals("[\"content\"]", schema.path("required").toString());
    JsonNode properties = schema.path("properties");
    assertEquals("string", properties.path("content").path("type").asText());
    var categories = new TreeSet<String>();
    properties.path("category").path("enum").forEach(c -> categories.add(c.asText()));
    assertEquals(new TreeSet<>(MemoryEntry.CATEGORIES), categories, "exactly the categories the service accepts");
    assertEquals("fact", properties.path("category").path("default").asText());
    assertEquals(1, properties.path("importance").path("minimum").asInt());
    assertEquals(10, properties.path("importance").path("maximum").asInt());
    assertEquals(6, properties.path("importance").path("default").asInt());
    assertEquals("string", properties.path("supersedes").path("type").asText());
  }

  @Test
  void savesAFactOfImportanceSixFromTheAgentAndAnswersOkWithTheId() throws Exception {
    String answer = invoke("alice", "{\"content\":\"  The user's daughter is called Ines  \"}");
    JsonNode result = MemoryTools.JSON.readTree(answer);
    var fields = new ArrayList<String>();
    result.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("ok", "id"), fields, answer);
    assertTrue(result.path("ok").isBoolean() && result.path("ok").asBoolean(), answer);
    StoredMemory saved = store.get(result.path("id").asText()).orElseThrow();
    assertEquals("alice", saved.agentId(), "saved for the calling agent");
    assertEquals("The user's daughter is called Ines", saved.content());
    assertEquals("fact", saved.category());
    assertEquals(6, saved.importance());
    assertEquals("agent", saved.source());
    assertNull(saved.supersededBy());
    assertEquals(0, store.count("bob"));
  }

  @Test
  void savesTheCategoryAndImportanceTheModelGives() throws Exception {
    StoredMemory saved = save("alice",
        "{\"content\":\"Always answer in British English\",\"category\":\"instruction\",\"importance\":9}");
    assertEquals("instruction", saved.category());
    assertEquals(9, saved.importance());
    assertEquals(4, save("alice", "{\"content\":\"The user owns a kayak\",\"importance\":4.0}").importance(),
        "a whole number written as 4.0 is fine");
  }

  @Test
  void supersedesMarksTheOldMemoryWhichIsNoLongerFound() throws Exception {
    StoredMemory berlin = save("alice", "{\"content\":\"The user lives in Berlin\"}");
    StoredMemory paris = save("alice",
        "{\"content\":\"The user now lives in Paris\",\"supersedes\":\"" + berlin.id() + "\"}");
    assertEquals(paris.id(), store.get(berlin.id()).orElseThrow().supersededBy(), "the old one is marked");
    assertNull(store.get(paris.id()).orElseThrow().supersededBy());
    List<MemoryHit> hits = memory.search("alice", "where does the user live Berlin Paris", 10);
    assertEquals(List.of(paris.id()), hits.stream().map(h -> h.entry().id()).toList(), "only the new one is found");
    assertEquals(2, memory.list("alice", 10).size(), "the old one is still listed");
  }

  @Test
  void aMemoryOfAnotherAgentCannotBeSuperseded() throws Exception {
    MemoryEntry bobs = memory.save("bob", MemoryInput.of("The user plays chess on Sundays", "fact", 6, "agent"));
    assertToolError("supersedes: agent 'alice' has no memory '" + bobs.id() + "'",
        "{\"content\":\"The user stopped playing chess\",\"supersedes\":\"" + bobs.id() + "\"}");
    assertNull(store.get(bobs.id()).orElseThrow().supersededBy(), "bob's memory is untouched");
    assertEquals(0, store.count("alice"), "and nothing was saved");
  }

  @Test
  void aBlankSupersedesIsIgnored() throws Exception {
    StoredMemory saved = save("alice", "{\"content\":\"The user likes jazz\",\"supersedes\":\"  \"}");
    assertEquals("The user likes jazz", saved.content());
  }

  @Test
  void badArgumentsAreToolErrorsAndSaveNothing() {
    assertToolError("content is required", "{}");
    assertToolError("content is required", "{\"content\":\" \"}");
    assertToolError("content is required", "{\"category\":\"fact\"}");
    assertToolError("content must be a string", "{\"content\":5}");
    assertToolError("content is longer than 4000 characters", "{\"content\":\"" + "x".repeat(4001) + "\"}");
    assertToolError("category must be one of preference, fact, instruction, relationship, general",
        "{\"content\":\"The user likes jazz\",\"category\":\"opinion\"}");
    assertToolError("category must be one of preference, fact, instruction, relationship, general",
        "{\"content\":\"The user likes jazz\",\"category\":\"Fact\"}");
    assertToolError("category must be a string", "{\"content\":\"The user likes jazz\",\"category\":3}");
    for (String importance : List.of("0", "11", "7.5", "\"high\"", "\"7\"", "false")) {
      assertToolError("importance must be an integer from 1 to 10",
          "{\"content\":\"The user likes jazz\",\"importance\":" + importance + "}");
    }
    assertToolError("supersedes must be a string", "{\"content\":\"The user likes jazz\",\"supersedes\":123}");
    assertToolError("supersedes must be a memory id",
        "{\"content\":\"The user likes jazz\",\"supersedes\":\"" + "x".repeat(65) + "\"}");
    assertToolError("supersedes: agent 'alice' has no memory 'no-such-id'",
        "{\"content\":\"The user likes jazz\",\"supersedes\":\"no-such-id\"}");
    assertEquals(0, store.count(), "nothing was saved");
  }

  void assertToolError(String message, String arguments) {
    ToolException e = assertThrows(ToolException.class, () -> invoke("alice", arguments), arguments);
    assertEquals(message, e.getMessage(), arguments);
  }
}
