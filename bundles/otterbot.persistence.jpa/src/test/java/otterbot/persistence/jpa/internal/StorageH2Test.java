package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.health.Health;

class StorageH2Test {
  @TempDir
  Path dir;

  private Storage storage;

  @AfterEach
  void closeStorage() {
    if (storage != null) {
      storage.close();
    }
  }

  private Storage open() {
    storage = new Storage(Fixtures.h2(dir));
    return storage;
  }

  @Test
  void aSavedProfileLoadsBackWithEveryField() {
    var store = open();
    AgentProfile full = Fixtures.full("ada");
    AgentProfile sparse = Fixtures.sparse("sub-1", "short");
    store.save(full);
    store.save(sparse);

    List<AgentProfile> loaded = store.loadAll();

    assertEquals(List.of(full, sparse), loaded);
    assertEquals(Fixtures.CREATED, loaded.get(0).createdAt(), "millisecond precision kept");
    assertEquals(null, loaded.get(1).email());
    assertEquals(null, loaded.get(1).parentId());
    assertEquals(null, loaded.get(1).model().embedding());
  }

  @Test
  void anUpdateKeepsTheCreationOrder() {
    var store = open();
    store.save(Fixtures.sparse("first", "1"));
    store.save(Fixtures.sparse("second", "2"));
    store.save(Fixtures.sparse("third", "3"));

    store.save(Fixtures.sparse("first", "changed"));

    List<AgentProfile> loaded = store.loadAll();
    assertEquals(List.of("first", "second", "third"), loaded.stream().map(AgentProfile::id).toList());
    assertEquals("changed", loaded.get(0).persona());
  }

  @Test
  void aNewAgentGoesLastEvenAfterDeletions() {
    var store = open();
    store.save(Fixtures.sparse("a", "1"));
    store.save(Fixtures.sparse("b", "2"));
    store.delete("b");
    store.save(Fixtures.sparse("c", "3"));
    store.save(Fixtures.sparse("b", "again"));

    assertEquals(List.of("a", "c", "b"), store.loadAll().stream().map(AgentProfile::id).toList());
  }

  @Test
  void agentsSavedTogetherTakeTheListsOrderAndUpdatesStayInPlace() {
    agentsSavedTogetherTakeTheListsOrder(open());
  }

  /** Also run on PostgreSQL by {@link StoragePostgresTest}. */
  static void agentsSavedTogetherTakeTheListsOrder(Storage store) {
    store.save(Fixtures.sparse("a", "1"));

    store.agents.saveAll(List.of(Fixtures.sparse("c", "3"), Fixtures.sparse("a", "changed"),
        Fixtures.sparse("b", "2"), Fixtures.sparse("c", "again")));

    List<AgentProfile> loaded = store.loadAll();
    assertEquals(List.of("a", "c", "b"), loaded.stream().map(AgentProfile::id).toList());
    assertEquals(List.of("changed", "again", "2"), loaded.stream().map(AgentProfile::persona).toList());
    store.save(Fixtures.sparse("d", "4"));
    assertEquals("d", store.loadAll().get(3).id(), "a later save goes after the batch");
  }

  @Test
  void aProfileWithoutCreationTimeIsSavedAndUpdated() {
    profileWithoutCreationTime(open());
  }

  static void profileWithoutCreationTime(Storage store) {
    AgentProfile old = Fixtures.withoutCreatedAt(Fixtures.sparse("old", "1"));
    store.agents.saveAll(List.of(old, Fixtures.sparse("new", "2")));
    store.save(Fixtures.withPersona(old, "changed"));

    assertEquals(List.of(Fixtures.withPersona(old, "changed"), Fixtures.sparse("new", "2")), store.loadAll());
  }

  @Test
  void aBatchWithAProfileThatCannotBeStoredSavesNoneOfIt() {
    var store = open();
    AgentProfile tooLong = Fixtures.sparse("x".repeat(JpaAgentStore.MAX_ID_LENGTH + 1), "");

    assertThrows(OtterbotException.class,
        () -> store.agents.saveAll(List.of(Fixtures.sparse("ok", "1"), tooLong)));

    assertEquals(List.of(), store.loadAll());
  }

  @Test
  void deleteTellsWhetherThereWasAProfile() {
    var store = open();
    store.save(Fixtures.full("ada"));

    assertTrue(store.delete("ada"));
    assertFalse(store.delete("ada"));
    assertFalse(store.delete("never-saved"));
    assertEquals(List.of(), store.loadAll());
  }

