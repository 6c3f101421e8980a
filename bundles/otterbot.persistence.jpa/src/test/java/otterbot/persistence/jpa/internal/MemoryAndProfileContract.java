package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.ConversationLearning;
import otterbot.api.persistence.StoredMemory;

/**
 * What {@link otterbot.api.persistence.MemoryStore} and {@link otterbot.api.persistence.ProfileStore} promise, run
 * against H2 and PostgreSQL by the subclasses. As in {@link ConversationAndSecretContract}, {@link #open()} reaches the
 * same database each time, so closing and opening again is a restart.
 */
abstract class MemoryAndProfileContract {
  /** With nanoseconds, which the store cuts to milliseconds. */
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789123456Z");
  static final Instant T0_MILLIS = Instant.parse("2025-03-01T12:34:56.789Z");
  static final String MODEL = "ollama/nomic-embed-text/768";

  private final List<Storage> opened = new ArrayList<>();

  abstract Storage newStorage();

  abstract Connection jdbc() throws SQLException;

  abstract String schemaName(DatabaseMetaData meta) throws SQLException;

  final Storage open() {
    Storage storage = newStorage();
    opened.add(storage);
    return storage;
  }

  @AfterEach
  void closeStorages() {
    opened.forEach(Storage::close);
    opened.clear();
  }

  /** A current memory of the agent with its timestamps at {@code T0 + minutes} and no vector. */
  static StoredMemory memory(String id, String agent, int minutes) {
    Instant at = T0_MILLIS.plusSeconds(60L * minutes);
    return new StoredMemory(id, agent, "fact", "content of " + id, "user", 5, 0, null, List.of(), null, at, at, null,
        null, null);
  }

  static StoredMemory withValue(StoredMemory m, int importance, int accessCount, Instant lastAccessedAt) {
    return new StoredMemory(m.id(), m.agentId(), m.category(), m.content(), m.source(), importance, accessCount,
        lastAccessedAt, m.entityRefs(), m.temporalMarker(), m.createdAt(), m.updatedAt(), m.supersededBy(),
        m.embeddingModel(), m.embedding());
  }

  static StoredMemory withContent(StoredMemory m, String content) {
    return new StoredMemory(m.id(), m.agentId(), m.category(), content, m.source(), m.importance(), m.accessCount(),
        m.lastAccessedAt(), m.entityRefs(), m.temporalMarker(), m.createdAt(), m.updatedAt(), m.supersededBy(),
        m.embeddingModel(), m.embedding());
  }

  /** Every field, with the embedding compared bit for bit (a record's equals compares arrays by identity). */
  static void assertSameMemory(StoredMemory expected, StoredMemory actual) {
    assertEquals(expected.toString(), actual.toString());
    assertEquals(List.of(expected.id(), expected.agentId(), expected.category(), expected.content(),
        expected.source(), expected.importance(), expected.accessCount(), String.valueOf(expected.lastAccessedAt()),
        expected.entityRefs(), String.valueOf(expected.temporalMarker()), expected.createdAt(), expected.updatedAt(),
        String.valueOf(expected.supersededBy()), String.valueOf(expected.embeddingModel())),
        List.of(actual.id(), actual.agentId(), actual.category(), actual.content(), actual.source(),
            actual.importance(), actual.accessCount(), String.valueOf(actual.lastAccessedAt()), actual.entityRefs(),
            String.valueOf(actual.temporalMarker()), actual.createdAt(), actual.updatedAt(),
            String.valueOf(actual.supersededBy()), String.valueOf(actual.embeddingModel())));
    assertArrayEquals(bits(expected.embedding()), bits(actual.embedding()), "embedding of " + expected.id());
  }

  static int[] bits(float[] vector) {
    return vector == null ? null : IntStream.range(0, vector.length)
        .map(i -> Float.floatToRawIntBits(vector[i])).toArray();
  }

  static List<String> ids(List<StoredMemory> memories) {
    return memories.stream().map(StoredMemory::id).toList();
  }

  /** Awkward floats: signed zero, a NaN with a payload, infinities, the smallest subnormal, and a random spread. */
  static float[] vector(int dimensions, long seed) {
    var random = new java.util.Random(seed);
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    if (dimensions >= 6) {
      v[0] = -0.0f;
      v[1] = Float.intBitsToFloat(0x7fc01234);
      v[2] = Float.POSITIVE_INFINITY;
      v[3] = Float.NEGATIVE_INFINITY;
      v[4] = Float.MIN_VALUE;
      v[5] = Float.MAX_VALUE;
    }
    return v;
  }

