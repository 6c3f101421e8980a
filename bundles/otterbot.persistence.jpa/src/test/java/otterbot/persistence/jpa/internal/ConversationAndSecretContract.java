package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.agent.AgentProfile;
import otterbot.api.persistence.StoredMessage;

/**
 * What {@link otterbot.api.persistence.ConversationStore} and {@link otterbot.api.persistence.CredentialStore} promise,
 * run against H2 and PostgreSQL by the subclasses. Every test opens the storage through {@link #open()}, which reaches
 * the same database each time, so closing and opening again is a restart.
 */
abstract class ConversationAndSecretContract {
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789123Z");

  /** Looks like what the core's SecretBox produces; distinctive enough to search logs for. */
  static final String SEALED = "v1.QmFzZTY0U2VhbGVkQ2lwaGVydGV4dEZvclRlc3RzT25seQ.c2VhbGVkLXNlY3JldC12YWx1ZS0wMDE";

  private final List<Storage> opened = new ArrayList<>();

  /** A storage on this test's database. */
  abstract Storage newStorage();

  /** A plain JDBC connection to the same database. */
  abstract Connection jdbc() throws SQLException;

  /** The table's name as SQL on {@link #jdbc()} must write it. */
  abstract String table(String name);

  final Storage open() {
    Storage storage = newStorage();
    opened.add(storage);
    return storage;
  }

  /** Idempotent: a subclass's own {@code @AfterEach}, which JUnit runs first, may call it before it cleans up. */
  @AfterEach
  void closeStorages() {
    opened.forEach(Storage::close);
    opened.clear();
  }

  static StoredMessage message(String conversation, String id, String role, String content, Instant at) {
    return new StoredMessage(id, conversation, role, content, at);
  }

  @Test
  void messagesComeBackInAppendOrderWithEveryFieldEvenWithEqualTimestamps() {
    var store = open();
    // Ids deliberately out of alphabetical order and timestamps equal or going backwards: only append order counts.
    List<StoredMessage> sent = List.of(
        message("conv-1", "m-c", "system", "You are Ada.", T0),
        message("conv-1", "m-a", "user", "Grüße 🦦 こんにちは\nsecond line", T0),
        message("conv-1", "m-b", "assistant", "", T0),
        message("conv-1", "m-0", "tool", "{\"result\":42}", T0.minusSeconds(60)),
        message("conv-1", "m-d", "user", Fixtures.megabytePersona(), T0.plusMillis(1)));
    sent.forEach(m -> store.append("ada", m));

    assertEquals(sent, store.messages("conv-1"));
    assertEquals(Optional.of("ada"), store.owner("conv-1"));
  }

  @Test
  void eachConversationKeepsItsOwnMessagesAndOrder() {
    var store = open();
    store.append("ada", message("conv-a", "1", "user", "a1", T0));
    store.append("bob", message("conv-b", "1", "user", "b1", T0));
    store.append("ada", message("conv-a", "2", "assistant", "a2", T0));
    store.append("ada", message("conv-a2", "1", "user", "a2-1", T0));
    store.append("bob", message("conv-b", "2", "assistant", "b2", T0));

    assertEquals(List.of("a1", "a2"), contents(store.messages("conv-a")));
    assertEquals(List.of("b1", "b2"), contents(store.messages("conv-b")));
    assertEquals(List.of("a2-1"), contents(store.messages("conv-a2")));
    assertEquals(Optional.of("bob"), store.owner("conv-b"));
  }

  @Test
  void anUnknownConversationHasNoOwnerAndNoMessages() {
    var store = open();
    assertEquals(Optional.empty(), store.owner("never"));
    assertEquals(List.of(), store.messages("never"));
    assertEquals(Optional.empty(), store.owner("x".repeat(201)));
    assertEquals(List.of(), store.messages(""));
  }

  @Test
  void aLongConversationIdAndATimestamplessMessageAreAccepted() {
    var store = open();
    String id = "spawn-" + "x".repeat(194);
    Instant before = Instant.now().minusSeconds(1);
    store.append("ada", message(id, "m1", "user", "hi", null));

    StoredMessage stored = store.messages(id).get(0);
    assertEquals(Optional.of("ada"), store.owner(id));
    assertTrue(stored.createdAt().isAfter(before), "dated at arrival: " + stored.createdAt());
  }

