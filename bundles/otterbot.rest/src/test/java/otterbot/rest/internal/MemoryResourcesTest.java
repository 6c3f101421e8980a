package otterbot.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import otterbot.api.OtterbotException;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.MemoryService;
import otterbot.api.memory.ProfileFact;
import otterbot.api.memory.UserProfile;
import otterbot.rest.internal.OrchestrationResourcesTest.FakeAgents;

/**
 * The memory routes ({@code /api/agents/:id/memories}, {@code /api/memories}, {@code /api/user-profile}) through
 * Jersey, beside the agents resource as in the whiteboard's default application, with a fake memory service.
 */
class MemoryResourcesTest {
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789Z");
  static final Instant T1 = Instant.parse("2025-03-02T08:00:00Z");

  /**
   * Keeps memories in a list with the service's visible rules: newest update first, superseded ones never searched,
   * an INVALID for content "reject me". A search "finds" memories whose content contains the query's first word. Every
   * call is recorded.
   */
  static final class FakeMemories implements MemoryService {
    final List<MemoryEntry> entries = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    final List<MemoryInput> saved = new ArrayList<>();
    private int next = 1;

    @Override
    public List<MemoryEntry> list(String agentId, int limit) {
      calls.add("list " + agentId + " " + limit);
      return entries.stream().filter(e -> agentId == null || e.agentId().equals(agentId))
          .sorted(Comparator.comparing(MemoryEntry::updatedAt).reversed()).limit(limit).toList();
    }

    @Override
    public MemoryEntry save(String agentId, MemoryInput input) {
      calls.add("save " + agentId);
      saved.add(input);
      if (input.content().equals("reject me")) {
        throw OtterbotException.invalid("content is not acceptable");
      }
      var entry = new MemoryEntry("m" + next++, agentId, input.category(), input.content(), input.source(),
          input.importance(), 0, null, input.entityRefs(), input.temporalMarker(), T1, T1, null);
      entries.add(entry);
      return entry;
    }

    @Override
    public boolean delete(String agentId, String memoryId) {
      calls.add("delete " + agentId + " " + memoryId);
      return entries.removeIf(e -> e.agentId().equals(agentId) && e.id().equals(memoryId));
    }

    @Override
    public List<MemoryHit> search(String agentId, String query, int limit) {
      calls.add("search " + agentId + " " + query + " " + limit);
      String word = query.split(" ")[0];
      return entries.stream()
          .filter(e -> (agentId == null || e.agentId().equals(agentId)) && e.supersededBy() == null
              && e.content().contains(word))
          .limit(limit).map(e -> new MemoryHit(e, 0.75, "hybrid")).toList();
    }

    @Override
    public UserProfile profile(String agentId) {
      calls.add("profile " + agentId);
      if (agentId.equals("coo")) {
        return new UserProfile("Sam", List.of(new ProfileFact("tea over coffee", 6, T0, T1, false)), List.of(),
            List.of(new ProfileFact("lives in Lyon", 5, T0, T0, true)), "likes short answers", T1);
      }
      return UserProfile.empty(T0);
    }

    @Override
    public UserProfile confirm(String agentId, String bucket, String content) {
      throw new UnsupportedOperationException("the REST layer does not confirm");
    }
  }

  private final FakeMemories memories = new FakeMemories();
  private final FakeAgents agents = new FakeAgents();
  private final AgentMemoriesResource agentMemories = new AgentMemoriesResource();
  private final MemoriesResource allMemories = new MemoriesResource();
  private final UserProfileResource profiles = new UserProfileResource();
  private final InProcessApi api = new InProcessApi(new AgentsResource(agents), agentMemories, allMemories, profiles);

  MemoryResourcesTest() {
    agentMemories.setMemories(memories);
    agentMemories.setAgents(agents);
    allMemories.setMemories(memories);
    allMemories.setAgents(agents);
    profiles.setMemories(memories);
    profiles.setAgents(agents);
  }

  private void remember(String id, String agentId, String content, Instant updated, String supersededBy) {
    memories.entries.add(new MemoryEntry(id, agentId, "preference", content, "agent", 8, 3, T1, List.of("Miso"),
        "current", T0, updated, supersededBy));
  }

  // -------------------------------------------------------------------------------------------- one agent's list