  @Test
  void settingsAreStoredAndOverwritten() {
    var store = open();
    assertEquals(Optional.empty(), store.get("global"));

    store.put("global", "{\"theme\":\"dark\"}");
    store.put("other", "x");
    store.put("global", "{\"theme\":\"light\"}");

    assertEquals(Optional.of("{\"theme\":\"light\"}"), store.get("global"));
    assertEquals(Optional.of("x"), store.get("other"));
  }

  @Test
  void unicodeAndAMegabytePersonaRoundTrip() {
    var store = open();
    String persona = Fixtures.megabytePersona();
    AgentProfile big = Fixtures.withPersona(Fixtures.full("big"), persona);

    store.save(big);
    store.put("greeting", "Grüße 🦦 こんにちは");

    AgentProfile loaded = store.loadAll().get(0);
    assertEquals(persona.length(), loaded.persona().length());
    assertEquals(big, loaded);
    assertEquals(Optional.of("Grüße 🦦 こんにちは"), store.get("greeting"));
  }

  @Test
  void dataSurvivesClosingAndReopeningTheDatabase() throws Exception {
    var first = new Storage(Fixtures.h2(dir));
    first.save(Fixtures.full("ada"));
    first.save(Fixtures.sparse("bob", "b"));
    first.put("k", "v");
    first.close();
    assertTheDatabaseFileIsReleased();

    // A second open and close in the same JVM, as on a bundle refresh; create-or-extend must stay quiet about the
    // tables that already exist.
    String log = Fixtures.stderrOf(() -> {
      storage = new Storage(Fixtures.h2(dir));
      assertEquals(List.of(Fixtures.full("ada"), Fixtures.sparse("bob", "b")), storage.loadAll());
      assertEquals(Optional.of("v"), storage.get("k"));
      storage.save(Fixtures.sparse("carl", "c"));
      storage.close();
    });
    assertFalse(log.contains("WARN"), log);
    assertFalse(log.contains("ERROR"), log);
    assertTheDatabaseFileIsReleased();

    storage = new Storage(Fixtures.h2(dir));
    assertEquals(List.of("ada", "bob", "carl"), storage.loadAll().stream().map(AgentProfile::id).toList());
  }

  @Test
  void oneDamagedRowDoesNotHideTheOtherAgents() throws Exception {
    var store = open();
    store.save(Fixtures.sparse("damaged", "1"));
    store.save(Fixtures.sparse("fine", "2"));
    // A second connection in the same JVM shares the open database.
    try (Connection c = DriverManager.getConnection(Fixtures.h2(dir).url(), "sa", "")) {
      c.createStatement().executeUpdate("UPDATE agents SET profile_json = '{not json' WHERE id = 'damaged'");
    }

    assertEquals(List.of(Fixtures.sparse("fine", "2")), store.loadAll());
  }

