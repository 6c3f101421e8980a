package otterbot.persistence.jpa.internal;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.junit.jupiter.api.io.TempDir;

/** The skill store contract on the default H2 file database. */
class SkillStoreH2Test extends SkillStoreContract {
  @TempDir
  Path dir;

  @Override
  Storage newStorage() {
    return new Storage(Fixtures.h2(dir));
  }

  @Override
  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(Fixtures.h2(dir).url(), "sa", "");
  }

  @Override
  String schemaName(java.sql.DatabaseMetaData meta) {
    return "PUBLIC";
  }

  @Override
  String table(String name) {
    return name;
  }
}
