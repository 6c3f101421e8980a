package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.persistence.StoredMemory;

/**
 * How long a full walk of {@link JpaMemoryStore#page} takes over 100,000 memories with 768-dimension embeddings, the
 * way an index rebuild reads them. A measurement, not a check: run it with
 * {@code -Dtest=MemoryPagingBench -Dotterbot.bench=true} (add {@code -Dotterbot.bench.postgresql=true} for
 * PostgreSQL); it prints the figures. The rows are inserted with JDBC batches, which is not what is measured.
 */
@EnabledIfSystemProperty(named = "otterbot.bench", matches = "true")
class MemoryPagingBench {
  static final int ROWS = Integer.getInteger("otterbot.bench.rows", 100_000);
  static final int DIMENSIONS = 768;
  static final int PAGE = 500;

  @TempDir
  Path dir;

  @Test
  void walkAllPages() throws Exception {
    boolean postgresql = Boolean.getBoolean("otterbot.bench.postgresql");
    String schema = StoragePostgresTest.freshSchemaName();
    Database db = postgresql
        ? Database.of(StoragePostgresTest.URL, StoragePostgresTest.USER, StoragePostgresTest.PASSWORD, 4, schema,
            Path.of("unused"))
        : Fixtures.h2(dir);
    var storage = new Storage(db);
    try {
      long start = System.nanoTime();
      try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
        c.setAutoCommit(false);
        String table = postgresql ? schema + ".memories" : "memories";
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (id, agent_id, category, content,"
            + " source, importance, access_count, entity_refs, created_at, updated_at, embedding_model, embedding)"
            + " VALUES (?, ?, 'fact', ?, 'user', 5, 0, '[]', ?, ?, 'm/e/768', ?)")) {
          Timestamp now = Timestamp.valueOf(LocalDateTime.of(2026, 1, 1, 0, 0));
          for (int i = 0; i < ROWS; i++) {
            insert.setString(1, String.format(Locale.ROOT, "mem-%08d", i));
            insert.setString(2, "agent-" + (i % 10));
            insert.setString(3, "The user mentioned fact number " + i + " about otters and tea.");
            insert.setTimestamp(4, now);
            insert.setTimestamp(5, now);
            insert.setBytes(6, JpaMemoryStore.bytes(MemoryAndProfileContract.vector(DIMENSIONS, i)));
            insert.addBatch();
            if (i % 1000 == 999) {
              insert.executeBatch();
              c.commit();
            }
          }
          insert.executeBatch();
          c.commit();
        }
      }
      System.out.printf(Locale.ROOT, "inserted %d rows in %.1f s%n", ROWS, (System.nanoTime() - start) / 1e9);

      for (int round = 0; round < 2; round++) {
        start = System.nanoTime();
        int seen = 0;
        String after = null;
        while (true) {
          List<StoredMemory> page = storage.memories().page(after, PAGE);
          if (page.isEmpty()) {
            break;
          }
          seen += page.size();
          after = page.get(page.size() - 1).id();
        }
        assertEquals(ROWS, seen);
        System.out.printf(Locale.ROOT, "%s: walked %d memories (%d dimensions) in pages of %d in %.2f s%n",
            postgresql ? "PostgreSQL" : "H2", seen, DIMENSIONS, PAGE, (System.nanoTime() - start) / 1e9);
      }
    } finally {
      storage.close();
      if (postgresql) {
        try (Connection c = DriverManager.getConnection(StoragePostgresTest.URL, StoragePostgresTest.USER,
            StoragePostgresTest.PASSWORD)) {
          c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
      }
    }
  }
}
