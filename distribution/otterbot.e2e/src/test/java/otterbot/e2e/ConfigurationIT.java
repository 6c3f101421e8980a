package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How an operator configures the server: command-line options, environment variables, and a FileInstall
 * {@code .cfg} file that moves the storage to PostgreSQL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConfigurationIT {
  static final String PG_HOST = System.getProperty("otterbot.e2e.pg.host", "127.0.0.1");
  static final int PG_PORT = Integer.getInteger("otterbot.e2e.pg.port", 5432);
  static final String PG_DATABASE = System.getProperty("otterbot.e2e.pg.database", "test");
  static final String PG_USER = System.getProperty("otterbot.e2e.pg.user", "postgres");
  static final String PG_PASSWORD = System.getProperty("otterbot.e2e.pg.password", "");
  /** A schema of our own: the database may be shared with other test modules and runs (-Dotterbot.e2e.pg.schema). */
  static final String PG_SCHEMA = System.getProperty("otterbot.e2e.pg.schema", "otterbot_e2e");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static boolean pgUsed;

  @AfterAll
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  static void dropPostgresSchema() throws SQLException {
    if (pgUsed) {
      try (Connection c = pg(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
      }
    }
  }

  @Test
  void theCommandLineChoosesHostAndPortAndTheEnvironmentTheHome() throws Exception {
    Path home = tmp.resolve("env-home");
    // Both ports are held on 127.0.0.1 while the server runs, so that a connection refused there says what the server
    // did: a port found free and closed again could be taken by the server's own internal Jetty port, which binds a
    // random loopback port (seen once in CI, where it took the OTTERBOT_PORT chosen here).
    try (Socket portHeld = holdPort(); Socket envPortHeld = holdPort()) {
      int port = portHeld.getLocalPort();
      int envPort = envPortHeld.getLocalPort();
      // --port must win over OTTERBOT_PORT; OTTERBOT_HOME is the only source of the home.
      try (ServerProcess server = ServerProcess.launch(home, "127.0.0.2", port,
          List.of("--host", "127.0.0.2", "--port", Integer.toString(port)),
          Map.of("OTTERBOT_HOME", home.toString(), "OTTERBOT_PORT", Integer.toString(envPort)))) {
        checkHostPortAndHome(server, home, port, envPort);
      }
    }
  }

  private static void checkHostPortAndHome(ServerProcess server, Path home, int port, int envPort) throws Exception {
    server.awaitReady();
    String line = "OtterBot listening on http://127.0.0.2:" + port;
    server.eventually("the console line '" + line + "'", Duration.ofSeconds(10), () -> server.logText().contains(line),
        () -> "not printed");
    assertRefused("127.0.0.1", port, "the server bound to --host 127.0.0.2 also listens on 127.0.0.1", server);
    assertRefused("127.0.0.1", envPort, "OTTERBOT_PORT was used although --port was given", server);
    assertRefused("127.0.0.2", envPort, "OTTERBOT_PORT was used although --port was given", server);
    for (String dir : List.of("", "etc", "deploy", "db")) {
      assertTrue(Files.isDirectory(home.resolve(dir)),
          () -> "no " + dir + "/ in the OTTERBOT_HOME home\n" + server.logTail());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(dir))),
          () -> "a new home's directories are the owner's only: " + home.resolve(dir));
    }
    assertTrue(Files.isRegularFile(home.resolve("secret.key")), () -> "no secret.key in the home\n" + server.logTail());
    Http.Response state = server.http().get("/api/setup-state");
    assertEquals(1, server.http().expect(state, 200).path("agentCount").asInt(), () -> server.explain(state));
  }

  @Test
  void anUnknownArgumentStopsTheServerWithAMessageNamingIt() {
    Path home = tmp.resolve("typo-home");
    int port = ServerProcess.freePort();
    try (ServerProcess server = ServerProcess.launch(home, "127.0.0.1", port,
        List.of("--home", home.toString(), "--port", Integer.toString(port), "--prot", "1"), Map.of())) {
      if (!server.waitFor(Duration.ofSeconds(20))) {
        Http.Response health = tryHealth(server);
        fail("the server is still running 20 s after being started with the unknown argument --prot"
            + (health == null ? "" : "; it even answers: " + health) + "\n" + server.logTail());
      }
      assertNotEquals(0, server.exitValue(), () -> "exit code 0 for a bad command line\n" + server.logTail());
      assertTrue(server.logText().contains("--prot"), () -> "the message does not name --prot\n" + server.logTail());
      System.out.printf("[e2e] --prot: exit code %d, output:%n%s%n", server.exitValue(), server.logText().strip());
    }
  }

  /**
   * One server per home: a second one on a home in use stops with a message saying so (before, it ran on with its
   * storage unavailable, H2 having refused it, and logged hundreds of ERROR lines), and the first goes on serving and
   * storing. The lock goes with the process, so a home is free again once its server has stopped.
   */
  @Test
  void aSecondServerOnAHomeInUseStopsWithAMessageAndTheFirstGoesOn() throws Exception {
    Path home = tmp.resolve("shared-home");
    try (ServerProcess first = ServerProcess.start(home)) {
      int port = ServerProcess.freePort();
      try (ServerProcess second = ServerProcess.launch(home, "127.0.0.1", port,
          List.of("--home", home.toString(), "--port", Integer.toString(port)), Map.of())) {
        assertTrue(second.waitFor(Duration.ofSeconds(30)), () -> "a second server on a home in use is still running\n"
            + second.logTail());
        assertNotEquals(0, second.exitValue(), () -> second.logTail());
        assertTrue(second.logText().contains("is in use by another OtterBot server"), () -> "no message\n"
            + second.logTail());
        assertTrue(second.logText().contains(home.resolve("server.lock").toString()), () -> second.logTail());
      }
      Http.Response created = first.http().post("/api/agents", Map.of("displayName", "Still Here"));
      first.http().expect(created, 200);
      assertTrue(first.logText().lines().noneMatch(line -> line.contains("[ERROR]")), () -> first.logTail());
    }
    try (ServerProcess again = ServerProcess.start(home)) {
      assertTrue(again.http().get("/api/agents").body().contains("Still Here"), "free once the first stopped");
    }
  }

  @Test
  void aKeyFileOthersCanReadStopsTheServerWithAMessageSayingHowToFixIt() throws Exception {
    Path home = tmp.resolve("open-key-home");
    Files.createDirectories(home);
    Path keyFile = Files.writeString(home.resolve("secret.key"),
        java.util.Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    int port = ServerProcess.freePort();
    try (ServerProcess server = ServerProcess.launch(home, "127.0.0.1", port,
        List.of("--home", home.toString(), "--port", Integer.toString(port)), Map.of())) {
      assertTrue(server.waitFor(Duration.ofSeconds(30)), () -> "still running with a world-readable key file\n"
          + server.logTail());
      assertNotEquals(0, server.exitValue(), () -> server.logTail());
      assertTrue(server.logText().contains("chmod 600 " + keyFile), () -> "no advice\n" + server.logTail());
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aCfgFileMovesTheStorageToPostgresql() throws Exception {
    try (Connection c = pg(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
      pgUsed = true;
    } catch (SQLException e) {
      String message = "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
          + "!!! SKIPPED: PostgreSQL at " + PG_HOST + ":" + PG_PORT + "/" + PG_DATABASE + " (user " + PG_USER
          + ") does not answer: " + e.getMessage() + "\n"
          + "!!! The PostgreSQL storage was NOT tested end to end.\n"
          + "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!";
      System.out.println(message);
      System.err.println(message);
      if ("true".equals(System.getenv("OTTERBOT_REQUIRE_POSTGRESQL"))) {
        fail("PostgreSQL is required here (OTTERBOT_REQUIRE_POSTGRESQL) but does not answer: " + e.getMessage());
      }
      Assumptions.assumeTrue(false, message);
    }

    Path home = tmp.resolve("pg-home");
    Files.createDirectories(home.resolve("etc"));
    var cfg = new ArrayList<String>(List.of(
        "# Written by ConfigurationIT: store agents and settings in PostgreSQL.",
        "url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + PG_DATABASE,
        "user=" + PG_USER,
        "schema=" + PG_SCHEMA));
    if (!PG_PASSWORD.isEmpty()) {
      cfg.add("password=" + PG_PASSWORD);
    }
    Files.write(home.resolve("etc").resolve("otterbot.persistence.jpa.cfg"), cfg, StandardCharsets.ISO_8859_1);

    JsonNode created;
    try (ServerProcess server = ServerProcess.start(home)) {
      Http http = server.http();
      server.eventually("the database subsystem reports PostgreSQL, up", Duration.ofSeconds(30),
          () -> isPostgresUp(http.get("/api/health")), () -> http.get("/api/health").toString());
      Http.Response r = http.post("/api/agents", "{\"displayName\":\"Pg Agent\",\"persona\":\"lives in PostgreSQL\"}");
      created = http.expect(r, 200);
      assertEquals("pg-agent", created.path("id").asText(), () -> server.explain(r));
      List<String> rows = agentIdsInPostgres();
      assertTrue(rows.contains("pg-agent") && rows.contains("coo"),
          () -> "the agents are not in " + PG_SCHEMA + ".agents: " + rows + "\n" + server.logTail());
    }

    // The second start takes its port from the environment.
    int port = ServerProcess.freePort();
    try (ServerProcess server = ServerProcess.launch(home, "127.0.0.1", port, List.of("--home", home.toString()),
        Map.of("OTTERBOT_PORT", Integer.toString(port)))) {
      server.awaitReady();
      Http http = server.http();
      Http.Response health = http.get("/api/health");
      assertTrue(isPostgresUp(health), () -> server.explain(health));
      Http.Response read = http.get("/api/agents/pg-agent");
      assertEquals(created, http.expect(read, 200), () -> "the agent did not survive a restart on PostgreSQL\n" + server.explain(read));
    }
  }

  static boolean isPostgresUp(Http.Response health) {
    JsonNode db = health.json() == null ? null : health.json().path("subsystems").path("database");
    return health.status() == 200 && db != null && "up".equals(db.path("status").asText())
        && db.toString().toLowerCase(Locale.ROOT).contains("postgresql");
  }

  static List<String> agentIdsInPostgres() throws SQLException {
    var ids = new ArrayList<String>();
    try (Connection c = pg(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM " + PG_SCHEMA + ".agents")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }

  static Connection pg() throws SQLException {
    DriverManager.setLoginTimeout(5);
    var props = new java.util.Properties();
    props.setProperty("user", PG_USER);
    props.setProperty("password", PG_PASSWORD);
    props.setProperty("connectTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + PG_DATABASE, props);
  }

  /**
   * A port on 127.0.0.1 held by the caller, bound but not listening: connections to it are refused, and no other
   * socket on that address (the server's own included) can bind it until it is closed.
   */
  private static Socket holdPort() throws IOException {
    Socket held = new Socket();
    held.bind(new InetSocketAddress("127.0.0.1", 0));
    return held;
  }

  static void assertRefused(String host, int port, String problem, ServerProcess server) {
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 2_000);
      }
    }, () -> problem + ": " + host + ":" + port + " accepts connections\n" + server.logTail());
  }

  static Http.Response tryHealth(ServerProcess server) {
    try {
      return server.http().get("/api/health");
    } catch (RuntimeException e) {
      return null;
    }
  }
}