  @Test
  void theTablesHaveThePortableColumnTypes() throws Exception {
    open().close();
    storage = null;
    Database db = Fixtures.h2(dir);
    Map<String, String> types = new HashMap<>();
    try (Connection c = DriverManager.getConnection(db.url(), "sa", "");
        ResultSet rs = c.createStatement().executeQuery("SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE,"
            + " CHARACTER_MAXIMUM_LENGTH FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'PUBLIC'")) {
      while (rs.next()) {
        types.put(rs.getString(1).toLowerCase() + "." + rs.getString(2),
            rs.getString(3) + (rs.getObject(4) == null ? "" : "(" + rs.getLong(4) + ")"));
      }
      c.createStatement().execute("SHUTDOWN");
    }
    assertEquals(Map.of(
        "agents.ID", "CHARACTER VARYING(64)",
        "agents.POSITION", "BIGINT",
        "agents.CREATED_AT", "TIMESTAMP",
        "agents.PROFILE_JSON", "CHARACTER VARYING(10485760)",
        "app_settings.SETTING_KEY", "CHARACTER VARYING(128)",
        "app_settings.SETTING_VALUE", "CHARACTER VARYING(10485760)"), without(types, "conversations", "messages",
            "agent_secrets", "bus_messages", "scheduled_tasks", "subagent_tasks", "memories", "user_profiles",
            "conversation_learning", "skills"));
    assertEquals(Fixtures.columns(
        "conversations.ID", "CHARACTER VARYING(200)",
        "conversations.AGENT_ID", "CHARACTER VARYING(64)",
        "conversations.TITLE", "CHARACTER VARYING(500)",
        "conversations.CREATED_AT", "TIMESTAMP",
        "conversations.UPDATED_AT", "TIMESTAMP",
        "messages.CONVERSATION_ID", "CHARACTER VARYING(200)",
        "messages.SEQ", "BIGINT",
        "messages.ID", "CHARACTER VARYING(64)",
        "messages.ROLE", "CHARACTER VARYING(32)",
        "messages.CONTENT", "CHARACTER VARYING(1000000000)",
        "messages.CREATED_AT", "TIMESTAMP"), only(types, "conversations", "messages"));
    assertEquals(Map.of(
        "agent_secrets.AGENT_ID", "CHARACTER VARYING(64)",
        "agent_secrets.SECRET_KEY", "CHARACTER VARYING(128)",
        "agent_secrets.SEALED_VALUE", "CHARACTER VARYING(1000000000)"), only(types, "agent_secrets"));
    assertEquals(Fixtures.columns(
        "bus_messages.SEQ", "BIGINT",
        "bus_messages.ID", "CHARACTER VARYING(64)",
        "bus_messages.KIND", "CHARACTER VARYING(32)",
        "bus_messages.FROM_AGENT", "CHARACTER VARYING(64)",
        "bus_messages.TO_AGENT", "CHARACTER VARYING(64)",
        "bus_messages.THREAD_ID", "CHARACTER VARYING(200)",
        "bus_messages.CORRELATION_ID", "CHARACTER VARYING(64)",
        "bus_messages.ROOT_SPAWN_ID", "CHARACTER VARYING(64)",
        "bus_messages.BODY", "CHARACTER VARYING(1000000000)",
        "bus_messages.PAYLOAD_JSON", "CHARACTER VARYING(1000000000)",
        "bus_messages.STATUS", "CHARACTER VARYING(32)",
        "bus_messages.TRANSPORT", "CHARACTER VARYING(64)",
        "bus_messages.CREATED_AT", "TIMESTAMP"), only(types, "bus_messages"));
    assertEquals(Fixtures.columns(
        "scheduled_tasks.ID", "CHARACTER VARYING(64)",
        "scheduled_tasks.POSITION", "BIGINT",
        "scheduled_tasks.AGENT_ID", "CHARACTER VARYING(64)",
        "scheduled_tasks.CRON", "CHARACTER VARYING(200)",
        "scheduled_tasks.PROMPT", "CHARACTER VARYING(1000000000)",
        "scheduled_tasks.ENABLED", "BOOLEAN",
        "scheduled_tasks.LAST_RUN_AT", "TIMESTAMP",
        "scheduled_tasks.NEXT_RUN_AT", "TIMESTAMP"), only(types, "scheduled_tasks"));
    assertEquals(Fixtures.columns(
        "subagent_tasks.ID", "CHARACTER VARYING(64)",
        "subagent_tasks.POSITION", "BIGINT",
        "subagent_tasks.ROOT_ID", "CHARACTER VARYING(64)",
        "subagent_tasks.PARENT_TASK_ID", "CHARACTER VARYING(64)",
        "subagent_tasks.PARENT_AGENT_ID", "CHARACTER VARYING(64)",
        "subagent_tasks.SUBAGENT_ID", "CHARACTER VARYING(64)",
        "subagent_tasks.GOAL", "CHARACTER VARYING(1000000000)",
        "subagent_tasks.STATUS", "CHARACTER VARYING(32)",
        "subagent_tasks.RESULT_SUMMARY", "CHARACTER VARYING(1000000000)",
        "subagent_tasks.CREATED_AT", "TIMESTAMP",
        "subagent_tasks.FINISHED_AT", "TIMESTAMP"), only(types, "subagent_tasks"));
    // Text without a limit of the database's own (the stores check theirs) is H2's in-row VARCHAR, the embedding
    // in-row VARBINARY: neither goes to H2's separate LOB storage, which would cost a lookup per row of a page.
    assertEquals(Fixtures.columns(
        "memories.ID", "CHARACTER VARYING(64)",
        "memories.AGENT_ID", "CHARACTER VARYING(64)",
        "memories.CATEGORY", "CHARACTER VARYING(32)",
        "memories.CONTENT", "CHARACTER VARYING(1000000000)",
        "memories.SOURCE", "CHARACTER VARYING(32)",
        "memories.IMPORTANCE", "INTEGER",
        "memories.ACCESS_COUNT", "INTEGER",
        "memories.LAST_ACCESSED_AT", "TIMESTAMP",
        "memories.ENTITY_REFS", "CHARACTER VARYING(1000000000)",
        "memories.TEMPORAL_MARKER", "CHARACTER VARYING(32)",
        "memories.CREATED_AT", "TIMESTAMP",
        "memories.UPDATED_AT", "TIMESTAMP",
        "memories.SUPERSEDED_BY", "CHARACTER VARYING(64)",
        "memories.EMBEDDING_MODEL", "CHARACTER VARYING(300)",
        "memories.EMBEDDING", "BINARY VARYING(1000000000)",
        "user_profiles.AGENT_ID", "CHARACTER VARYING(64)",
        "user_profiles.PROFILE_JSON", "CHARACTER VARYING(1000000000)",
        "user_profiles.UPDATED_AT", "TIMESTAMP",
        "conversation_learning.CONVERSATION_ID", "CHARACTER VARYING(200)",
        "conversation_learning.AGENT_ID", "CHARACTER VARYING(64)",
        "conversation_learning.LEARNED_MESSAGES", "INTEGER",
        "conversation_learning.SUMMARY", "CHARACTER VARYING(1000000000)",
        "conversation_learning.KEY_POINTS", "CHARACTER VARYING(1000000000)",
        "conversation_learning.UPDATED_AT", "TIMESTAMP"),
        only(types, "memories", "user_profiles", "conversation_learning"));
    assertEquals(Fixtures.columns(
        "skills.ID", "CHARACTER VARYING(64)",
        "skills.POSITION", "BIGINT",
        "skills.AGENT_ID", "CHARACTER VARYING(64)",
        "skills.META_JSON", "CHARACTER VARYING(1000000000)",
        "skills.BODY", "CHARACTER VARYING(1000000000)",
        "skills.SOURCE", "CHARACTER VARYING(32)",
        "skills.SCAN_STATUS", "CHARACTER VARYING(32)",
        "skills.SCAN_FINDINGS", "CHARACTER VARYING(1000000000)",
        "skills.USE_COUNT", "INTEGER",
        "skills.CREATED_AT", "TIMESTAMP",
        "skills.UPDATED_AT", "TIMESTAMP"), only(types, "skills"));
  }

