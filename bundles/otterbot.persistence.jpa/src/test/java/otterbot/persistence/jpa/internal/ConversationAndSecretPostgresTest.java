package otterbot.persistence.jpa.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conversation and credential contract on a real PostgreSQL, each test in a fresh schema that it drops afterwards;
 * skipped loudly, like {@link JpaStoragePostgresTest}, when no server answers.
 */
class ConversationAndSecretPostgresTest extends ConversationAndSecretContract {
  private final String schema = JpaStoragePostgresTest.freshSchemaName();

  @BeforeAll
  static void requirePostgresql() {
    JpaStoragePostgresTest.requirePostgresql();
  }

  @AfterEach
  void dropSchema() throws SQLException {
    closeStorages();
    try (Connection c = jdbc()) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Override
  JpaStorage newStorage() {
    // The database directory is not used for PostgreSQL.
    return new JpaStorage(Database.of(JpaStoragePostgresTest.URL, JpaStoragePostgresTest.USER,
        JpaStoragePostgresTest.PASSWORD, 4, schema, Path.of("unused")));
  }

  @Override
  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(JpaStoragePostgresTest.URL, JpaStoragePostgresTest.USER,
        JpaStoragePostgresTest.PASSWORD);
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
