package otterbot.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.memory.MemoryEntry;
import otterbot.api.memory.MemoryHit;
import otterbot.api.memory.MemoryInput;
import otterbot.api.memory.UserProfile;
import otterbot.api.persistence.StoredMemory;
import otterbot.api.provider.ModelProvider;

class MemoryServiceImplTest {
  final MapMemoryStore store = new MapMemoryStore();
  final MapProfileStore profiles = new MapProfileStore();
  final Fixtures.Agents agents = new Fixtures.Agents(Fixtures.agent("alice", "openai", true),
      Fixtures.agent("bob", "openai", true));
  final Fixtures.WordsEmbedder embedder = new Fixtures.WordsEmbedder("words");
  MemoryServiceImpl memory;

  @BeforeEach
  void start() {
    memory = service(Map.of(), Clock.systemUTC());
  }

  MemoryServiceImpl service(Map<String, Object> config, Clock clock) {
    var models = new Fixtures.Models().add(embedder);
    var s = new MemoryServiceImpl(store, profiles, agents, new Embedders(models, Fixtures.CREDENTIALS,
        Fixtures.SETTINGS, Duration.ofSeconds(5)), Fixtures.config(config), clock);
    s.bindEmbedder(embedder, Map.of(ModelProvider.PROVIDER_ID, "words"));
    return s;
  }

  @AfterEach
  void stop() {
    memory.close();
  }

  MemoryEntry save(String agent, String content) {
    return memory.save(agent, MemoryInput.of(content, "fact", 7, "user"));
  }

  @Test
  void savedMemoriesAreListedNewestFirstWithTheirFields() {
    memory.close();
    // Two saves in a row can share an instant on the system clock, and then "newest" is a tie.
    memory = service(Map.of(), ticking(Instant.parse("2026-12-06T10:00:00Z")));
    MemoryEntry first = save("alice", "  The user's dog is called Rex  ");
    MemoryEntry second = save("alice", "The user works as a nurse in Leeds");
    assertEquals("The user's dog is called Rex", first.content(), "content is trimmed");
    assertEquals("fact", first.category());
    assertEquals("user", first.source());
    assertEquals(7, first.importance());
    assertEquals(0, first.accessCount());
    assertNull(first.lastAccessedAt());
    assertEquals(List.of(), first.entityRefs());
    assertEquals(21, first.id().length());
    List<MemoryEntry> listed = memory.list("alice", 100);
    assertEquals(List.of(second.id(), first.id()), listed.stream().map(MemoryEntry::id).toList());
    assertEquals(List.of(), memory.list("bob", 100));
    assertEquals(2, memory.list(null, 100).size());
  }

