package otterbot.persistence.jpa.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import otterbot.api.orchestration.AgentMessage;

/**
 * The bus, scheduled-task and subagent-task contract on a real PostgreSQL, each test in a fresh schema that it drops
 * afterwards; skipped loudly, like {@link StoragePostgresTest}, when no server answers.
 */
class OrchestrationStorePostgresTest extends OrchestrationStoreContract {
  private final String schema = StoragePostgresTest.freshSchemaName();

  @BeforeAll
  static void requirePostgresql() {
    StoragePostgresTest.requirePostgresql();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    closeStorages();
    try (Connection c = jdbc()) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Override
  Storage newStorage() {
    // The database directory is not used for PostgreSQL.
    return new Storage(Database.of(StoragePostgresTest.URL, StoragePostgresTest.USER,
        StoragePostgresTest.PASSWORD, 4, schema, Path.of("unused")));
  }

  @Override
  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(StoragePostgresTest.URL, StoragePostgresTest.USER,
        StoragePostgresTest.PASSWORD);
  }

  @Override
  String schemaName(java.sql.DatabaseMetaData meta) {
    return schema;
  }

  @Override
  String table(String name) {
    return schema + "." + name;
  }

  /**
   * Two servers on one database, each with its own in-JVM lock: the table lock orders their appends, so neither fails
   * on the key and the seqs are still 1..n with every server's messages in its own order.
   */
  @Test
  void twoServersOnOneDatabaseShareOneGaplessSequence() throws Exception {
    var one = open();
    var two = open();
    var pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        var store = t % 2 == 0 ? one : two;
        String writer = "w" + t;
        writers.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) {
            store.append(message(writer + "-" + i, AgentMessage.REQUEST, writer, "coo", "b"));
          }
          return null;
        }));
      }
      for (Future<?> f : writers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    List<AgentMessage> all = two.last(1000);
    assertEquals(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList(),
        all.stream().map(AgentMessage::seq).toList());
    for (int t = 0; t < 4; t++) {
      String writer = "w" + t;
      assertEquals(java.util.stream.IntStream.range(0, 50).mapToObj(i -> writer + "-" + i).toList(),
          all.stream().map(AgentMessage::id).filter(id -> id.startsWith(writer + "-")).toList());
    }
  }
}