  // ------------------------------------------------------------------------------------------------- round trips

  @Test
  void aMemoryRoundTripsWithEveryFieldTimesToTheMillisecondAndTheEmbeddingBitForBit() {
    var memories = open().memories();
    // A NUL inside the JSON of the references is written escaped, so PostgreSQL stores it too.
    List<String> refs = List.of("Grace Hopper", "Zürich", "", "nul\u0000 in JSON is escaped");
    var full = new StoredMemory("mem-1", "ada", "preference", "Mag Grüße 🦦 und \"Tee\"\nzweite Zeile\t\u0001?",
        "agent", 9, 4, T0.plusSeconds(5), refs, "upcoming", T0, T0.plusSeconds(10), "mem-2", MODEL, vector(768, 1));
    memories.insert(full, List.of());

    var expected = new StoredMemory("mem-1", "ada", "preference", full.content(), "agent", 9, 4,
        T0_MILLIS.plusSeconds(5), refs, "upcoming", T0_MILLIS, T0_MILLIS.plusSeconds(10), "mem-2", MODEL,
        full.embedding());
    assertSameMemory(expected, memories.get("mem-1").orElseThrow());

    var sparse = memory("mem-3", "ada", 0);
    memories.insert(sparse, null);
    StoredMemory read = memories.get("mem-3").orElseThrow();
    assertSameMemory(sparse, read);
    assertNull(read.embedding());
    assertNull(read.lastAccessedAt());
    assertEquals(List.of(), read.entityRefs());
    assertEquals(Optional.empty(), memories.get("mem-missing"));
  }

  @Test
  void contentOfExactlyTheLimitInAnyPlaneFitsAndTheWidestVectorToo() {
    var memories = open().memories();
    String longest = "🦦".repeat(1000) + "ü".repeat(2000); // 4,000 characters (UTF-16 units), 8,000 bytes of UTF-8
    assertEquals(4000, longest.length());
    var m = withContent(memory("mem-1", "ada", 0), longest).withEmbedding(MODEL, vector(8192, 2));
    memories.insert(m, List.of());
    assertSameMemory(m, memories.get("mem-1").orElseThrow());
  }

  @Test
  void updateReplacesTheStoredFieldsOfTheAgentsOwnMemoryOnly() {
    var memories = open().memories();
    memories.insert(memory("mem-1", "ada", 0).withEmbedding(MODEL, vector(8, 3)), List.of());
    var changed = new StoredMemory("mem-1", "ada", "instruction", "now this", "system", 2, 7, T0_MILLIS, List.of("x"),
        "past", T0_MILLIS, T0_MILLIS.plusSeconds(99), null, "openai/text-embedding-3-small/4", new float[] {1, 2, 3, 4});

    assertTrue(memories.update(changed));
    assertSameMemory(changed, memories.get("mem-1").orElseThrow());

    assertTrue(memories.update(changed.withEmbedding(null, null)));
    assertNull(memories.get("mem-1").orElseThrow().embedding(), "a vector can be dropped (a new model re-embeds)");

    var otherAgents = new StoredMemory("mem-1", "bob", "fact", "stolen", "user", 5, 0, null, List.of(), null, T0, T0,
        null, null, null);
    assertFalse(memories.update(otherAgents), "an id alone never moves a memory to another agent");
    assertFalse(memories.update(memory("mem-gone", "ada", 0)));
    assertEquals("now this", memories.get("mem-1").orElseThrow().content());
    assertEquals(Optional.empty(), memories.get("mem-gone"), "update never inserts");
  }

  @Test
  void getManyReturnsTheOnesThatExistAcrossChunks() {
    var memories = open().memories();
    for (int i = 0; i < 5; i++) {
      memories.insert(memory("mem-" + i, i % 2 == 0 ? "ada" : "bob", i), List.of());
    }
    List<String> asked = new ArrayList<>(List.of("mem-4", "mem-0", "mem-3", "mem-0"));
    for (int i = 0; i < 1200; i++) {
      asked.add("missing-" + i); // more than one IN list holds
    }
    asked.add("x".repeat(300)); // could never have been stored
    assertEquals(Set.of("mem-0", "mem-3", "mem-4"), Set.copyOf(ids(memories.get(asked))));
    assertEquals(List.of(), memories.get(List.of()));
  }

