package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.chat.PromptContext;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.persistence.StoredMemory;

/** The {@code ## Relevant memories} section of the system prompt (upstream-behaviour §7.3, part 3). */
class MemoriesSectionTest {
  static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  /** Eight memories that share the word "garden" and little else (no two are near-duplicates). */
  static final List<String> GARDEN = List.of("garden tomatoes ripen in august", "garden shed needs fresh paint",
      "garden pond holds goldfish", "garden hedge trimmed every spring", "garden bench faces west",
      "garden roses were planted by grandma", "garden compost heap smells", "garden gate squeaks loudly");
  final MapMemoryStore store = new MapMemoryStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final Fixtures.WordsEmbedder embedder = new Fixtures.WordsEmbedder("words");
  MemoryServiceImpl memory = service(Map.of());
  MemoriesSection section = new MemoriesSection(memory);

  MemoryServiceImpl service(Map<String, Object> config) {
    return Fixtures.service(store, new MapProfileStore(), agents, embedder, config, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    memory.close();
  }

  MemoryEntry save(String agent, String content, String category) {
    return memory.save(agent, MemoryInput.of(content, category, 5, "agent"));
  }

  String section(String agent, String userMessage) {
    return section.section(new PromptContext(agents.profiles.get(agent), "conv-1", userMessage));
  }

  static List<String> lines(String section) {
    return Arrays.asList(section.split("\n"));
  }

  @Test
  void injectsAtMostSixMemoriesOneLineEachUnderTheHeading() {
    GARDEN.forEach(s -> save("alice", s, "fact"));
    String text = section("alice", "what should I do in the garden");
    List<String> lines = lines(text);
    assertEquals("## Relevant memories", lines.get(0));
    assertEquals(7, lines.size(), text);
    for (String line : lines.subList(1, 7)) {
      assertTrue(line.startsWith("- [fact] garden ") && GARDEN.contains(line.substring("- [fact] ".length())), line);
    }
    assertTrue(text.endsWith("\n"), "ends its last line");
  }

  @Test
  void promptMemoriesSetsHowManyAndZeroTurnsTheSectionOff() throws Exception {
    GARDEN.forEach(s -> save("alice", s, "fact"));
    memory.close();
    memory = service(Map.of("promptMemories", 2));
    section = new MemoriesSection(memory);
    // Until the new service has read the memories back into its index, prompts go without (they never wait).
    Fixtures.await(memory::indexReady, () -> "the index was not built");
    assertEquals(3, lines(section("alice", "garden")).size());
    memory.close();
    memory = service(Map.of("promptMemories", 0));
    section = new MemoriesSection(memory);
    int embedded = embedder.batchSizes.size();
    assertNull(section("alice", "garden"));
    assertEquals(embedded, embedder.batchSizes.size(), "nothing was looked up");
  }

  @Test
  void eachLineShowsTheCategoryAndTheContentOnOneLine() {
    save("alice", "The user's cat\nis called   Miso", "relationship");
    assertEquals("## Relevant memories\n- [relationship] The user's cat is called Miso\n",
        section("alice", "what is my cat called"));
  }

  @Test
  void aMemoryLongerThan240CharactersIsCutTo240EndingInAnEllipsis() {
    String longOne = pad("Paprika note: smoked paprika goes into the stew", 300, "p");
    String exactly240 = pad("Lisbon note: the tram to Belem leaves from the square", 240, "l");
    save("alice", longOne, "fact");
    save("alice", exactly240, "fact");
    List<String> lines = lines(section("alice", "paprika lisbon"));
    String cut = lines.stream().filter(l -> l.contains("Paprika")).findFirst().orElseThrow()
        .substring("- [fact] ".length());
    assertEquals(longOne.substring(0, 239) + "…", cut);
    assertEquals(240, cut.length());
    String whole = lines.stream().filter(l -> l.contains("Lisbon")).findFirst().orElseThrow()
        .substring("- [fact] ".length());
    assertEquals(exactly240, whole, "240 characters are not cut");
  }

  @Test
  void theCutNeverSplitsACharacter() {
    String text = pad("Emoji note: the user signs off with", 238, "e") + "😀 and a wave, every single time";
    assertTrue(Character.isHighSurrogate(text.charAt(238)), "the emoji straddles the cut");
    save("alice", text, "fact");
    String line = lines(section("alice", "emoji note")).get(1);
    assertTrue(line.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE),
        "half a character: " + line);
  }

