package otterbot.persistence.jpa.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The skill store contract on a real PostgreSQL, each test in a fresh schema that it drops afterwards; skipped loudly,
 * like {@link StoragePostgresTest}, when no server answers, and failed instead where PostgreSQL is required.
 */
class SkillStorePostgresTest extends SkillStoreContract {
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
    return new Storage(Database.of(StoragePostgresTest.URL, StoragePostgresTest.USER, StoragePostgresTest.PASSWORD, 4,
        schema, Path.of("unused")));
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
}