  @Test
  void memoriesProfilesAndLearningSurviveClosingAndReopening() {
    var first = open();
    var m = memory("mem-1", "ada", 0).withEmbedding(MODEL, vector(384, 4));
    first.memories().insert(m, List.of());
    first.profiles().putProfile("ada", "{\"name\":\"Grace\",\"facts\":[\"likes tea 🍵\"]}");
    var learning = new ConversationLearning("conv-1", "ada", 12, "Talked about tea.", List.of("tea", "Zürich"),
        T0_MILLIS);
    first.profiles().putLearning(learning);
    first.close();

    var second = open();
    assertSameMemory(m, second.memories().get("mem-1").orElseThrow());
    assertEquals(Optional.of("{\"name\":\"Grace\",\"facts\":[\"likes tea 🍵\"]}"), second.profiles().profile("ada"));
    assertEquals(Optional.of(learning), second.profiles().learning("conv-1"));
    assertEquals(1, second.memories().count());
  }

  // ----------------------------------------------------------------------------------------------------- listing

  @Test
  void newestIsByUpdateTimeThenIdBothDescendingPerAgentOrForAll() {
    var memories = open().memories();
    memories.insert(memory("mem-a", "ada", 1), List.of());
    memories.insert(memory("mem-c", "ada", 3), List.of());
    memories.insert(memory("mem-b", "ada", 3), List.of()); // same update time as mem-c: the id decides
    memories.insert(memory("mem-d", "bob", 2), List.of());
    memories.insert(memory("mem-e", "ada", 0), List.of());

    assertEquals(List.of("mem-c", "mem-b", "mem-a", "mem-e"), ids(memories.newest("ada", 10)));
    assertEquals(List.of("mem-c", "mem-b"), ids(memories.newest("ada", 2)));
    assertEquals(List.of("mem-c", "mem-b", "mem-d", "mem-a", "mem-e"), ids(memories.newest(null, 10)));
    assertEquals(List.of("mem-d"), ids(memories.newest("bob", 10)));
    assertEquals(List.of(), memories.newest("ada", 0));
    assertEquals(List.of(), memories.newest("nobody", 10));
  }

  @Test
  void countDeleteAndDeleteAllKeepToTheirAgent() {
    var memories = open().memories();
    memories.insert(memory("mem-1", "ada", 0), List.of());
    memories.insert(memory("mem-2", "ada", 1), List.of());
    memories.insert(memory("mem-3", "bob", 2), List.of());

    assertEquals(2, memories.count("ada"));
    assertEquals(1, memories.count("bob"));
    assertEquals(0, memories.count("nobody"));
    assertEquals(3, memories.count());

    assertFalse(memories.delete("bob", "mem-1"), "not bob's");
    assertTrue(memories.delete("ada", "mem-1"));
    assertFalse(memories.delete("ada", "mem-1"), "already gone");
    assertEquals(List.of("mem-2"), ids(memories.newest("ada", 10)));

    assertEquals(1, memories.deleteAll("ada"));
    assertEquals(0, memories.count("ada"));
    assertEquals(List.of("mem-3"), ids(memories.newest(null, 10)), "bob's memory stays");
    assertEquals(0, memories.deleteAll("ada"));
  }

  @Test
  void pagesWalkEveryRowInIdOrderWithoutGapsOrRepeats() {
    var memories = open().memories();
    int rows = 530;
    for (int i = 0; i < rows; i++) {
      var m = memory(String.format(Locale.ROOT, "mem-%05d", (i * 7919) % rows), i % 3 == 0 ? "bob" : "ada", i);
      memories.insert(i % 2 == 0 ? m.withEmbedding(MODEL, vector(64, i)) : m, List.of());
    }

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    while (true) {
      List<StoredMemory> page = memories.page(after, 64);
      if (page.isEmpty()) {
        break;
      }
      assertTrue(page.size() <= 64);
      page.forEach(m -> seen.add(m.id()));
      after = page.get(page.size() - 1).id();
      pages++;
      assertTrue(pages <= rows, "the walk ends");
    }
    assertEquals(IntStream.range(0, rows).mapToObj(i -> String.format(Locale.ROOT, "mem-%05d", i)).toList(), seen);
    assertEquals(9, pages);
    assertEquals(64, memories.page(null, 64).size());
    assertEquals(List.of("mem-00529"), ids(memories.page("mem-00528", 64)));
    assertEquals(List.of(), memories.page("mem-00529", 64));
    assertEquals(List.of(), memories.page(null, 0));
  }