  @Test
  void aNewMemoryTakesUpstreamsDefaultsAndComesBackInUpstreamsShape() {
    var answer = api.postJson("agents/ada/memories", "{\"content\":\"  My cat is called Miso \\n\"}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"id\":\"m1\",\"category\":\"fact\",\"content\":\"My cat is called Miso\",\"source\":\"user\","
        + "\"importance\":7,\"accessCount\":0,\"lastAccessedAt\":null,\"entityRefs\":[],\"temporalMarker\":null,"
        + "\"createdAt\":\"2025-03-02T08:00:00Z\",\"updatedAt\":\"2025-03-02T08:00:00Z\"}", answer.body());
    assertEquals(List.of(new MemoryInput("My cat is called Miso", "fact", 7, "user", List.of(), null, null)),
        memories.saved);
    assertEquals("[" + answer.body() + "]", api.get("agents/ada/memories").body());
    assertEquals("[]", api.get("agents/coo/memories").body(), "another agent's list does not show it");
  }

  @Test
  void everyFieldAClientMaySendIsTakenAndTheSourceIsAlwaysTheUser() {
    var answer = api.postJson("agents/ada/memories", "{\"content\":\"Trip to Oslo in May\",\"category\":\"general\","
        + "\"importance\":10,\"entityRefs\":[\" Oslo \",\"May\"],\"temporalMarker\":\"upcoming\",\"source\":\"system\","
        + "\"supersedes\":\"m9\",\"somethingNew\":{\"x\":[1]}}");
    var nullImportance = api.postJson("agents/ada/memories", "{\"content\":\"x\",\"importance\":null,\"category\":null}");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals(List.of(new MemoryInput("Trip to Oslo in May", "general", 10, "user", List.of("Oslo", "May"),
        "upcoming", null), new MemoryInput("x", "fact", 7, "user", List.of(), null, null)), memories.saved,
        "unknown fields, source and supersedes are not the client's to set; null means the default");
    assertEquals(200, nullImportance.status(), nullImportance::toString);
    assertEquals("[\"Oslo\",\"May\"]", answer.json().get("entityRefs").toString());
    assertEquals("upcoming", answer.json().get("temporalMarker").asText());
  }

  @Test
  void theListIsNewestFirstWithSupersededMemoriesMarkedAndNullsPresent() {
    remember("old", "ada", "Miso is a kitten", T0, "new");
    remember("new", "ada", "Miso is a grown cat", T1, null);
    remember("other", "coo", "Not ada's", T1, null);

    var answer = api.get("agents/ada/memories");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("[{\"id\":\"new\",\"category\":\"preference\",\"content\":\"Miso is a grown cat\",\"source\":\"agent\","
        + "\"importance\":8,\"accessCount\":3,\"lastAccessedAt\":\"2025-03-02T08:00:00Z\",\"entityRefs\":[\"Miso\"],"
        + "\"temporalMarker\":\"current\",\"createdAt\":\"2025-03-01T12:34:56.789Z\","
        + "\"updatedAt\":\"2025-03-02T08:00:00Z\"},"
        + "{\"id\":\"old\",\"category\":\"preference\",\"content\":\"Miso is a kitten\",\"source\":\"agent\","
        + "\"importance\":8,\"accessCount\":3,\"lastAccessedAt\":\"2025-03-02T08:00:00Z\",\"entityRefs\":[\"Miso\"],"
        + "\"temporalMarker\":\"current\",\"createdAt\":\"2025-03-01T12:34:56.789Z\","
        + "\"updatedAt\":\"2025-03-01T12:34:56.789Z\",\"supersededBy\":\"new\"}]", answer.body());
    assertEquals(List.of("list ada 100"), memories.calls, "at most 100 by default, as upstream");
  }

