package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import otterbot.api.persistence.MemoryStore;
import otterbot.api.persistence.StoredMemory;

/**
 * The memory store on PostgreSQL with pgvector: the database finds the nearest memories by cosine, one agent's only,
 * current ones only, of the query's model only, and gives memories saved before pgvector was used their vectors at the
 * next start. Skipped, loudly, when the PostgreSQL server has no pgvector extension (Debian does not package it for
 * every release); the in-process search that is used then is what every other memory test covers.
 */
class PgVectorsPostgresTest {
  static final String MODEL = "minilm/default/384";
  static final boolean REQUIRED = Boolean.parseBoolean(System.getProperty("otterbot.test.pgvector.required",
      System.getenv().getOrDefault("OTTERBOT_REQUIRE_PGVECTOR", "false")));
  private final String schema = StoragePostgresTest.freshSchemaName();
  private final List<Storage> opened = new ArrayList<>();

  @BeforeAll
  static void requirePgvector() throws SQLException {
    StoragePostgresTest.requirePostgresql();
    try (Connection c = jdbc(); ResultSet r = c.createStatement()
        .executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")) {
      if (!r.next()) {
        String message = "pgvector tests SKIPPED: the PostgreSQL server at " + StoragePostgresTest.URL
            + " has no pgvector extension; memories' vectors are searched in-process there";
        if (REQUIRED) {
          throw new AssertionError(message);
        }
        System.err.println("\n!!!!!!!! " + message + " !!!!!!!!\n");
        Assumptions.assumeTrue(false, message);
      }
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    opened.forEach(Storage::close);
    try (Connection c = jdbc()) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  static Connection jdbc() throws SQLException {
    return DriverManager.getConnection(StoragePostgresTest.URL, StoragePostgresTest.USER,
        StoragePostgresTest.PASSWORD);
  }

  private MemoryStore open(boolean pgvector) {
    Storage storage = new Storage(new JpaDatabase(Database.of(StoragePostgresTest.URL, StoragePostgresTest.USER,
        StoragePostgresTest.PASSWORD, 4, schema, Path.of("unused"))), pgvector);
    opened.add(storage);
    return storage.memories;
  }

  @Test
  void theDatabaseFindsTheNearestCurrentMemoriesOfOneAgentAndOneModel() throws SQLException {
    MemoryStore store = open(true);
    assertTrue(store.searchesVectors(), "the server has pgvector, so the database searches the vectors");
    Random random = new Random(7);
    List<StoredMemory> ada = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      StoredMemory m = memory("ada-" + i, "ada", unit(random, 384), MODEL);
      store.insert(m, List.of());
      ada.add(m);
    }
    float[] query = unit(random, 384);
    // Another agent's memory exactly at the query, and one of ada's by another model of the same width.
    store.insert(memory("bob-0", "bob", query.clone(), MODEL), List.of());
    store.insert(memory("ada-other-model", "ada", query.clone(), "other/model/384"), List.of());

    List<MemoryStore.Nearest> found = store.nearest("ada", MODEL, query, 5);
    List<StoredMemory> expected = ada.stream()
        .sorted(Comparator.comparingDouble((StoredMemory m) -> -cosine(m.embedding(), query))).limit(5).toList();
    assertEquals(expected.stream().map(StoredMemory::id).toList(), found.stream().map(MemoryStore.Nearest::id).toList(),
        "exactly the five nearest by cosine, best first; no other agent's, no other model's");
    for (int i = 0; i < 5; i++) {
      assertEquals(cosine(expected.get(i).embedding(), query), found.get(i).cosine(), 1e-4);
    }
    assertEquals("bob-0", store.nearest(null, MODEL, query, 1).get(0).id(), "across agents when none is named");
    assertEquals(1.0, store.nearest(null, MODEL, query, 1).get(0).cosine(), 1e-4);

    // Superseded, re-embedded and deleted memories are seen at once.
    String best = found.get(0).id();
    assertTrue(store.supersede("ada", best, found.get(1).id(), Instant.now()));
    assertFalse(ids(store.nearest("ada", MODEL, query, 5)).contains(best), "a superseded memory is never found");
    StoredMemory moved = memory("ada-39", "ada", query.clone(), MODEL);
    assertTrue(store.update(moved));
    assertEquals("ada-39", store.nearest("ada", MODEL, query, 1).get(0).id(), "an update's new vector counts");
    assertTrue(store.delete("ada", "ada-39"));
    assertFalse(ids(store.nearest("ada", MODEL, query, 40)).contains("ada-39"));

    try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(
        "SELECT 1 FROM pg_indexes WHERE schemaname = ? AND indexname = 'memories_vec_384'")) {
      s.setString(1, schema);
      assertTrue(s.executeQuery().next(), "an HNSW index for the 384-wide vectors");
    }
  }

  /**
   * An HNSW index answers a filtered query from the first candidates it visits; with one agent's few memories among
   * many of another's, that must not leave the agent's own memories unfound.
   */
  @Test
  void anAgentWithFewMemoriesAmongManyFindsAllOfThem() {
    MemoryStore store = open(true);
    Random random = new Random(11);
    for (int i = 0; i < 2000; i++) {
      store.insert(memory(String.format("bob-%04d", i), "bob", unit(random, 384), MODEL), List.of());
    }
    for (int i = 0; i < 5; i++) {
      store.insert(memory("cy-" + i, "cy", unit(random, 384), MODEL), List.of());
    }
    List<String> found = ids(store.nearest("cy", MODEL, unit(random, 384), 12));
    assertEquals(List.of("cy-0", "cy-1", "cy-2", "cy-3", "cy-4"), found.stream().sorted().toList());
  }

  @Test
  void memoriesSavedWithoutPgvectorGetTheirVectorsAtTheNextStart() {
    MemoryStore before = open(false);
    assertFalse(before.searchesVectors(), "configured off, the store leaves vectors to the caller");
    assertThrows(UnsupportedOperationException.class, () -> before.nearest("ada", MODEL, new float[384], 3));
    Random random = new Random(3);
    float[] query = unit(random, 384);
    before.insert(memory("old-near", "ada", query.clone(), MODEL), List.of());
    before.insert(memory("old-far", "ada", unit(random, 384), MODEL), List.of());
    before.insert(memory("old-none", "ada", null, null), List.of());
    opened.forEach(Storage::close);
    opened.clear();

    MemoryStore after = open(true);
    assertTrue(after.searchesVectors());
    List<MemoryStore.Nearest> found = after.nearest("ada", MODEL, query, 5);
    assertEquals(List.of("old-near", "old-far"), ids(found), "both vectors found, nearest first; no vector, no hit");
    assertEquals(1.0, found.get(0).cosine(), 1e-4);
  }

  private static List<String> ids(List<MemoryStore.Nearest> found) {
    return found.stream().map(MemoryStore.Nearest::id).toList();
  }

  static StoredMemory memory(String id, String agent, float[] vector, String model) {
    Instant at = Instant.parse("2026-12-06T10:00:00Z");
    return new StoredMemory(id, agent, "fact", "content of " + id, "user", 5, 0, null, List.of(), null, at, at, null,
        vector == null ? null : model, vector);
  }

  static float[] unit(Random random, int dimensions) {
    float[] v = new float[dimensions];
    double sum = 0;
    for (int i = 0; i < dimensions; i++) {
      v[i] = (float) random.nextGaussian();
      sum += v[i] * v[i];
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < dimensions; i++) {
      v[i] *= scale;
    }
    return v;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
