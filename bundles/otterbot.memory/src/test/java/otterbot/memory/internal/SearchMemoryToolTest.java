package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryInput;
import otterbot.api.tool.ToolException;

/** {@code search_memory} (upstream-behaviour §6.2) as the model sees it: its schema, its results and its errors. */
class SearchMemoryToolTest {
  final MapMemoryStore store = new MapMemoryStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final Fixtures.WordsEmbedder embedder = new Fixtures.WordsEmbedder("words");
  final MemoryServiceImpl memory = Fixtures.service(store, new MapProfileStore(), agents, embedder, Map.of(),
      Clock.systemUTC());
  final SearchMemoryTool tool = new SearchMemoryTool(memory);

  @AfterEach
  void stop() {
    memory.close();
  }

  MemoryEntry save(String agent, String content, String category, int importance) {
    return memory.save(agent, MemoryInput.of(content, category, importance, "agent"));
  }

  JsonNode search(String agent, String arguments) throws Exception {
    JsonNode result = MemoryTools.JSON.readTree(invoke(agent, arguments));
    assertTrue(result.isArray(), result.toString());
    return result;
  }

  String invoke(String agent, String arguments) throws ToolException {
    return tool.invoke(Fixtures.toolContext(agents.profiles.get(agent)), arguments);
  }

  static List<String> ids(JsonNode results) {
    var out = new ArrayList<String>();
    results.forEach(r -> out.add(r.path("id").asText()));
    return out;
  }

  @Test
  void isOfferedAsSearchMemoryWithARequiredQueryAndALimitFrom1To20DefaultingTo6() throws Exception {
    assertEquals("search_memory", tool.name());
    assertFalse(tool.description().isBlank());
    JsonNode schema = MemoryTools.JSON.readTree(tool.parameters());
    assertEquals("object", schema.path("type").asText());
    assertEquals("[\"query\"]", schema.path("required").toString());
    assertEquals("string", schema.path("properties").path("query").path("type").asText());
    JsonNode limit = schema.path("properties").path("limit");
    assertEquals("integer", limit.path("type").asText());
    assertEquals(1, limit.path("minimum").asInt());
    assertEquals(20, limit.path("maximum").asInt());
    assertEquals(6, limit.path("default").asInt());
  }

  @Test
  void answersTheBestMatchesFirstEachWithIdContentCategoryImportanceScoreAndVia() throws Exception {
    MemoryEntry cat = save("alice", "The user's cat is called Miso", "relationship", 7);
    save("alice", "The user drinks coffee without sugar", "preference", 5);
    JsonNode results = search("alice", "{\"query\":\"what is the cat called\"}");
    JsonNode first = results.get(0);
    var fields = new ArrayList<String>();
    first.fieldNames().forEachRemaining(fields::add);
    // Upstream's {content, category, importance, score, via}, plus the id that save_memory's supersedes needs.
    assertEquals(List.of("id", "content", "category", "importance", "score", "via"), fields);
    assertEquals(cat.id(), first.path("id").asText());
    assertEquals("The user's cat is called Miso", first.path("content").asText());
    assertEquals("relationship", first.path("category").asText());
    assertEquals(7, first.path("importance").asInt());
    assertTrue(first.path("importance").isInt(), "importance is a number, not a string");
    assertTrue(first.path("score").isNumber() && first.path("score").asDouble() > 0, first.toString());
    assertEquals("hybrid", first.path("via").asText(), "found by its words and its meaning");
    for (int i = 1; i < results.size(); i++) {
      assertTrue(results.get(i - 1).path("score").asDouble() >= results.get(i).path("score").asDouble(),
          "best first: " + results);
    }
  }

  @Test
  void returnsSixResultsUnlessTheModelAsksForAnotherLimit() throws Exception {
    // Eight memories that share the word "garden" and little else (no two are near-duplicates).
    for (String s : List.of("garden tomatoes ripen in august", "garden shed needs fresh paint",
        "garden pond holds goldfish", "garden hedge trimmed every spring", "garden bench faces west",
        "garden roses were planted by grandma", "garden compost heap smells", "garden gate squeaks loudly")) {
      save("alice", s, "fact", 5);
    }
    assertEquals(6, search("alice", "{\"query\":\"garden\"}").size(), "the default limit is 6");
    assertEquals(2, search("alice", "{\"query\":\"garden\",\"limit\":2}").size());
    assertEquals(3, search("alice", "{\"query\":\"garden\",\"limit\":3.0}").size(), "a whole number as 3.0 is fine");
    assertEquals(8, search("alice", "{\"query\":\"garden\",\"limit\":20}").size());
    assertEquals(6, search("alice", "{\"query\":\"garden\",\"limit\":null}").size(), "null is the default");
  }

  @Test
  void findsOnlyTheCallingAgentsOwnMemories() throws Exception {
    MemoryEntry green = save("alice", "The user's favourite colour is green", "preference", 6);
    MemoryEntry chess = save("bob", "The user plays chess on Sundays", "fact", 6);
    assertEquals(List.of(), ids(search("bob", "{\"query\":\"favourite colour green\"}")),
        "bob does not see alice's memory");
    String both = "{\"query\":\"favourite colour green chess sundays\",\"limit\":20}";
    assertEquals(List.of(green.id()), ids(search("alice", both)), "alice sees only hers");
    assertEquals(List.of(chess.id()), ids(search("bob", both)), "bob sees only his");
  }

  @Test
  void anAgentWithoutMemoriesGetsAnEmptyList() throws Exception {
    save("bob", "The user plays chess on Sundays", "fact", 6);
    assertEquals("[]", invoke("alice", "{\"query\":\"chess\"}"));
  }

  @Test
  void everyResultCountsAsAUseOfThatMemory() throws Exception {
    MemoryEntry cat = save("alice", "The user's cat is called Miso", "fact", 6);
    MemoryEntry bike = save("alice", "The user rides a red bicycle to work", "fact", 6);
    assertEquals(List.of(cat.id()), ids(search("alice", "{\"query\":\"cat Miso\",\"limit\":1}")));
    Fixtures.await(() -> store.get(cat.id()).orElseThrow().accessCount() == 1,
        () -> "the found memory's use was not counted: " + store.get(cat.id()));
    assertNotNull(store.get(cat.id()).orElseThrow().lastAccessedAt());
    assertEquals(0, store.get(bike.id()).orElseThrow().accessCount(), "a memory not returned is not used");
  }

  @Test
  void badArgumentsAreToolErrorsNamingTheArgument() {
    assertToolError("query is required", "{}");
    assertToolError("query is required", "{\"query\":\"   \"}");
    assertToolError("query is required", "{\"query\":null}");
    assertToolError("query must be a string", "{\"query\":42}");
    assertToolError("query must be a string", "{\"query\":[\"cats\"]}");
    for (String limit : List.of("0", "21", "-1", "2.5", "\"5\"", "true", "1e12")) {
      assertToolError("limit must be an integer from 1 to 20", "{\"query\":\"cats\",\"limit\":" + limit + "}");
    }
  }

  @Test
  void aTooLongQueryIsRefusedNamingTheQueryArgument() {
    ToolException e = assertThrows(ToolException.class,
        () -> invoke("alice", "{\"query\":\"" + "cats ".repeat(201) + "\"}"));
    assertTrue(e.getMessage().startsWith("query "), e.getMessage());
  }

  void assertToolError(String message, String arguments) {
    ToolException e = assertThrows(ToolException.class, () -> invoke("alice", arguments), arguments);
    assertEquals(message, e.getMessage(), arguments);
  }
}