  // --------------------------------------------------------------------------------------- value and its upkeep

  @Test
  void leastValuableIsSupersededOldestFirstThenImportanceUseCountAndLastUse() {
    var memories = open().memories();
    // Superseded ones first, the one updated longest ago first, whatever their importance.
    memories.insert(withValue(memory("sup-new", "ada", 20), 10, 50, null), List.of());
    memories.insert(withValue(memory("sup-old", "ada", 10), 10, 50, null), List.of());
    memories.insert(memory("sup-new-target", "ada", 21), List.of());
    assertTrue(memories.supersede("ada", "sup-old", "sup-new-target", T0_MILLIS.plusSeconds(60 * 15)));
    assertTrue(memories.supersede("ada", "sup-new", "sup-new-target", T0_MILLIS.plusSeconds(60 * 16)));
    // Then by importance, by use count, and by last use (or update when never used), oldest first.
    memories.insert(withValue(memory("imp-2", "ada", 30), 2, 99, T0_MILLIS.plusSeconds(60 * 99)), List.of());
    memories.insert(withValue(memory("imp-4-used-1", "ada", 1), 4, 1, null), List.of());
    memories.insert(withValue(memory("imp-4-used-0-recent", "ada", 2), 4, 0, T0_MILLIS.plusSeconds(60 * 40)),
        List.of());
    memories.insert(withValue(memory("imp-4-used-0-never", "ada", 35), 4, 0, null), List.of());
    memories.insert(withValue(memory("imp-4-used-0-old", "ada", 50), 4, 0, T0_MILLIS.plusSeconds(60 * 30)),
        List.of());
    // Another agent's worthless memory is never a candidate.
    memories.insert(withValue(memory("bob-1", "bob", 0), 1, 0, null), List.of());

    var expected = List.of("sup-old", "sup-new", "imp-2", "imp-4-used-0-old", "imp-4-used-0-never",
        "imp-4-used-0-recent", "imp-4-used-1", "sup-new-target");
    assertEquals(expected, memories.leastValuable("ada", 100));
    assertEquals(expected.subList(0, 1), memories.leastValuable("ada", 1));
    assertEquals(expected.subList(0, 4), memories.leastValuable("ada", 4));
    assertEquals(List.of("bob-1"), memories.leastValuable("bob", 100));
    assertEquals(List.of(), memories.leastValuable("ada", 0));
  }

  @Test
  void supersedeMarksOnlyTheAgentsOwnMemoryAndDatesTheChange() {
    var memories = open().memories();
    memories.insert(memory("old", "ada", 0), List.of());
    memories.insert(memory("new", "ada", 1), List.of());
    memories.insert(memory("bobs", "bob", 0), List.of());

    assertFalse(memories.supersede("ada", "bobs", "new", T0), "another agent's memory");
    assertNull(memories.get("bobs").orElseThrow().supersededBy());
    assertFalse(memories.supersede("ada", "missing", "new", T0));

    assertTrue(memories.supersede("ada", "old", "new", T0.plusSeconds(3600)));
    StoredMemory old = memories.get("old").orElseThrow();
    assertEquals("new", old.supersededBy());
    assertEquals(T0_MILLIS.plusSeconds(3600), old.updatedAt());
    assertEquals(memory("old", "ada", 0).createdAt(), old.createdAt());
  }

