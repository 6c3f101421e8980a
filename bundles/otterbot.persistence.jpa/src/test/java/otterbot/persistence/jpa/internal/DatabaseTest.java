package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class DatabaseTest {
  private static final Path DB_DIR = Path.of("/srv/otterbot/db");

  @Test
  void withoutConfigurationItIsADurableH2FileInTheDatabaseDirectory() {
    Database db = Database.of("", "", "", 8, "", DB_DIR);

    assertEquals(Database.Kind.H2, db.kind());
    assertEquals("jdbc:h2:file:/srv/otterbot/db/otterbot;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", db.url());
    assertEquals("sa", db.user());
    assertEquals("", db.password());
    assertNull(db.schema());
    assertTrue(db.embedded());
  }

  @Test
  void anH2UrlKeepsItsOwnSettingsAndServerModeIsNotEmbedded() {
    assertEquals("jdbc:h2:file:/x/y;WRITE_DELAY=100;DB_CLOSE_ON_EXIT=FALSE",
        Database.of("jdbc:h2:file:/x/y;WRITE_DELAY=100", "", "", 1, "", DB_DIR).url());
    assertEquals("jdbc:h2:file:/x/y;db_close_on_exit=true;WRITE_DELAY=0",
        Database.of("jdbc:h2:file:/x/y;db_close_on_exit=true", "", "", 1, "", DB_DIR).url());
    assertEquals("jdbc:h2:mem:t;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE",
        Database.of("jdbc:h2:mem:t", "", "", 1, "", DB_DIR).url());
    Database server = Database.of("jdbc:h2:tcp://localhost/~/x", "", "", 1, "", DB_DIR);
    assertFalse(server.embedded());
    assertEquals("jdbc:h2:tcp://localhost/~/x;WRITE_DELAY=0", server.url(), "the server decides when it closes");
  }

  @Test
  void aPostgresqlUrlSelectsPostgresqlAndLeavesTheUserToTheDriver() {
    Database db = Database.of("jdbc:postgresql://db.example:5432/otterbot", "", "", 8, "otter_1", DB_DIR);

    assertEquals(Database.Kind.POSTGRESQL, db.kind());
    assertEquals("org.postgresql.Driver", db.kind().driverClass);
    assertNull(db.user());
    assertEquals("otter_1", db.schema());
    assertFalse(db.embedded());
  }

  @Test
  void otherDatabasesFailWithAMessageThatNamesTheChoicesButNotThePassword() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Database.of("jdbc:mysql://h/db?user=u&password=s3cret", "", "", 8, "", DB_DIR));

    assertEquals("unsupported database URL 'jdbc:mysql://h/db?user=u&password=***': use jdbc:h2:... (H2) or"
        + " jdbc:postgresql://host:port/database (PostgreSQL)", e.getMessage());
  }

  @Test
  void badPoolSizesAndSchemaNamesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Database.of("", "", "", 0, "", DB_DIR));
    assertThrows(IllegalArgumentException.class, () -> Database.of("", "", "", 1, "a;drop", DB_DIR));
    assertThrows(IllegalArgumentException.class, () -> Database.of("", "", "", 1, "1abc", DB_DIR));
  }

  @Test
  void passwordsAreMaskedInUrlsMessagesAndStackTraces() {
    Database db = Database.of("jdbc:postgresql://h:5432/db?user=u&password=s3cret&ssl=true", "", "attr-pw", 8, "",
        DB_DIR);

    assertEquals("jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true", db.redactedUrl());
    assertEquals("jdbc:postgresql://u:***@h/db", Redaction.text("jdbc:postgresql://u:pw@h/db"));
    assertEquals("jdbc:h2:file:/x;USER=sa;PASSWORD=***;WRITE_DELAY=0",
        Redaction.text("jdbc:h2:file:/x;USER=sa;PASSWORD=pw;WRITE_DELAY=0"));
    assertEquals("{user=u, password=***}", Redaction.text("{user=u, password=pw}"));
    assertFalse(db.toString().contains("attr-pw"), db.toString());
    assertFalse(db.toString().contains("s3cret"), db.toString());

    var original = new IllegalStateException("URL [" + db.url() + "] user [u] password attr-pw",
        new java.sql.SQLException("login failed for attr-pw"));
    var trace = new StringWriter();
    db.redact(original).printStackTrace(new PrintWriter(trace));
    assertFalse(trace.toString().contains("s3cret"), trace.toString());
    assertFalse(trace.toString().contains("attr-pw"), trace.toString());
    assertTrue(trace.toString().startsWith("java.lang.IllegalStateException: URL [jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true]"), trace.toString());
    assertTrue(trace.toString().contains("Caused by: java.sql.SQLException: login failed for ***"), trace.toString());
  }
}
