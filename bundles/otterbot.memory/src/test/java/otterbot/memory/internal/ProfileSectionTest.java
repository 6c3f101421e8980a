package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.chat.PromptContext;
import otterbot.api.chat.PromptContributor;
import otterbot.api.memory.ProfileFact;
import otterbot.api.memory.UserProfile;

/** The user-profile block of the system prompt (upstream-behaviour §7.3, part 2) and where the memory sections go. */
class ProfileSectionTest {
  static final Instant T = Instant.parse("2026-11-01T08:00:00Z");
  final MapProfileStore profiles = new MapProfileStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final MemoryServiceImpl memory = Fixtures.service(new MapMemoryStore(), profiles, agents,
      new Fixtures.WordsEmbedder("words"), Map.of(), Clock.systemUTC());
  final ProfileSection section = new ProfileSection(memory);

  @AfterEach
  void stop() {
    memory.close();
  }

  String section(String agent) {
    return section.section(new PromptContext(agents.profiles.get(agent), "conv-1", "hello"));
  }

  static ProfileFact fact(String content, int confidence) {
    return new ProfileFact(content, confidence, T, T, false);
  }

  @Test
  void anAgentThatKnowsNothingAboutItsUserHasNoBlock() {
    assertNull(section("alice"));
    memory.replaceProfile("alice", new UserProfile(null, List.of(), List.of(), List.of(), "  ", T));
    assertNull(section("alice"), "blank notes are nothing");
  }

  @Test
  void theBlockHasTheHeadingTheNameTheThreeBucketsAndTheNotes() {
    memory.replaceProfile("alice", new UserProfile("Sam", List.of(fact("Prefers short answers", 5)),
        List.of(fact("Run a marathon", 5)), List.of(fact("Keeps bees", 5)), " Met at a pottery workshop \n", T));
    assertEquals("""
        ## What I know about the user
        Name: Sam
        Preferences:
        - Prefers short answers
        Goals:
        - Run a marathon
        Facts:
        - Keeps bees
        Notes: Met at a pottery workshop
        """, section("alice"));
    assertNull(section("bob"), "profiles are per agent");
  }

  @Test
  void onlyWhatIsKnownIsShown() {
    memory.replaceProfile("alice", new UserProfile(null, List.of(), List.of(fact("Learn Portuguese", 5)), List.of(),
        "", T));
    assertEquals("## What I know about the user\nGoals:\n- Learn Portuguese\n", section("alice"));
    memory.replaceProfile("alice", new UserProfile("Sam", List.of(), List.of(), List.of(), "", T));
    assertEquals("## What I know about the user\nName: Sam\n", section("alice"));
  }

  @Test
  void eachBucketShowsAtMostEightItemsMostConfidentFirstAndNoContradictedOne() {
    var facts = new ArrayList<ProfileFact>();
    for (int confidence = 1; confidence <= 10; confidence++) {
      facts.add(fact("Fact of confidence " + confidence, confidence));
    }
    facts.add(new ProfileFact("Is vegetarian", 10, T, T, true));
    memory.replaceProfile("alice", new UserProfile(null, List.of(), List.of(), facts, "", T));
    var expected = new StringBuilder("## What I know about the user\nFacts:\n");
    for (int confidence = 10; confidence >= 3; confidence--) {
      expected.append("- Fact of confidence ").append(confidence).append('\n');
    }
    assertEquals(expected.toString(), section("alice"));
  }

  @Test
  void aContradictedItemOnlyIsNoBucket() {
    memory.replaceProfile("alice", new UserProfile("Sam", List.of(new ProfileFact("Likes cats", 8, T, T, true)),
        List.of(), List.of(), "", T));
    assertEquals("## What I know about the user\nName: Sam\n", section("alice"));
  }

  @Test
  void whatUpdateUserProfileRecordsIsInTheNextPrompt() throws Exception {
    assertNull(section("alice"));
    var tool = new UpdateUserProfileTool(memory);
    tool.invoke(Fixtures.toolContext(agents.profiles.get("alice")),
        "{\"bucket\":\"preferences\",\"content\":\"Prefers tea to coffee\"}");
    assertEquals("## What I know about the user\nPreferences:\n- Prefers tea to coffee\n", section("alice"));
    assertNull(section("bob"));
  }

  /**
   * The order is a service property of each section's {@code @Component}. Those annotations are not kept at run time,
   * so this reads it from the compiled class, where the DS descriptor generated at packaging reads it too.
   */
  @Test
  void theProfileComesBeforeTheMemoriesAndBothBeforeTheSkills() throws IOException {
    int profile = order(ProfileSection.class);
    int memories = order(MemoriesSection.class);
    assertEquals(100, profile, "as PromptContributor documents");
    assertEquals(200, memories, "as PromptContributor documents");
    assertTrue(profile < memories && memories < 300, "skills come at 300");
  }

  static int order(Class<? extends PromptContributor> section) throws IOException {
    String classFile;
    try (InputStream in = section.getResourceAsStream(section.getSimpleName() + ".class")) {
      classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
    Matcher m = Pattern.compile(Pattern.quote(PromptContributor.ORDER + ":Integer=") + "(\\d+)").matcher(classFile);
    assertTrue(m.find(), section.getSimpleName() + " declares no " + PromptContributor.ORDER);
    int order = Integer.parseInt(m.group(1));
    assertTrue(!m.find(), section.getSimpleName() + " declares two orders");
    return order;
  }
}