  @Test
  void touchCountsOneUsePerMemoryInOneCallOfAnySize() {
    var memories = open().memories();
    memories.insert(withValue(memory("a", "ada", 0), 5, 3, T0_MILLIS), List.of());
    memories.insert(memory("b", "bob", 0), List.of());
    memories.insert(memory("untouched", "ada", 0), List.of());
    List<String> ids = new ArrayList<>(List.of("a", "b", "a"));
    for (int i = 0; i < 1500; i++) {
      ids.add("missing-" + i); // three IN lists' worth
    }
    ids.add("b");

    memories.touch(ids, T0.plusSeconds(7));

    assertEquals(4, memories.get("a").orElseThrow().accessCount(), "an id given twice counts once");
    assertEquals(T0_MILLIS.plusSeconds(7), memories.get("a").orElseThrow().lastAccessedAt());
    assertEquals(1, memories.get("b").orElseThrow().accessCount());
    assertEquals(T0_MILLIS.plusSeconds(7), memories.get("b").orElseThrow().lastAccessedAt());
    assertEquals(0, memories.get("untouched").orElseThrow().accessCount());
    assertNull(memories.get("untouched").orElseThrow().lastAccessedAt());
    assertEquals(memory("a", "ada", 0).updatedAt(), memories.get("a").orElseThrow().updatedAt(),
        "a use is not an update");
    memories.touch(List.of(), T0); // nothing to do
  }

  @Test
  void anInsertEvictsTheAgentsOwnIdsInTheSameTransaction() {
    var memories = open().memories();
    memories.insert(memory("ada-1", "ada", 0), List.of());
    memories.insert(memory("ada-2", "ada", 1), List.of());
    memories.insert(memory("bob-1", "bob", 0), List.of());

    memories.insert(memory("ada-3", "ada", 2), List.of("ada-1", "bob-1", "missing"));

    assertEquals(List.of("ada-3", "ada-2"), ids(memories.newest("ada", 10)));
    assertTrue(memories.get("bob-1").isPresent(), "another agent's memory is never evicted");

    // An insert that fails (its id is taken) evicts nothing: both are one transaction.
    var e = assertThrows(OtterbotException.class,
        () -> memories.insert(memory("ada-3", "ada", 5), List.of("ada-2")));
    assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
    assertEquals("memory 'ada-3' exists already", e.getMessage());
    assertTrue(memories.get("ada-2").isPresent(), "rolled back with the failed insert");
    assertEquals(memory("ada-3", "ada", 2).updatedAt(), memories.get("ada-3").orElseThrow().updatedAt());
  }

  // ----------------------------------------------------------------------------------------------- bad input

  @Test
  void badMemoriesAreRefusedAsInvalidNamingTheFieldAndNothingIsStored() {
    var memories = open().memories();
    var good = memory("mem-1", "ada", 0);
    Function<StoredMemory, Executable> insert = m -> () -> memories.insert(m, List.of());

    assertInvalid("memory id is missing", insert.apply(new StoredMemory(" ", "ada", "fact", "c", "user", 5, 0, null,
        List.of(), null, T0, T0, null, null, null)));
    assertInvalid("memory id is longer than 64 characters", insert.apply(new StoredMemory("m".repeat(65), "ada",
        "fact", "c", "user", 5, 0, null, List.of(), null, T0, T0, null, null, null)));
    assertInvalid("agent of memory 'mem-1' is missing", insert.apply(new StoredMemory("mem-1", null, "fact", "c",
        "user", 5, 0, null, List.of(), null, T0, T0, null, null, null)));
    assertInvalid("content of memory 'mem-1' is too large to store (4001 characters, at most 4000)",
        insert.apply(withContent(good, "x".repeat(4001))));
    assertInvalid("content of memory 'mem-1' is missing", insert.apply(withContent(good, "  ")));
    assertInvalid("content of memory 'mem-1' is missing", insert.apply(withContent(good, null)));
    assertInvalid("importance of memory 'mem-1' must be 1 to 10, not 0", insert.apply(withValue(good, 0, 0, null)));
    assertInvalid("importance of memory 'mem-1' must be 1 to 10, not 11", insert.apply(withValue(good, 11, 0, null)));
    assertInvalid("access count of memory 'mem-1' must not be negative", insert.apply(withValue(good, 5, -1, null)));
    assertInvalid("creation time of memory 'mem-1' is missing", insert.apply(new StoredMemory("mem-1", "ada", "fact",
        "c", "user", 5, 0, null, List.of(), null, null, T0, null, null, null)));
    assertInvalid("update time of memory 'mem-1' is missing", insert.apply(new StoredMemory("mem-1", "ada", "fact",
        "c", "user", 5, 0, null, List.of(), null, T0, null, null, null, null)));
    assertInvalid("memory 'mem-1' must have both an embedding and its model, or neither",
        insert.apply(good.withEmbedding(null, new float[] {1})));
    assertInvalid("memory 'mem-1' must have both an embedding and its model, or neither",
        insert.apply(good.withEmbedding(MODEL, null)));
    assertInvalid("embedding of memory 'mem-1' must have 1 to 8192 dimensions, not 8193",
        insert.apply(good.withEmbedding(MODEL, new float[8193])));
    assertInvalid("content of memory 'mem-1' contains the NUL character", insert.apply(withContent(good, "a\u0000b")));
    assertInvalid("source of memory 'mem-1' contains the NUL character", insert.apply(new StoredMemory("mem-1", "ada",
        "fact", "c", "us\u0000er", 5, 0, null, List.of(), null, T0, T0, null, null, null)));
    assertInvalid("category of memory 'mem-1' is longer than 32 characters", insert.apply(new StoredMemory("mem-1",
        "ada", "c".repeat(33), "c", "user", 5, 0, null, List.of(), null, T0, T0, null, null, null)));
    assertInvalid("memory id is missing", () -> memories.touch(java.util.Arrays.asList("a", null), T0));
    assertInvalid("time of use is missing", () -> memories.touch(List.of("a"), null));
    List<String> tooMany = IntStream.rangeClosed(0, 10_000).mapToObj(i -> "m" + i).toList();
    assertInvalid("too many memory ids at once (10001, at most 10000)", () -> memories.touch(tooMany, T0));
    assertInvalid("too many memory ids at once (10001, at most 10000)", () -> memories.get(tooMany));
    assertInvalid("too many memory ids at once (10001, at most 10000)", () -> memories.insert(good, tooMany));
    assertInvalid("evicted memory id is missing", () -> memories.insert(good, java.util.Arrays.asList((String) null)));
    assertInvalid("agent id is missing", () -> memories.supersede("", "a", "b", T0));
    assertInvalid("time of the supersession is missing", () -> memories.supersede("ada", "a", "b", null));
    assertInvalid("content of memory 'mem-1' is too large to store (4001 characters, at most 4000)",
        () -> memories.update(withContent(good, "x".repeat(4001))));

    assertEquals(0, memories.count(), "nothing was stored");
    // Lookups with keys that could never have been stored find nothing rather than fail.
    assertEquals(Optional.empty(), memories.get("x".repeat(65)));
    assertEquals(0, memories.count("a".repeat(65)));
    assertFalse(memories.delete("ada", ""));
    assertEquals(0, memories.deleteAll("a".repeat(65)));
  }