  /** A clock one second later at every reading. */
  static Clock ticking(Instant start) {
    var now = new java.util.concurrent.atomic.AtomicLong(start.getEpochSecond());
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochSecond(now.getAndIncrement());
      }
    };
  }

  @Test
  void badInputIsRefusedNamingTheField() {
    assertMessage("content is required", () -> memory.save("alice", MemoryInput.of("  ", null, null, null)));
    assertMessage("category", () -> memory.save("alice", MemoryInput.of("x y", "opinion", null, null)));
    assertMessage("importance", () -> memory.save("alice", MemoryInput.of("x y", null, 11, null)));
    assertMessage("importance", () -> memory.save("alice", MemoryInput.of("x y", null, 0, null)));
    assertMessage("source", () -> memory.save("alice", MemoryInput.of("x y", null, null, "robot")));
    assertMessage("content is longer", () -> memory.save("alice", MemoryInput.of("x".repeat(4001), null, null, null)));
    assertMessage("temporalMarker", () -> memory.save("alice",
        new MemoryInput("x y", null, null, null, List.of(), "someday", null)));
    assertMessage("supersedes", () -> memory.save("alice", new MemoryInput("x y", null, null, null, List.of(), null,
        "no-such-memory")));
    assertMessage("agentId", () -> memory.save("../etc", MemoryInput.of("x y", null, null, null)));
    assertEquals(OtterbotException.Kind.NOT_FOUND,
        assertThrows(OtterbotException.class, () -> save("carol", "x y")).kind());
    assertMessage("limit", () -> memory.list("alice", 0));
    assertMessage("limit", () -> memory.list("alice", 1001));
    assertMessage("q is required", () -> memory.search("alice", " ", 5));
    assertEquals(0, store.count(), "nothing was stored");
  }

  @Test
  void searchingAnAgentWithoutMemoriesDoesNotRunTheEmbedder() {
    assertEquals(List.of(), memory.search("alice", "what is my dog called", 5));
    assertEquals(List.of(), memory.search(null, "what is my dog called", 5));
    assertEquals(List.of(), embedder.batchSizes, "no query was embedded");
    save("alice", "The user's dog is called Rex");
    int afterSave = embedder.batchSizes.size();
    assertEquals(List.of(), memory.search("bob", "what is my dog called", 5), "bob has none");
    assertEquals(afterSave, embedder.batchSizes.size());
    assertEquals("The user's dog is called Rex", memory.search("alice", "dog called", 5).get(0).entry().content());
    assertEquals(afterSave + 1, embedder.batchSizes.size(), "alice's query was embedded");
  }

  @Test
  void aMemoryOfOneAgentIsNeverFoundFromAnother() {
    save("alice", "The user's favourite colour is green");
    save("bob", "The user plays chess on Sundays");
    List<MemoryHit> alice = memory.search("alice", "favourite colour green chess", 10);
    assertEquals(List.of("The user's favourite colour is green"),
        alice.stream().map(h -> h.entry().content()).toList());
    List<MemoryHit> bob = memory.search("bob", "favourite colour green", 10);
    assertTrue(bob.stream().noneMatch(h -> h.entry().agentId().equals("alice")), bob.toString());
    // Across agents both are found, each with its agent.
    List<MemoryHit> all = memory.search(null, "favourite colour green chess sundays", 10);
    assertEquals(2, all.size());
  }

  @Test
  void searchRanksByMeaningAndWordsAndCountsUses() throws Exception {
    save("alice", "The user's cat is called Miso");
    save("alice", "The user lives in Lisbon");
    save("alice", "The user drinks coffee without sugar");
    List<MemoryHit> hits = memory.search("alice", "what is the cat called", 3);
    assertEquals("The user's cat is called Miso", hits.get(0).entry().content());
    assertEquals("hybrid", hits.get(0).via());
    assertTrue(hits.get(0).score() > (hits.size() > 1 ? hits.get(1).score() : 0));
    // The use is counted in the background.
    for (int i = 0; i < 50 && store.newest("alice", 10).stream().allMatch(m -> m.accessCount() == 0); i++) {
      Thread.sleep(20);
    }
    StoredMemory cat = store.newest("alice", 10).stream().filter(m -> m.content().contains("Miso")).findFirst()
        .orElseThrow();
    assertEquals(1, cat.accessCount());
    assertNotNull(cat.lastAccessedAt());
  }

  /** Pronouns and question words match nothing: "what is my job" is about the job, not about every "my". */
  @Test
  void questionWordsAndPronounsAreNoTextMatch() {
    save("alice", "My sister lives in Oslo");
    save("alice", "My birthday is in March");
    assertTrue(memory.search("alice", "what is my", 5).stream().allMatch(h -> h.via().equals("vector")),
        "no word of the query is a text match");
    List<MemoryHit> hits = memory.search("alice", "when is my birthday", 5);
    assertEquals("My birthday is in March", hits.get(0).entry().content());
    assertEquals("hybrid", hits.get(0).via());
    assertTrue(hits.stream().skip(1).allMatch(h -> h.via().equals("vector")), hits.toString());
  }

  @Test
  void aNearDuplicateReconfirmsInsteadOfAddingARow() {
    MemoryEntry first = memory.save("alice", MemoryInput.of("The user's dog is called Rex", "fact", 5, "agent"));
    MemoryEntry again = memory.save("alice", MemoryInput.of("the user's dog is called rex.", "fact", 8, "agent"));
    assertEquals(first.id(), again.id());
    assertEquals(8, again.importance(), "the higher importance wins");
    assertFalse(again.updatedAt().isBefore(first.updatedAt()));
    assertEquals(1, store.count("alice"));
    // The same words in another agent are another memory.
    memory.save("bob", MemoryInput.of("The user's dog is called Rex", "fact", 5, "agent"));
    assertEquals(1, store.count("bob"));
  }

  @Test
  void aCorrectionInOtherWordsSupersedesTheNearMemoryInsteadOfBeingDropped() {
    memory.close();
    // The words embedder puts "two cats" and "three cats" at 0.75; a real model puts such corrections above 0.92.
    memory = service(Map.of("duplicateSimilarity", 0.7), Clock.systemUTC());
    MemoryEntry two = memory.save("alice", MemoryInput.of("The user has two cats", "fact", 5, "user"));
    MemoryEntry three = memory.save("alice", MemoryInput.of("The user has three cats", "fact", 5, "user"));
    assertNotEquals(two.id(), three.id(), "the correction is kept, not swallowed as a duplicate");
    assertEquals("The user has three cats", three.content());
    assertEquals(three.id(), store.get(two.id()).orElseThrow().supersededBy(), "the stale fact is marked");
    assertEquals(List.of(three.id()), memory.search("alice", "how many cats", 5).stream()
        .map(h -> h.entry().id()).toList(), "only the current fact is found");
    // The same words again (case, punctuation and articles aside) still re-confirm.
    MemoryEntry again = memory.save("alice", MemoryInput.of("user has three cats.", "fact", 9, "user"));
    assertEquals(three.id(), again.id());
    assertEquals(9, again.importance());
    assertEquals(2, store.count("alice"));
  }

  @Test
  void sameWordsSetsAsideCasePunctuationAndArticlesOnly() {
    assertTrue(MemoryServiceImpl.sameWords("The user's dog is called Rex.", "user's dog is called rex"));
    assertTrue(MemoryServiceImpl.sameWords("A walk, every morning!", "walk every morning"));
    assertFalse(MemoryServiceImpl.sameWords("The user is vegetarian", "The user is not vegetarian"));
    assertFalse(MemoryServiceImpl.sameWords("Born on the 14th of March", "Born on the 15th of March"));
  }

  @Test
  void aContradictingFactSupersedesTheOldOne() {
    MemoryEntry berlin = save("alice", "The user lives in Berlin");
    MemoryEntry paris = memory.save("alice", new MemoryInput("The user moved to Paris and lives there now", "fact",
        7, "agent", List.of("Paris"), "current", berlin.id()));
    StoredMemory old = store.get(berlin.id()).orElseThrow();
    assertEquals(paris.id(), old.supersededBy());
    List<MemoryHit> hits = memory.search("alice", "where does the user live", 10);
    assertEquals(List.of(paris.id()), hits.stream().map(h -> h.entry().id()).toList(), "superseded is never found");
    // It is still listed, marked.
    assertTrue(memory.list("alice", 10).stream().anyMatch(e -> paris.id().equals(e.supersededBy())));
    // Another agent cannot supersede alice's memory.
    assertThrows(OtterbotException.class, () -> memory.save("bob",
        new MemoryInput("x y z", null, null, null, List.of(), null, paris.id())));
  }

  @Test
  void aFullAgentEvictsItsLeastValuableMemoryInsteadOfFailing() {
    memory.close();
    memory = service(Map.of("maxMemoriesPerAgent", 3), Clock.systemUTC());
    MemoryEntry low = memory.save("alice", MemoryInput.of("alpha beta gamma", "fact", 2, "user"));
    memory.save("alice", MemoryInput.of("delta epsilon zeta", "fact", 9, "user"));
    memory.save("alice", MemoryInput.of("eta theta iota", "fact", 5, "user"));
    save("bob", "kappa lambda mu");
    MemoryEntry fourth = memory.save("alice", MemoryInput.of("nu xi omicron", "fact", 5, "user"));
    assertEquals(3, store.count("alice"));
    assertTrue(store.get(low.id()).isEmpty(), "the least important went");
    assertTrue(store.get(fourth.id()).isPresent());
    assertEquals(1, store.count("bob"), "other agents are untouched");
    assertTrue(memory.search("alice", "alpha beta gamma", 5).isEmpty(), "the evicted one is not found either");
  }

  @Test
  void rankingDecaysImportanceWithTime() {
    Instant now = Instant.parse("2026-12-06T00:00:00Z");
    var m = new StoredMemory("id", "alice", "fact", "x", "user", 8, 0, null, List.of(), null,
        now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(90)), null, null, null);
    assertEquals(4.0, memory.decayedImportance(m, now), 0.01, "one half-life: half the importance");
    var used = new StoredMemory("id", "alice", "fact", "x", "user", 8, 3, now.minus(Duration.ofDays(1)), List.of(),
        null, now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(90)), null, null, null);
    assertTrue(memory.decayedImportance(used, now) > 7.9, "a recent use keeps it fresh");
  }

  @Test
  void withoutAnEmbedderMemoriesAreSavedAndFoundByWordsThenGetVectorsLater() throws Exception {
    embedder.down = true;
    MemoryEntry saved = save("alice", "The user's sister is called Ana");
    assertNull(store.get(saved.id()).orElseThrow().embedding(), "saved without a vector, not refused");
    List<MemoryHit> hits = memory.search("alice", "sister Ana", 5);
    assertEquals("fts", hits.get(0).via());
    embedder.down = false;
    memory.backfill();
    for (int i = 0; i < 100 && store.get(saved.id()).orElseThrow().embedding() == null; i++) {
      Thread.sleep(20);
    }
    assertEquals("words/default/256", store.get(saved.id()).orElseThrow().embeddingModel());
    // The index gets the vector right after the database does.
    for (int i = 0; i < 100 && !memory.search("alice", "sister Ana", 5).get(0).via().equals("hybrid"); i++) {
      Thread.sleep(20);
    }
    assertEquals("hybrid", memory.search("alice", "sister Ana", 5).get(0).via());
  }

  @Test
  void theIndexIsRebuiltFromTheStoreAtStart() {
    MemoryEntry a = save("alice", "The user collects vinyl records");
    memory.close();
    memory = service(Map.of(), Clock.systemUTC());
    assertEquals(a.id(), memory.search("alice", "vinyl records", 5).get(0).entry().id());
  }

  @Test
  void deletingAMemoryOrAnAgentRemovesItEverywhere() {
    MemoryEntry a = save("alice", "The user is allergic to peanuts");
    save("alice", "The user likes hiking");
    memory.confirm("alice", "facts", "Allergic to peanuts");
    assertTrue(memory.delete("alice", a.id()));
    assertFalse(memory.delete("alice", a.id()));
    assertFalse(memory.delete("bob", store.newest("alice", 1).get(0).id()), "not bob's to delete");
    assertTrue(memory.search("alice", "peanuts allergy", 5).isEmpty());
    memory.deleted(agents.profiles.get("alice"));
    assertEquals(0, store.count("alice"));
    assertTrue(profiles.profile("alice").isEmpty());
    assertTrue(memory.search("alice", "hiking", 5).isEmpty());
  }

  @Test
  void aProfileIsReadOnceUntilTheNextWriteAndEveryWriteIsSeen() {
    assertTrue(memory.profile("alice").isEmpty());
    memory.profile("alice");
    assertEquals(1, profiles.profileReads.get(), "the second read came from memory");
    memory.confirm("alice", "facts", "Keeps bees");
    assertEquals("Keeps bees", memory.profile("alice").facts().get(0).content(), "a confirm is seen");
    memory.replaceProfile("alice", UserProfile.empty(java.time.Instant.EPOCH));
    assertTrue(memory.profile("alice").isEmpty(), "a replace is seen");
    memory.confirm("alice", "facts", "Keeps goats");
    memory.deleted(agents.profiles.get("alice"));
    assertTrue(memory.profile("alice").isEmpty(), "the agent's deletion is seen");
  }

  @Test
  void profileItemsAreAddedThenReconfirmed() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    memory.close();
    memory = service(Map.of(), clock);
    assertTrue(memory.profile("alice").isEmpty());
    memory.confirm("alice", "preferences", "Prefers short answers");
    UserProfile p = memory.confirm("alice", "preferences", "prefers short answers.");
    assertEquals(1, p.preferences().size());
    assertEquals(6, p.preferences().get(0).confidence());
    assertMessage("bucket", () -> memory.confirm("alice", "hobbies", "x"));
    assertEquals(p, memory.profile("alice"), "stored and read back the same");
    assertTrue(memory.profile("bob").isEmpty(), "profiles are per agent");
    String block = Profiles.promptBlock(p);
    assertTrue(block.startsWith("## What I know about the user\nPreferences:\n- Prefers short answers"), block);
  }

  static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
    OtterbotException e = assertThrows(OtterbotException.class, call);
    assertEquals(OtterbotException.Kind.INVALID, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