  @Test
  void everyInjectedMemoryCountsOneUseAndTheOthersNone() throws Exception {
    GARDEN.forEach(s -> save("alice", s, "fact"));
    MemoryEntry unrelated = save("alice", "Brother lives abroad", "relationship");
    List<String> injected = lines(section("alice", "garden")).subList(1, 7).stream()
        .map(l -> l.substring("- [fact] ".length())).toList();
    List<StoredMemory> used = store.newest("alice", 20).stream().filter(m -> injected.contains(m.content())).toList();
    assertEquals(6, used.size());
    Fixtures.await(() -> used.stream().allMatch(m -> store.get(m.id()).orElseThrow().accessCount() > 0),
        () -> "uses not counted: " + store.newest("alice", 20));
    for (StoredMemory m : used) {
      StoredMemory now = store.get(m.id()).orElseThrow();
      assertEquals(1, now.accessCount(), "counted once, not also as a search: " + now);
      assertEquals(NOW, now.lastAccessedAt());
    }
    // The uses are written in one go: once the injected ones show theirs, the others are final.
    for (StoredMemory m : store.newest("alice", 20)) {
      if (!injected.contains(m.content())) {
        assertEquals(0, m.accessCount(), m.content());
        assertNull(m.lastAccessedAt(), m.content());
      }
    }
    assertEquals(0, store.get(unrelated.id()).orElseThrow().accessCount());
  }

  @Test
  void anAgentWithoutMemoriesGetsNoSectionAndNoEmbeddingIsComputed() {
    save("bob", "garden gate squeaks loudly", "fact");
    int embedded = embedder.batchSizes.size();
    assertNull(section("alice", "does the garden gate squeak"));
    assertEquals(embedded, embedder.batchSizes.size(), "the user's message was not embedded for alice");
    assertNull(section("bob", "   "), "a blank message looks nothing up");
    assertEquals(embedded, embedder.batchSizes.size());
    assertTrue(section("bob", "does the garden gate squeak").contains("- [fact] garden gate squeaks loudly"),
        "bob's own memory is there for bob");
  }

  @Test
  void anotherAgentsMemoriesAreNeverInjected() {
    save("alice", "The user's favourite colour is green", "preference");
    save("bob", "The user plays chess on Sundays", "fact");
    String bobs = section("bob", "favourite colour green or chess");
    assertEquals("## Relevant memories\n- [fact] The user plays chess on Sundays\n", bobs);
  }

  @Test
  void aMemoryThatSharesNoWordAndLittleMeaningIsLeftOut() {
    save("alice", "My sister lives in Oslo", "relationship");
    // A search finds it by meaning alone ("my" is a stop word for the text search), weakly.
    List<MemoryHit> weak = memory.find("alice", "what is my job", 6);
    assertEquals(1, weak.size());
    assertEquals("vector", weak.get(0).via());
    assertTrue(weak.get(0).score() < MemoriesSection.MIN_SCORE, weak.toString());
    assertNull(section("alice", "what is my job"), "a weak match by meaning only would only distract the model");
    assertEquals("## Relevant memories\n- [relationship] My sister lives in Oslo\n",
        section("alice", "where does my sister live"));
  }

  @Test
  void aMemoryThatSharesNoWordButIsCloseInMeaningIsInjected() {
    save("alice", "The user's motto: whatever will be, will be", "fact");
    // Every word of the query is a stop word, so no text match; the words embedder still finds it close in meaning.
    List<MemoryHit> strong = memory.find("alice", "what will be", 6);
    assertEquals(1, strong.size());
    assertEquals("vector", strong.get(0).via());
    assertTrue(strong.get(0).score() >= MemoriesSection.MIN_SCORE, strong.toString());
    assertEquals("## Relevant memories\n- [fact] The user's motto: whatever will be, will be\n",
        section("alice", "what will be"));
  }

  @Test
  void aSupersededMemoryIsNotInjected() {
    MemoryEntry berlin = save("alice", "The user lives in Berlin", "fact");
    memory.save("alice", new MemoryInput("The user now lives in Paris", "fact", 5, "agent", List.of(), null,
        berlin.id()));
    assertEquals("## Relevant memories\n- [fact] The user now lives in Paris\n",
        section("alice", "which city does the user live in, Berlin or Paris"));
  }

  /** {@code start} and then the words "{filler}0 {filler}1 ..." to exactly {@code length} characters. */
  static String pad(String start, int length, String filler) {
    var out = new StringBuilder(start);
    for (int i = 0; out.length() < length; i++) {
      out.append(' ').append(filler).append(i);
    }
    out.setLength(length);
    if (out.charAt(length - 1) == ' ') {
      out.setCharAt(length - 1, 'x'); // a saved memory is stripped
    }
    return out.toString();
  }
}