  static void assertInvalid(String message, Executable call) {
    var e = assertThrows(OtterbotException.class, call);
    assertEquals(OtterbotException.Kind.INVALID, e.kind(), e.getMessage());
    assertEquals(message, e.getMessage());
  }

  // ------------------------------------------------------------------------------------------------- profiles

  @Test
  void aProfileIsReplacedAndLearningIsKeptPerConversation() {
    var profiles = open().profiles();
    assertEquals(Optional.empty(), profiles.profile("ada"));
    profiles.putProfile("ada", "{\"facts\":[]}");
    profiles.putProfile("ada", "{\"facts\":[{\"k\":\"name\",\"v\":\"Grace\"}]}");
    assertEquals(Optional.of("{\"facts\":[{\"k\":\"name\",\"v\":\"Grace\"}]}"), profiles.profile("ada"));

    assertEquals(Optional.empty(), profiles.learning("conv-1"));
    var first = new ConversationLearning("conv-1", "ada", 4, null, null, T0);
    profiles.putLearning(first);
    assertEquals(Optional.of(new ConversationLearning("conv-1", "ada", 4, "", List.of(), T0_MILLIS)),
        profiles.learning("conv-1"));
    var later = new ConversationLearning("conv-1", "ada", 9, "Σ summary\nline 2", List.of("a", "b 🦦"),
        T0.plusSeconds(60));
    profiles.putLearning(later);
    assertEquals(Optional.of(new ConversationLearning("conv-1", "ada", 9, "Σ summary\nline 2", List.of("a", "b 🦦"),
        T0_MILLIS.plusSeconds(60))), profiles.learning("conv-1"));

    var e = assertThrows(OtterbotException.class,
        () -> profiles.putLearning(new ConversationLearning("conv-1", "bob", 1, "", List.of(), T0)));
    assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
    assertEquals(9, profiles.learning("conv-1").orElseThrow().learnedMessages());
  }