  @Test
  void appendingBumpsTheConversationsUpdateTime() throws SQLException {
    var store = open();
    store.append("ada", message("conv-1", "m1", "user", "one", T0));
    try (Connection c = jdbc(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE " + table("conversations")
          + " SET created_at = TIMESTAMP '2001-01-01 00:00:00', updated_at = TIMESTAMP '2001-01-01 00:00:00'");
    }

    store.append("ada", message("conv-1", "m2", "assistant", "two", T0));

    try (Connection c = jdbc(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT created_at, updated_at, title, agent_id FROM " + table("conversations"))) {
      assertTrue(rs.next());
      assertEquals("2001-01-01T00:00", rs.getTimestamp(1).toLocalDateTime().toString(), "creation time kept");
      assertTrue(rs.getTimestamp(2).toLocalDateTime().getYear() > 2001, "update time bumped");
      assertEquals(null, rs.getString(3));
      assertEquals("ada", rs.getString(4));
      assertFalse(rs.next());
    }
  }

  @Test
  void appendingToAnotherAgentsConversationIsAConflictAndStoresNothing() {
    var store = open();
    store.append("ada", message("conv-1", "m1", "user", "mine", T0));

    var e = assertThrows(OtterbotException.class,
        () -> store.append("mallory", message("conv-1", "m2", "user", "injected", T0)));

    assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
    assertEquals(List.of("mine"), contents(store.messages("conv-1")));
    assertEquals(Optional.of("ada"), store.owner("conv-1"));
  }

  @Test
  void invalidMessagesAreRejectedAsInvalidInput() {
    var store = open();
    assertInvalid(() -> store.append(" ", message("c", "m", "user", "x", T0)));
    assertInvalid(() -> store.append("a".repeat(65), message("c", "m", "user", "x", T0)));
    assertInvalid(() -> store.append("ada", message("c".repeat(201), "m", "user", "x", T0)));
    assertInvalid(() -> store.append("ada", message("c", null, "user", "x", T0)));
    assertInvalid(() -> store.append("ada", message("c", "m", "", "x", T0)));
    assertInvalid(() -> store.append("ada", message("c", "m", "user", null, T0)));
    assertEquals(Optional.empty(), store.owner("c"), "nothing was created");
  }

  @Test
  void deleteAllRemovesTheAgentsConversationsWithTheirMessagesAndNothingElse() {
    var store = open();
    store.append("ada", message("conv-a1", "1", "user", "a", T0));
    store.append("ada", message("conv-a1", "2", "assistant", "b", T0));
    store.append("ada", message("conv-a2", "1", "user", "c", T0));
    store.append("bob", message("conv-b", "1", "user", "d", T0));

    assertEquals(2, store.deleteAll("ada"));

    assertEquals(Optional.empty(), store.owner("conv-a1"));
    assertEquals(Optional.empty(), store.owner("conv-a2"));
    assertEquals(List.of(), store.messages("conv-a1"));
    assertEquals(List.of(), store.messages("conv-a2"));
    assertEquals(List.of("d"), contents(store.messages("conv-b")));
    assertEquals(Optional.of("bob"), store.owner("conv-b"));
    assertEquals(0, store.deleteAll("ada"));
    assertEquals(0, store.deleteAll("never-existed"));

    // A conversation id used again (by anyone) starts empty: no orphaned messages come back.
    store.append("bob", message("conv-a1", "9", "user", "fresh", T0));
    assertEquals(List.of("fresh"), contents(store.messages("conv-a1")));
    assertEquals(Optional.of("bob"), store.owner("conv-a1"));
    assertEquals(0, count("messages WHERE conversation_id = 'conv-a2'"));
  }

  @Test
  void secretsRoundTripAndAReplacementDropsTheOldKeys() {
    var store = open();
    assertEquals(Map.of(), store.load("ada"));

    store.replace("ada", Map.of("OPENAI_API_KEY", SEALED, "GITHUB_TOKEN", "sealed-2"));
    assertEquals(Map.of("OPENAI_API_KEY", SEALED, "GITHUB_TOKEN", "sealed-2"), store.load("ada"));
    assertEquals(List.of("GITHUB_TOKEN", "OPENAI_API_KEY"), List.copyOf(store.load("ada").keySet()), "key order");

    store.replace("ada", Map.of("GITHUB_TOKEN", "sealed-3", "SMTP_PASS", "sealed-4"));
    assertEquals(Map.of("GITHUB_TOKEN", "sealed-3", "SMTP_PASS", "sealed-4"), store.load("ada"));

    store.replace("ada", Map.of());
    assertEquals(Map.of(), store.load("ada"));
    assertEquals(0, count("agent_secrets"));
  }

  @Test
  void secretsAreIsolatedPerAgent() {
    var store = open();
    store.replace("ada", Map.of("K", "ada-value"));
    store.replace("bob", Map.of("K", "bob-value", "L", "bob-l"));

    store.replace("ada", Map.of("M", "ada-m"));

    assertEquals(Map.of("M", "ada-m"), store.load("ada"));
    assertEquals(Map.of("K", "bob-value", "L", "bob-l"), store.load("bob"));
    assertEquals(Map.of(), store.load("x".repeat(65)));
  }

  /**
   * Sets are kept in memory after a read (a chat turn reads its agent's set every time): a replacement is seen by the
   * next read, and the memory holds a bounded number of agents' sets.
   */
  @Test
  void readSetsAreKeptBoundedAndEveryReplacementIsSeenByTheNextRead() {
    JpaCredentialStore store = open().credentials;
    for (int i = 0; i < JpaCredentialStore.CACHED_AGENTS + 50; i++) {
      assertEquals(Map.of(), store.load("agent-" + i));
    }
    assertEquals(JpaCredentialStore.CACHED_AGENTS, store.cachedAgents());
    for (int n = 0; n < 3; n++) {
      store.replace("agent-1073", Map.of("K", "sealed-" + n));
      assertEquals(Map.of("K", "sealed-" + n), store.load("agent-1073"));
    }
    store.replace("agent-1073", Map.of());
    assertEquals(Map.of(), store.load("agent-1073"));
  }

  /** A read that got the old set while a replacement was committing does not keep it for the reads after. */
  @Test
  void aReadThatOverlapsAReplacementDoesNotKeepTheOldSet() throws Exception {
    Storage storage = open();
    storage.credentials.replace("ada", Map.of("K", "old"));
    var readDone = new CountDownLatch(1);
    var goOn = new CountDownLatch(1);
    var slowReads = new AtomicBoolean(true);
    // The same database; a read returns what it read only when the test says so.
    Transactions held = new Transactions() {
      @Override
      public <T> T read(String what, Function<EntityManager, T> work) {
        T result = storage.database.read(what, work);
        if (slowReads.get()) {
          readDone.countDown();
          try {
            goOn.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return result;
      }

      @Override
      public <T> T write(String what, Collection<String> masked, Function<EntityManager, T> work) {
        return storage.database.write(what, masked, work);
      }

      @Override
      public Database.Kind kind() {
        return storage.database.kind();
      }

      @Override
      public String qualified(String table) {
        return storage.database.qualified(table);
      }
    };
    var store = new JpaCredentialStore(held);
    var early = new CompletableFuture<Map<String, String>>();
    Thread reader = new Thread(() -> early.complete(store.load("ada")));
    reader.start();
    assertTrue(readDone.await(10, TimeUnit.SECONDS));
    slowReads.set(false);
    store.replace("ada", Map.of("K", "new"));
    goOn.countDown();
    reader.join(10_000);

    assertEquals(Map.of("K", "old"), early.get(), "the overlapping read answered what it read");
    assertEquals(Map.of("K", "new"), store.load("ada"), "and did not keep it");
  }

  @Test
  void aLongSealedValueRoundTrips() {
    var store = open();
    String big = "A".repeat(300_000) + "🦦";
    store.replace("ada", Map.of("BIG", big));
    assertEquals(big, store.load("ada").get("BIG"));
  }

  @Test
  void anInvalidReplacementNamesTheKeyNeverTheValueAndChangesNothing() {
    var store = open();
    store.replace("ada", Map.of("KEEP", "old"));
    var withNull = new HashMap<String, String>();
    withNull.put("OPENAI_API_KEY", null);
    withNull.put("OTHER", SEALED);

    var e = assertInvalid(() -> store.replace("ada", withNull));
    assertEquals("secret 'OPENAI_API_KEY' has no value", e.getMessage());
    assertInvalid(() -> store.replace("ada", Map.of(" ", SEALED)));
    assertInvalid(() -> store.replace("ada", Map.of("K".repeat(129), SEALED)));
    var e2 = assertInvalid(() -> store.replace("", Map.of("K", SEALED)));
    assertFalse(e2.getMessage().contains(SEALED));

    assertEquals(Map.of("KEEP", "old"), store.load("ada"));
  }

  /**
   * A replacement the database refuses (here a CHECK constraint added behind the storage's back) is rolled back
   * whole, and the sealed value appears neither in the exception chain nor in anything logged.
   */
  @Test
  void aFailedReplacementRollsBackAndNeverShowsTheSealedValue() throws Exception {
    var store = open();
    store.replace("ada", Map.of("KEEP", "old"));
    try (Connection c = jdbc(); Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + table("agent_secrets") + " ADD CONSTRAINT short_values"
          + " CHECK (LENGTH(sealed_value) < 20)");
    }
    var trace = new StringWriter();
    String log = Fixtures.stderrOf(() -> {
      var e = assertThrows(OtterbotException.class,
          () -> store.replace("ada", Map.of("A_SHORT", "fits", "OPENAI_API_KEY", SEALED)));
      assertEquals(OtterbotException.Kind.UNAVAILABLE, e.kind());
      assertEquals("cannot replace the secrets of agent 'ada': database unavailable", e.getMessage());
      e.printStackTrace(new PrintWriter(trace));
    });

    assertEquals(Map.of("KEEP", "old"), store.load("ada"), "rolled back: the old set is intact");
    // The database's own words are kept for the operator...
    assertTrue(trace.toString().toLowerCase().contains("short_values"), trace.toString());
    // ...but neither the value nor a recognisable piece of it.
    String piece = SEALED.substring(10, 30);
    assertFalse(trace.toString().contains(piece), trace.toString());
    assertFalse(log.contains(piece), log);
  }

  @Test
  void everythingSurvivesClosingAndReopeningTheDatabase() {
    var first = open();
    first.append("ada", message("conv-1", "m1", "user", "before the restart", T0));
    first.replace("ada", Map.of("K", SEALED));
    first.close();

    var second = open();
    assertEquals(List.of(message("conv-1", "m1", "user", "before the restart", T0)), second.messages("conv-1"));
    assertEquals(Map.of("K", SEALED), second.load("ada"));
    second.append("ada", message("conv-1", "m2", "assistant", "after", T0));
    assertEquals(List.of("before the restart", "after"), contents(second.messages("conv-1")));
  }

  /** A database written by the previous version has only agents and app_settings; starting adds the new tables. */
  @Test
  void aDatabaseOfThePreviousVersionGetsTheNewTables() throws Exception {
    var old = open();
    old.save(Fixtures.full("ada"));
    old.put("onboarding_complete", "true");
    try (Connection c = jdbc(); Statement s = c.createStatement()) {
      for (String name : List.of("messages", "conversations", "agent_secrets")) {
        s.execute("DROP TABLE " + table(name));
      }
    }
    old.close();

    String log = Fixtures.stderrOf(() -> {
      var upgraded = open();
      upgraded.append("ada", message("conv-1", "m1", "user", "hello", T0));
      upgraded.replace("ada", Map.of("K", "v"));
      assertEquals(List.of("hello"), contents(upgraded.messages("conv-1")));
      assertEquals(Map.of("K", "v"), upgraded.load("ada"));
      assertEquals(List.of("ada"), upgraded.loadAll().stream().map(AgentProfile::id).toList());
      assertEquals(Optional.of("true"), upgraded.get("onboarding_complete"));
    });
    assertFalse(log.contains("WARN"), log);
    assertFalse(log.contains("ERROR"), log);
  }

  @Test
  void concurrentAppendsToOneConversationAreAllKeptEachInItsOrder() throws Exception {
    var store = open();
    int threads = 4;
    int perThread = 25;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      var done = new ArrayList<java.util.concurrent.Future<?>>();
      for (int t = 0; t < threads; t++) {
        String writer = "w" + t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            store.append("ada", message("busy", writer + "-" + i, "user", writer + ":" + i, T0));
          }
        }));
      }
      for (var f : done) {
        f.get(); // rethrows a failed append
      }
    } finally {
      pool.shutdownNow();
    }

    List<StoredMessage> messages = store.messages("busy");
    assertEquals(threads * perThread, messages.size());
    for (int t = 0; t < threads; t++) {
      String writer = "w" + t;
      List<String> own = messages.stream().map(StoredMessage::id).filter(id -> id.startsWith(writer + "-")).toList();
      assertEquals(java.util.stream.IntStream.range(0, perThread).mapToObj(i -> writer + "-" + i).toList(), own);
    }
  }

  /**
   * Appends that wait together are committed together (the group commit): many threads on new and existing
   * conversations, with conflicting appends among them. Each refused append fails alone and leaves nothing behind;
   * every other one is stored, in its order.
   */
  @Test
  void appendsCommittedTogetherKeepTheirOrderAndARefusedOneFailsAlone() throws Exception {
    var store = open();
    store.append("ada", message("owned", "first", "user", "ada's", T0));
    int threads = 8;
    int perThread = 30;
    var conflicts = new java.util.concurrent.atomic.AtomicInteger();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      var done = new ArrayList<java.util.concurrent.Future<?>>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            store.append("agent-" + thread, message("conv-" + thread + "-" + (i % 3), "m" + i, "user", "t" + thread
                + ":" + i, T0));
            if (i % 10 == 0) {
              var e = assertThrows(OtterbotException.class,
                  () -> store.append("mallory", message("owned", "x" + thread, "user", "injected", T0)));
              assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
              conflicts.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (var f : done) {
        f.get(); // rethrows a failed append or assertion
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * perThread / 10, conflicts.get());
    assertEquals(List.of("ada's"), contents(store.messages("owned")), "no refused append was stored");
    for (int t = 0; t < threads; t++) {
      for (int c = 0; c < 3; c++) {
        int thread = t;
        int conv = c;
        List<String> expected = java.util.stream.IntStream.range(0, perThread).filter(i -> i % 3 == conv)
            .mapToObj(i -> "t" + thread + ":" + i).toList();
        assertEquals(expected, contents(store.messages("conv-" + t + "-" + c)));
        assertEquals(Optional.of("agent-" + t), store.owner("conv-" + t + "-" + c));
      }
    }
  }

  /** The primary keys are what the reads look up by, so no read scans a table. */
  @Test
  void theKeysServeTheReads() throws SQLException {
    open().close();
    try (Connection c = jdbc()) {
      var meta = c.getMetaData();
      assertEquals(List.of("id"), primaryKey(meta, "conversations"));
      assertEquals(List.of("conversation_id", "seq"), primaryKey(meta, "messages"));
      assertEquals(List.of("agent_id", "secret_key"), primaryKey(meta, "agent_secrets"));
      boolean byAgent = false;
      try (ResultSet rs = meta.getIndexInfo(null, schemaName(meta), identifier(meta, "conversations"), false, false)) {
        while (rs.next()) {
          byAgent |= "agent_id".equalsIgnoreCase(rs.getString("COLUMN_NAME")) && rs.getInt("ORDINAL_POSITION") == 1;
        }
      }
      assertTrue(byAgent, "conversations are indexed by agent");
    }
  }

  /** The schema the tables are in, as the database's metadata spells it. */
  abstract String schemaName(java.sql.DatabaseMetaData meta) throws SQLException;

  static String identifier(java.sql.DatabaseMetaData meta, String name) throws SQLException {
    return meta.storesUpperCaseIdentifiers() ? name.toUpperCase(java.util.Locale.ROOT) : name;
  }

  private List<String> primaryKey(java.sql.DatabaseMetaData meta, String table) throws SQLException {
    var columns = new java.util.TreeMap<Integer, String>();
    try (ResultSet rs = meta.getPrimaryKeys(null, schemaName(meta), identifier(meta, table))) {
      while (rs.next()) {
        columns.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
      }
    }
    return List.copyOf(columns.values());
  }

  private int count(String fromWhere) {
    String[] parts = fromWhere.split(" ", 2);
    String sql = "SELECT COUNT(*) FROM " + table(parts[0]) + (parts.length > 1 ? " " + parts[1] : "");
    try (Connection c = jdbc(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  private static List<String> contents(List<StoredMessage> messages) {
    return messages.stream().map(StoredMessage::content).toList();
  }

  private static OtterbotException assertInvalid(org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(OtterbotException.class, call);
    assertEquals(OtterbotException.Kind.INVALID, e.kind(), e.getMessage());
    return e;
  }
}
