package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import otterbot.api.memory.ProfileFact;
import otterbot.api.memory.UserProfile;
import otterbot.api.tool.ToolException;

/** {@code update_user_profile} (upstream-behaviour §6.2, §7.5) as the model sees it. */
class UpdateUserProfileToolTest {
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  static final Instant EARLIER = Instant.parse("2026-11-01T08:00:00Z");
  final MapProfileStore profiles = new MapProfileStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final MemoryServiceImpl memory = Fixtures.service(new MapMemoryStore(), profiles, agents,
      new Fixtures.WordsEmbedder("words"), Map.of(), Clock.fixed(NOW, ZoneOffset.UTC));
  final UpdateUserProfileTool tool = new UpdateUserProfileTool(memory);

  @AfterEach
  void stop() {
    memory.close();
  }

  String invoke(String agent, String bucket, String content) throws ToolException {
    return invoke(agent, MemoryTools.object().put("bucket", bucket).put("content", content).toString());
  }

  String invoke(String agent, String arguments) throws ToolException {
    return tool.invoke(Fixtures.toolContext(agents.profiles.get(agent)), arguments);
  }

  @Test
  void isOfferedAsUpdateUserProfileWithARequiredBucketOfThreeAndARequiredContent() throws Exception {
    assertEquals("update_user_profile", tool.name());
    assertFalse(tool.description().isBlank());
    JsonNode schema = MemoryTools.JSON.readTree(tool.parameters());
    assertEquals("object", schema.path("type").asText());
    var required = new TreeSet<String>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    assertEquals(new TreeSet<>(List.of("bucket", "content")), required);
    var buckets = new TreeSet<String>();
    schema.path("properties").path("bucket").path("enum").forEach(b -> buckets.add(b.asText()));
    assertEquals(new TreeSet<>(UserProfile.BUCKETS), buckets);
    assertEquals("string", schema.path("properties").path("content").path("type").asText());
  }

  @Test
  void addsTheItemWithConfidenceFiveAndAnswersOk() throws Exception {
    assertEquals("{\"ok\":true}", invoke("alice", "preferences", "  Prefers short answers "));
    UserProfile p = memory.profile("alice");
    assertEquals(List.of(new ProfileFact("Prefers short answers", 5, NOW, NOW, false)), p.preferences());
    assertEquals(List.of(), p.goals());
    assertEquals(List.of(), p.facts());
    assertEquals(NOW, p.updatedAt());
    assertTrue(memory.profile("bob").isEmpty(), "profiles are per agent");
  }

  @Test
  void sayingItAgainReconfirmsItUpToConfidenceTen() throws Exception {
    invoke("alice", "goals", "Run a marathon in 2027");
    assertEquals("{\"ok\":true}", invoke("alice", "goals", "run a marathon in 2027."));
    List<ProfileFact> goals = memory.profile("alice").goals();
    assertEquals(1, goals.size(), "one item, not two: " + goals);
    assertEquals("Run a marathon in 2027", goals.get(0).content(), "the first wording stays");
    assertEquals(6, goals.get(0).confidence());
    for (int i = 0; i < 10; i++) {
      invoke("alice", "goals", "Run a marathon in 2027");
    }
    assertEquals(10, memory.profile("alice").goals().get(0).confidence(), "at most 10");
    // The same words in another bucket are another item.
    invoke("alice", "facts", "Run a marathon in 2027");
    assertEquals(5, memory.profile("alice").facts().get(0).confidence());
  }

  @Test
  void mergesIntoTheProfileKeepingTheNameNotesAndOtherItems() throws Exception {
    ProfileFact bees = new ProfileFact("Keeps bees", 7, EARLIER, EARLIER, false);
    ProfileFact marathon = new ProfileFact("Run a marathon", 4, EARLIER, EARLIER, false);
    ProfileFact vegetarian = new ProfileFact("Is vegetarian", 6, EARLIER, EARLIER, true);
    memory.replaceProfile("alice", new UserProfile("Sam", List.of(), List.of(marathon), List.of(bees, vegetarian),
        "Met at a pottery workshop", EARLIER));
    invoke("alice", "preferences", "Prefers tea to coffee");
    invoke("alice", "facts", "Has two children");
    invoke("alice", "facts", "is vegetarian");
    UserProfile p = memory.profile("alice");
    assertEquals("Sam", p.name());
    assertEquals("Met at a pottery workshop", p.notes());
    assertEquals(List.of(marathon), p.goals(), "a bucket not named is untouched");
    assertEquals(List.of(new ProfileFact("Prefers tea to coffee", 5, NOW, NOW, false)), p.preferences());
    assertEquals(List.of(bees, new ProfileFact("Is vegetarian", 7, EARLIER, NOW, false),
        new ProfileFact("Has two children", 5, NOW, NOW, false)), p.facts(),
        "kept in their order; a contradicted item said again counts as confirmed and no longer contradicted");
    assertEquals(NOW, p.updatedAt());
  }

  @Test
  void badArgumentsAreToolErrorsAndChangeNothing() {
    assertToolError("bucket is required", "{\"content\":\"Keeps bees\"}");
    assertToolError("bucket is required", "{\"bucket\":\"\",\"content\":\"Keeps bees\"}");
    assertToolError("bucket must be a string", "{\"bucket\":1,\"content\":\"Keeps bees\"}");
    assertToolError("bucket must be one of preferences, goals, facts", "{\"bucket\":\"hobbies\",\"content\":\"x\"}");
    assertToolError("bucket must be one of preferences, goals, facts", "{\"bucket\":\"Facts\",\"content\":\"x\"}");
    assertToolError("content is required", "{\"bucket\":\"facts\"}");
    assertToolError("content is required", "{\"bucket\":\"facts\",\"content\":\"  \"}");
    assertToolError("content must be a string", "{\"bucket\":\"facts\",\"content\":{\"text\":\"Keeps bees\"}}");
    assertToolError("content is longer than 500 characters",
        "{\"bucket\":\"facts\",\"content\":\"" + "x".repeat(501) + "\"}");
    assertTrue(memory.profile("alice").isEmpty(), "nothing was recorded");
    assertTrue(profiles.profiles.isEmpty(), "nothing was written");
  }

  void assertToolError(String message, String arguments) {
    ToolException e = assertThrows(ToolException.class, () -> invoke("alice", arguments), arguments);
    assertEquals(message, e.getMessage(), arguments);
  }
}