  @ParameterizedTest
  @CsvSource({"1,1", "007,7", "100,100", "1000,1000"})
  void aLimitFromOneToAThousandIsPassedOn(String limit, int expected) {
    assertEquals(200, api.get("agents/ada/memories?limit=" + limit).status());
    assertEquals(200, api.get("memories?limit=" + limit).status());
    assertEquals(List.of("list ada " + expected, "list null " + expected), memories.calls);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1001", "99999999999999999999", "abc", "1.5", "", "-1", "+5", "1e3", "%205",
      "%D9%A3"})
  void anyOtherLimitIs400NamingIt(String limit) {
    for (String path : List.of("agents/ada/memories?limit=", "memories?limit=", "memories?q=cat&limit=")) {
      var answer = api.get(path + limit);
      assertEquals(400, answer.status(), path + limit + ": " + answer);
      assertEquals("{\"error\":\"limit must be a whole number from 1 to 1000\"}", answer.body());
    }
    assertEquals(List.of(), memories.calls, "the service was not asked");
  }

  @Test
  void anUnknownAgentIs404OnEveryPerAgentRouteAndTheServiceIsNotAsked() {
    var list = api.get("agents/nobody/memories");
    var add = api.postJson("agents/nobody/memories", "{\"content\":\"x\"}");
    var delete = api.call("DELETE", "agents/nobody/memories/m1", null, null);

    for (var answer : List.of(list, add, delete)) {
      assertEquals(404, answer.status(), answer::toString);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    assertEquals(List.of(), memories.calls);
  }

  @Test
  void deletingIs200WhetherOrNotTheMemoryExisted() {
    remember("m7", "ada", "Miso", T0, null);

    var deleted = api.call("DELETE", "agents/ada/memories/m7", null, null);
    var again = api.call("DELETE", "agents/ada/memories/m7", null, null);
    var never = api.call("DELETE", "agents/ada/memories/never-was", null, null);

    for (var answer : List.of(deleted, again, never)) {
      assertEquals(200, answer.status(), answer::toString);
      assertEquals("{\"ok\":true}", answer.body());
    }
    assertEquals(List.of(), memories.entries);
    assertEquals("[]", api.get("agents/ada/memories").body());
  }

  // ------------------------------------------------------------------------------------------------- validation

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"content\":\"\"}", "{\"content\":\"   \\n\\t\"}", "{\"content\":null}",
      "{\"category\":\"fact\",\"importance\":5}", "", "null"})
  void aMissingOrBlankContentIs400(String body) {
    var answer = api.postJson("agents/ada/memories", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"content is required\"}", answer.body());
    assertEquals(List.of(), memories.calls);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"content\":\"x\",\"category\":\"secret\"}|category must be one of fact, general, instruction, preference, relationship",
      "{\"content\":\"x\",\"category\":\"FACT\"}|category must be one of fact, general, instruction, preference, relationship",
      "{\"content\":\"x\",\"category\":\"\"}|category must be one of fact, general, instruction, preference, relationship",
      "{\"content\":\"x\",\"importance\":0}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":11}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":-3}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":99999999999}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":7.5}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":\"7\"}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":true}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":[7]}|importance must be a whole number from 1 to 10",
      "{\"content\":\"x\",\"importance\":7.0}|importance must be a whole number from 1 to 10",
      "{\"content\":5}|field 'content' has the wrong type (expected string)",
      "{\"content\":[\"x\"]}|field 'content' has the wrong type (expected string)",
      "{\"content\":\"x\",\"category\":1}|field 'category' has the wrong type (expected string)",
      "{\"content\":\"x\",\"entityRefs\":\"Oslo\"}|field 'entityRefs' has the wrong type (expected array)",
      "{\"content\":\"x\",\"entityRefs\":[1]}|field 'entityRefs[0]' has the wrong type (expected string)",
      "{\"content\":\"x\",\"entityRefs\":[null]}|entityRefs must be an array of at most 20 non-empty strings of at most 100 characters",
      "{\"content\":\"x\",\"entityRefs\":[\" \"]}|entityRefs must be an array of at most 20 non-empty strings of at most 100 characters",
      "{\"content\":\"x\",\"temporalMarker\":\"someday\"}|temporalMarker must be null or one of current, past, upcoming",
      "{\"content\":\"x\",\"temporalMarker\":3}|field 'temporalMarker' has the wrong type (expected string)",
      "[\"x\"]|the request body must be a JSON object (expected object)",
      "{\"content\":\"x\"|malformed JSON at line 1, column 15",
      "{\"content\":\"x\",\"content\":\"y\"}|malformed JSON at line 1, column 25"})
  void aBadFieldIs400NamingIt(String body, String message) {
    var answer = api.postJson("agents/ada/memories", body);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"" + message + "\"}", answer.body());
    assertEquals(List.of(), memories.calls);
  }

  @Test
  void contentAndEntityRefsAreBounded() {
    String atLimit = "c".repeat(MemoryEntry.MAX_CONTENT_LENGTH);
    var tooLong = api.postJson("agents/ada/memories", "{\"content\":\"" + atLimit + "c\"}");
    var tooMany = api.postJson("agents/ada/memories", "{\"content\":\"x\",\"entityRefs\":["
        + String.join(",", java.util.Collections.nCopies(21, "\"e\"")) + "]}");
    var tooLongRef = api.postJson("agents/ada/memories", "{\"content\":\"x\",\"entityRefs\":[\"" + "e".repeat(101)
        + "\"]}");

    assertEquals(400, tooLong.status(), tooLong::toString);
    assertEquals("{\"error\":\"content must be at most 4000 characters\"}", tooLong.body());
    assertEquals(400, tooMany.status(), tooMany::toString);
    assertEquals(400, tooLongRef.status(), tooLongRef::toString);
    assertEquals(List.of(), memories.calls);

    var fits = api.postJson("agents/ada/memories", "{\"content\":\" " + atLimit + " \",\"entityRefs\":["
        + String.join(",", java.util.Collections.nCopies(20, "\"" + "e".repeat(100) + "\"")) + "]}");
    assertEquals(200, fits.status(), "the limit is on the trimmed content");
    assertEquals(MemoryEntry.MAX_CONTENT_LENGTH, fits.json().get("content").asText().length());
  }

  @Test
  void theServicesOwnRefusalIs400WithItsMessage() {
    var answer = api.postJson("agents/ada/memories", "{\"content\":\"reject me\"}");

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"content is not acceptable\"}", answer.body());
  }

  // ------------------------------------------------------------------------------------------- every agent's list

  @Test
  void theCrossAgentListNamesEachMemorysAgent() {
    remember("a1", "ada", "Ada's note", T0, null);
    remember("c1", "coo", "COO's note", T1, "c2");

    var all = api.get("memories");

    assertEquals(200, all.status(), all::toString);
    assertEquals(List.of("c1", "a1"), ids(all));
    assertEquals("coo", all.json().get(0).get("agentId").asText());
    assertEquals("c2", all.json().get(0).get("supersededBy").asText());
    assertEquals("ada", all.json().get(1).get("agentId").asText());
    assertFalse(all.json().get(1).has("score"), "a listing has no score");
    assertFalse(all.json().get(1).has("via"));
    assertEquals("[\"id\",\"category\",\"content\",\"source\",\"importance\",\"accessCount\",\"lastAccessedAt\","
        + "\"entityRefs\",\"temporalMarker\",\"createdAt\",\"updatedAt\",\"agentId\"]", fieldNames(all, 1));

    var ada = api.get("memories?agentId=ada");
    assertEquals(List.of("a1"), ids(ada));
    assertEquals(List.of("list null 100", "list ada 100"), memories.calls);
  }

  @Test
  void aQueryIsAHybridSearchWithScoreAndVia() {
    remember("a1", "ada", "cat Miso", T0, null);
    remember("a2", "ada", "cat Felix, old", T0, "a1");
    remember("c1", "coo", "cat Tom", T1, null);

    var one = api.get("memories?agentId=ada&q=" + URLEncoder.encode("cat names?", StandardCharsets.UTF_8));

    assertEquals(200, one.status(), one::toString);
    assertEquals(List.of("a1"), ids(one), "another agent's memory and a superseded one are not found");
    assertEquals("[\"id\",\"category\",\"content\",\"source\",\"importance\",\"accessCount\",\"lastAccessedAt\","
        + "\"entityRefs\",\"temporalMarker\",\"createdAt\",\"updatedAt\",\"agentId\",\"score\",\"via\"]",
        fieldNames(one, 0));
    assertEquals(0.75, one.json().get(0).get("score").asDouble());
    assertEquals("hybrid", one.json().get(0).get("via").asText());

    var all = api.get("memories?q=cat&limit=1000");
    assertEquals(List.of("a1", "c1"), ids(all));
    assertEquals(List.of("search ada cat names? 100", "search null cat 100"), memories.calls,
        "a search is capped at the service's maximum of 100");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "%20%20", "%0A"})
  void aBlankQueryIs400NamingQ(String q) {
    var answer = api.get("memories?q=" + q);

    assertEquals(400, answer.status(), answer::toString);
    assertEquals("{\"error\":\"q must be 1 to 1000 characters\"}", answer.body());
    assertEquals(List.of(), memories.calls);
  }

  @Test
  void aQueryOfAThousandCharactersIsTakenAndOneMoreIsNot() {
    assertEquals(200, api.get("memories?q=" + "q".repeat(1000)).status());
    var tooLong = api.get("memories?q=" + "q".repeat(1001));

    assertEquals(400, tooLong.status(), tooLong::toString);
    assertEquals("{\"error\":\"q must be 1 to 1000 characters\"}", tooLong.body());
    assertEquals(1, memories.calls.size());
  }

  @Test
  void anUnknownOrEmptyAgentFilterIsRefused() {
    for (String path : List.of("memories?agentId=nobody", "memories?agentId=nobody&q=cat", "user-profile?agentId=nobody")) {
      var answer = api.get(path);
      assertEquals(404, answer.status(), path + ": " + answer);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    for (String path : List.of("memories?agentId=", "user-profile?agentId=")) {
      var answer = api.get(path);
      assertEquals(400, answer.status(), path + ": " + answer);
      assertEquals("{\"error\":\"agentId must not be empty\"}", answer.body());
    }
    assertEquals(List.of(), memories.calls);
  }

  // --------------------------------------------------------------------------------------------- the user profile

  @Test
  void theProfileIsTheCoosByDefaultInUpstreamsShape() {
    var answer = api.get("user-profile");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"name\":\"Sam\",\"preferences\":[{\"content\":\"tea over coffee\",\"confidence\":6,"
        + "\"firstSeenAt\":\"2025-03-01T12:34:56.789Z\",\"lastConfirmedAt\":\"2025-03-02T08:00:00Z\","
        + "\"contradicted\":false}],\"goals\":[],\"facts\":[{\"content\":\"lives in Lyon\",\"confidence\":5,"
        + "\"firstSeenAt\":\"2025-03-01T12:34:56.789Z\",\"lastConfirmedAt\":\"2025-03-01T12:34:56.789Z\","
        + "\"contradicted\":true}],\"notes\":\"likes short answers\",\"updatedAt\":\"2025-03-02T08:00:00Z\"}",
        answer.body());
    assertEquals(List.of("profile coo"), memories.calls);
  }

  @Test
  void anotherAgentsProfileIsAskedForByAgentIdAndIsEmptyUntilItLearns() {
    var answer = api.get("user-profile?agentId=ada");

    assertEquals(200, answer.status(), answer::toString);
    assertEquals("{\"name\":null,\"preferences\":[],\"goals\":[],\"facts\":[],\"notes\":\"\","
        + "\"updatedAt\":\"2025-03-01T12:34:56.789Z\"}", answer.body());
    assertEquals(List.of("profile ada"), memories.calls);
  }

  // -------------------------------------------------------------------------------------- missing services, routing

  @Test
  void withoutTheMemoryServiceEveryRouteIs503() {
    agentMemories.unsetMemories(new FakeMemories());
    assertEquals(200, api.get("agents/ada/memories").status(), "another instance went, not ours");

    agentMemories.unsetMemories(memories);
    allMemories.unsetMemories(memories);
    profiles.unsetMemories(memories);
    for (var answer : List.of(api.get("agents/ada/memories"), api.postJson("agents/ada/memories", "{\"content\":\"x\"}"),
        api.call("DELETE", "agents/ada/memories/m1", null, null), api.get("memories"), api.get("memories?q=cat"),
        api.get("user-profile"))) {
      assertEquals(503, answer.status(), answer::toString);
      assertEquals("{\"error\":\"the memory service is not available yet\"}", answer.body());
    }
  }

  @Test
  void withoutTheAgentRegistryEveryRouteIs503() {
    agentMemories.unsetAgents(agents);
    allMemories.unsetAgents(agents);
    profiles.unsetAgents(agents);
    for (var answer : List.of(api.get("agents/ada/memories"), api.postJson("agents/ada/memories", "{\"content\":\"x\"}"),
        api.call("DELETE", "agents/ada/memories/m1", null, null), api.get("memories"), api.get("user-profile"))) {
      assertEquals(503, answer.status(), answer::toString);
    }
    assertEquals(List.of(), memories.calls);
  }

  @Test
  void theAgentsResourceStillAnswersItsOwnRoutesAndUnknownOnesAre404() {
    assertEquals(200, api.get("agents/ada").status());
    assertEquals(405, api.get("agents/ada/memories/m1").status());
    assertEquals(405, api.call("DELETE", "agents/ada/memories", null, null).status());
    assertEquals(405, api.postJson("memories", "{\"content\":\"x\"}").status());
    for (String path : List.of("agents/ada/memories/m1/extra", "memories/m1", "user-profile/ada")) {
      var answer = api.get(path);
      assertEquals(404, answer.status(), path + ": " + answer);
      assertEquals("{\"error\":\"not found\"}", answer.body());
    }
    assertEquals(Set.of(), Set.copyOf(memories.calls));
  }

  private static List<String> ids(InProcessApi.Answer answer) {
    var ids = new ArrayList<String>();
    answer.json().forEach(m -> ids.add(m.get("id").asText()));
    return ids;
  }

  private static String fieldNames(InProcessApi.Answer answer, int index) {
    var names = new ArrayList<String>();
    answer.json().get(index).fieldNames().forEachRemaining(n -> names.add("\"" + n + "\""));
    return names.toString().replace(" ", "");
  }
}
