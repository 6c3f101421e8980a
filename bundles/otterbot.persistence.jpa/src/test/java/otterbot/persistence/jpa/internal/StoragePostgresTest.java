package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import otterbot.api.agent.AgentProfile;
import otterbot.api.health.Health;

/**
 * The same behaviour against a real PostgreSQL: by default the build machine's server on 127.0.0.1:5432 (trust
 * authentication, database test, user postgres); override with -Dotterbot.test.postgresql.url/.user/.password.
 * Each test works in a fresh schema that it drops afterwards, so runs never see each other's tables and never touch
 * tables of the same name in the public schema. Skipped, loudly, when no server answers on a developer machine; where
 * {@code OTTERBOT_REQUIRE_POSTGRESQL=true} (set by {@code .ci/run}) or {@code -Dotterbot.test.postgresql.required=true},
 * a missing server fails the tests instead, so CI cannot pass without having tested PostgreSQL.
 */
class StoragePostgresTest {
  static final String URL =
      System.getProperty("otterbot.test.postgresql.url", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = System.getProperty("otterbot.test.postgresql.user", "postgres");
  static final String PASSWORD = System.getProperty("otterbot.test.postgresql.password", "");
  static final boolean REQUIRED = Boolean.parseBoolean(System.getProperty("otterbot.test.postgresql.required",
      System.getenv().getOrDefault("OTTERBOT_REQUIRE_POSTGRESQL", "false")));

  private String schema;
  private Storage storage;

  /** Also used by {@link ConversationAndSecretPostgresTest}. */
  @BeforeAll
  static void requirePostgresql() {
    try (Connection c = DriverManager.getConnection(URL + "?connectTimeout=3", USER, PASSWORD)) {
      c.createStatement().execute("SELECT 1");
    } catch (SQLException e) {
      if (REQUIRED) {
        throw new AssertionError("PostgreSQL is required here (OTTERBOT_REQUIRE_POSTGRESQL) but none answers at " + URL
            + " as " + USER + ": " + e.getMessage(), e);
      }
      String message = "PostgreSQL tests SKIPPED: no PostgreSQL at " + URL + " as " + USER + " (" + e.getMessage()
          + ")";
      System.err.println("\n!!!!!!!! " + message + " !!!!!!!!\n");
      Assumptions.assumeTrue(false, message);
    }
  }

  @BeforeEach
  void freshSchema() {
    schema = freshSchemaName();
  }

  static String freshSchemaName() {
    return "otterbot_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    if (storage != null) {
      storage.close();
    }
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  private Storage open() {
    // The database directory is not used for PostgreSQL.
    storage = new Storage(Database.of(URL, USER, PASSWORD, 4, schema, Path.of("unused")));
    return storage;
  }

  @Test
  void profilesRoundTripWithEveryFieldUnicodeAndAMegabytePersona() {
    var store = open();
    AgentProfile full = Fixtures.full("ada");
    AgentProfile big = Fixtures.withPersona(Fixtures.sparse("big", ""), Fixtures.megabytePersona());
    store.save(full);
    store.save(big);

    assertEquals(List.of(full, big), store.loadAll());
  }

  @Test
  void updatesKeepTheOrderAndDeleteTellsWhetherThereWasAProfile() {
    var store = open();
    store.save(Fixtures.sparse("first", "1"));
    store.save(Fixtures.sparse("second", "2"));
    store.save(Fixtures.sparse("first", "changed"));

    assertEquals(List.of("first", "second"), store.loadAll().stream().map(AgentProfile::id).toList());
    assertEquals("changed", store.loadAll().get(0).persona());
    assertTrue(store.delete("first"));
    assertFalse(store.delete("first"));
    assertEquals(List.of("second"), store.loadAll().stream().map(AgentProfile::id).toList());
  }

  @Test
  void agentsSavedTogetherTakeTheListsOrderAndUpdatesStayInPlace() {
    StorageH2Test.agentsSavedTogetherTakeTheListsOrder(open());
  }

  @Test
  void aProfileWithoutCreationTimeIsSavedAndUpdated() {
    StorageH2Test.profileWithoutCreationTime(open());
  }

  @Test
  void settingsAreStoredAndOverwritten() {
    var store = open();
    store.put("global", "{\"a\":1}");
    store.put("global", "{\"a\":2} 🦦");

    assertEquals(Optional.of("{\"a\":2} 🦦"), store.get("global"));
    assertEquals(Optional.empty(), store.get("missing"));
  }

  @Test
  void dataSurvivesReopeningAndTheTablesUsePlainVarcharColumns() throws SQLException {
    var first = open();
    first.save(Fixtures.full("ada"));
    first.put("k", "v");
    first.close();

    var second = open();
    assertEquals(List.of(Fixtures.full("ada")), second.loadAll());
    assertEquals(Optional.of("v"), second.get("k"));
    Health health = second.check();
    assertTrue(health.isUp(), health.toString());
    assertEquals("postgresql", health.details().get("kind"));

    Map<String, String> types = new HashMap<>();
    try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD);
        PreparedStatement q = c.prepareStatement("SELECT table_name, column_name, data_type, character_maximum_length"
            + " FROM information_schema.columns WHERE table_schema = ?")) {
      q.setString(1, schema);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1) + "." + rs.getString(2),
              rs.getString(3) + (rs.getObject(4) == null ? "" : "(" + rs.getLong(4) + ")"));
        }
      }
    }
    assertEquals(Fixtures.columns(
        "agents.id", "character varying(64)",
        "agents.position", "bigint",
        "agents.created_at", "timestamp without time zone",
        "agents.profile_json", "character varying(10485760)",
        "app_settings.setting_key", "character varying(128)",
        "app_settings.setting_value", "character varying(10485760)",
        "conversations.id", "character varying(200)",
        "conversations.agent_id", "character varying(64)",
        "conversations.title", "character varying(500)",
        "conversations.created_at", "timestamp without time zone",
        "conversations.updated_at", "timestamp without time zone",
        "messages.conversation_id", "character varying(200)",
        "messages.seq", "bigint",
        "messages.id", "character varying(64)",
        "messages.role", "character varying(32)",
        "messages.content", "text",
        "messages.created_at", "timestamp without time zone",
        "agent_secrets.agent_id", "character varying(64)",
        "agent_secrets.secret_key", "character varying(128)",
        "agent_secrets.sealed_value", "text",
        "bus_messages.seq", "bigint",
        "bus_messages.id", "character varying(64)",
        "bus_messages.kind", "character varying(32)",
        "bus_messages.from_agent", "character varying(64)",
        "bus_messages.to_agent", "character varying(64)",
        "bus_messages.thread_id", "character varying(200)",
        "bus_messages.correlation_id", "character varying(64)",
        "bus_messages.root_spawn_id", "character varying(64)",
        "bus_messages.body", "text",
        "bus_messages.payload_json", "text",
        "bus_messages.status", "character varying(32)",
        "bus_messages.transport", "character varying(64)",
        "bus_messages.created_at", "timestamp without time zone",
        "scheduled_tasks.id", "character varying(64)",
        "scheduled_tasks.position", "bigint",
        "scheduled_tasks.agent_id", "character varying(64)",
        "scheduled_tasks.cron", "character varying(200)",
        "scheduled_tasks.prompt", "text",
        "scheduled_tasks.enabled", "boolean",
        "scheduled_tasks.last_run_at", "timestamp without time zone",
        "scheduled_tasks.next_run_at", "timestamp without time zone",
        "subagent_tasks.id", "character varying(64)",
        "subagent_tasks.position", "bigint",
        "subagent_tasks.root_id", "character varying(64)",
        "subagent_tasks.parent_task_id", "character varying(64)",
        "subagent_tasks.parent_agent_id", "character varying(64)",
        "subagent_tasks.subagent_id", "character varying(64)",
        "subagent_tasks.goal", "text",
        "subagent_tasks.status", "character varying(32)",
        "subagent_tasks.result_summary", "text",
        "subagent_tasks.created_at", "timestamp without time zone",
        "subagent_tasks.finished_at", "timestamp without time zone",
        "memories.id", "character varying(64)",
        "memories.agent_id", "character varying(64)",
        "memories.category", "character varying(32)",
        "memories.content", "text",
        "memories.source", "character varying(32)",
        "memories.importance", "integer",
        "memories.access_count", "integer",
        "memories.last_accessed_at", "timestamp without time zone",
        "memories.entity_refs", "text",
        "memories.temporal_marker", "character varying(32)",
        "memories.created_at", "timestamp without time zone",
        "memories.updated_at", "timestamp without time zone",
        "memories.superseded_by", "character varying(64)",
        "memories.embedding_model", "character varying(300)",
        "memories.embedding", "bytea",
        "user_profiles.agent_id", "character varying(64)",
        "user_profiles.profile_json", "text",
        "user_profiles.updated_at", "timestamp without time zone",
        "conversation_learning.conversation_id", "character varying(200)",
        "conversation_learning.agent_id", "character varying(64)",
        "conversation_learning.learned_messages", "integer",
        "conversation_learning.summary", "text",
        "conversation_learning.key_points", "text",
        "conversation_learning.updated_at", "timestamp without time zone",
        "skills.id", "character varying(64)",
        "skills.position", "bigint",
        "skills.agent_id", "character varying(64)",
        "skills.meta_json", "text",
        "skills.body", "text",
        "skills.source", "character varying(32)",
        "skills.scan_status", "character varying(32)",
        "skills.scan_findings", "text",
        "skills.use_count", "integer",
        "skills.created_at", "timestamp without time zone",
        "skills.updated_at", "timestamp without time zone"), types);
  }
}