  @Test
  void deleteAllRemovesTheAgentsProfileAndLearningOnly() {
    var profiles = open().profiles();
    profiles.putProfile("ada", "{}");
    profiles.putProfile("bob", "{\"b\":1}");
    profiles.putLearning(new ConversationLearning("conv-a1", "ada", 1, "", List.of(), T0));
    profiles.putLearning(new ConversationLearning("conv-a2", "ada", 2, "", List.of(), T0));
    profiles.putLearning(new ConversationLearning("conv-b1", "bob", 3, "", List.of(), T0));

    assertEquals(3, profiles.deleteAll("ada"));

    assertEquals(Optional.empty(), profiles.profile("ada"));
    assertEquals(Optional.empty(), profiles.learning("conv-a1"));
    assertEquals(Optional.empty(), profiles.learning("conv-a2"));
    assertEquals(Optional.of("{\"b\":1}"), profiles.profile("bob"));
    assertEquals(3, profiles.learning("conv-b1").orElseThrow().learnedMessages());
    assertEquals(0, profiles.deleteAll("ada"));
  }

  @Test
  void badProfilesAndLearningAreRefusedAsInvalid() {
    var profiles = open().profiles();
    assertInvalid("agent id is missing", () -> profiles.putProfile(" ", "{}"));
    assertInvalid("user profile of agent 'ada' is missing", () -> profiles.putProfile("ada", null));
    assertInvalid("user profile of agent 'ada' is too large to store (1000001 characters, at most 1000000)",
        () -> profiles.putProfile("ada", "\"" + "x".repeat(999_999) + "\""));
    var e = assertThrows(OtterbotException.class, () -> profiles.putProfile("ada", "{not json"));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().startsWith("user profile of agent 'ada' is not JSON: "), e.getMessage());
    assertInvalid("conversation id is missing",
        () -> profiles.putLearning(new ConversationLearning(null, "ada", 1, "", List.of(), T0)));
    assertInvalid("agent of learning of conversation 'c' is missing",
        () -> profiles.putLearning(new ConversationLearning("c", "", 1, "", List.of(), T0)));
    assertInvalid("learned messages of learning of conversation 'c' must not be negative",
        () -> profiles.putLearning(new ConversationLearning("c", "ada", -1, "", List.of(), T0)));
    assertInvalid("update time of learning of conversation 'c' is missing",
        () -> profiles.putLearning(new ConversationLearning("c", "ada", 1, "", List.of(), null)));
    assertInvalid("summary of learning of conversation 'c' contains the NUL character",
        () -> profiles.putLearning(new ConversationLearning("c", "ada", 1, "\u0000", List.of(), T0)));
    assertInvalid("summary of learning of conversation 'c' is too large to store (100001 characters, at most 100000)",
        () -> profiles.putLearning(new ConversationLearning("c", "ada", 1, "s".repeat(100_001), List.of(), T0)));

    assertEquals(Optional.empty(), profiles.profile("ada"));
    assertEquals(Optional.empty(), profiles.learning("c"));
    assertEquals(Optional.empty(), profiles.learning("c".repeat(201)));
  }

  // -------------------------------------------------------------------------------------------------- indexes

  /** The frequent reads filter by agent: (agent_id, updated_at) on memories, agent_id on conversation_learning. */
  @Test
  void theIndexesServeThePerAgentReads() throws SQLException {
    open().close();
    try (Connection c = jdbc()) {
      DatabaseMetaData meta = c.getMetaData();
      assertTrue(indexes(meta, "memories").contains(List.of("agent_id", "updated_at")), indexes(meta, "memories")
          .toString());
      assertTrue(indexes(meta, "conversation_learning").contains(List.of("agent_id")));
    }
  }

  private List<List<String>> indexes(DatabaseMetaData meta, String table) throws SQLException {
    var byName = new TreeMap<String, TreeMap<Integer, String>>();
    try (ResultSet rs = meta.getIndexInfo(null, schemaName(meta),
        ConversationAndSecretContract.identifier(meta, table), false, false)) {
      while (rs.next()) {
        if (rs.getString("INDEX_NAME") != null && rs.getString("COLUMN_NAME") != null) {
          byName.computeIfAbsent(rs.getString("INDEX_NAME"), k -> new TreeMap<>())
              .put(rs.getInt("ORDINAL_POSITION"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
      }
    }
    return byName.values().stream().map(columns -> List.copyOf(columns.values())).toList();
  }
}
