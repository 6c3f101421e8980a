package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.OtterbotException;
import otterbot.api.health.Health;

class ActivationLogTest {
  @TempDir
  Path dir;

  @Test
  void aPasswordInAPostgresqlUrlIsNeverLoggedShownOrAttached() throws Exception {
    // Nothing listens on port 1, so the component also logs and reports a connection failure.
    String url = "jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=secret";
    var trace = new StringWriter();
    Health[] health = new Health[1];
    String log = Fixtures.stderrOf(() -> {
      var storage = new Storage(Database.of(url, "", "", 2, "", dir));
      try {
        var e = assertThrows(OtterbotException.class, storage::loadAll);
        assertEquals(OtterbotException.Kind.UNAVAILABLE, e.kind());
        assertEquals("cannot load the agents: database unavailable", e.getMessage());
        e.printStackTrace(new PrintWriter(trace));
        health[0] = storage.check();
      } finally {
        storage.close();
      }
    });

    assertTrue(log.contains("INFO otterbot.persistence.jpa.internal.JpaDatabase - Storage uses the PostgreSQL database"
        + " jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=***"), log);
    assertTrue(log.contains("WARN otterbot.persistence.jpa.internal.JpaDatabase - The PostgreSQL database is not"
        + " available; storage calls fail with 503 until it is: Connection to 127.0.0.1:1 refused."), log);
    // Reported once, by the component; not again with stack traces by EclipseLink at every attempt.
    assertFalse(log.contains("org.eclipse.persistence"), log);
    assertFalse(log.contains("secret"), log);
    assertFalse(trace.toString().contains("secret"), trace.toString());
    assertTrue(trace.toString().contains("Connection to 127.0.0.1:1 refused"), trace.toString());
    assertFalse(health[0].isUp());
    assertTrue(String.valueOf(health[0].details().get("reason")).startsWith("Connection to 127.0.0.1:1 refused."),
        health[0].toString());
    assertEquals("postgresql", health[0].details().get("kind"));
    assertFalse(health[0].details().containsKey("url"), "health never reveals the database URL");
    assertFalse(health[0].toString().contains("secret"), health[0].toString());
  }

  @Test
  void thePasswordAttributeIsNeverLogged() throws Exception {
    String log = Fixtures.stderrOf(() -> new Storage(Database.of("", "", "hunter2-attr", 2, "", dir)).close());

    assertTrue(log.contains("Storage uses the H2 database jdbc:h2:file:" + dir.resolve("otterbot") + ";WRITE_DELAY=0"),
        log);
    assertTrue(log.contains("Storage closed the H2 database"), log);
    assertFalse(log.contains("hunter2"), log);
  }
}