  static Map<String, String> only(Map<String, String> types, String... tables) {
    Map<String, String> selected = new HashMap<>();
    types.forEach((column, type) -> {
      if (java.util.Arrays.asList(tables).contains(column.substring(0, column.indexOf('.')))) {
        selected.put(column, type);
      }
    });
    return selected;
  }

  static Map<String, String> without(Map<String, String> types, String... tables) {
    Map<String, String> selected = new HashMap<>(types);
    selected.keySet().removeAll(only(types, tables).keySet());
    return selected;
  }

  @Test
  void healthIsUpAndNamesTheDatabase() {
    Health health = open().check();

    assertTrue(health.isUp(), health.toString());
    assertEquals("h2", health.details().get("kind"));
    assertFalse(health.details().containsKey("url"), "health never reveals the database file's path");
  }

  @Test
  void aClosedStorageReportsUnavailableAndDownWithoutThrowing() {
    var store = open();
    store.close();

    var e = assertThrows(OtterbotException.class, store::loadAll);
    assertEquals(OtterbotException.Kind.UNAVAILABLE, e.kind());
    assertFalse(store.check().isUp());
    store.close(); // twice is harmless
  }

  @Test
  void invalidKeysAreRejectedAsInvalidInput() {
    var store = open();

    var e = assertThrows(OtterbotException.class, () -> store.save(Fixtures.sparse("x".repeat(65), "p")));
    assertEquals(OtterbotException.Kind.INVALID, e.kind());
    assertEquals(OtterbotException.Kind.INVALID, assertThrows(OtterbotException.class, () -> store.put(" ", "v")).kind());
    assertFalse(store.delete("x".repeat(65)));
    assertEquals(Optional.empty(), store.get("k".repeat(200)));
  }

  /** H2 holds a file lock while the database is open; in the same JVM a second lock attempt throws. */
  private void assertTheDatabaseFileIsReleased() throws Exception {
    Path file = dir.resolve(Database.DEFAULT_H2_NAME + ".mv.db");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      assertNotNull(lock, "another process holds " + file);
    }
  }
}
