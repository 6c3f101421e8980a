package otterbot.persistence.jpa.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.SubagentTask;
import otterbot.api.schedule.ScheduledTask;

/**
 * What {@link otterbot.api.persistence.BusStore}, {@link otterbot.api.persistence.ScheduleStore} and
 * {@link otterbot.api.persistence.SubagentTaskStore} promise, run against H2 and PostgreSQL by the subclasses. As in
 * {@link ConversationAndSecretContract}, {@link #open()} reaches the same database each time.
 */
abstract class OrchestrationStoreContract {
  static final Instant T0 = Instant.parse("2025-03-01T12:34:56.789123Z");

  private final List<Storage> opened = new ArrayList<>();

  abstract Storage newStorage();

  abstract Connection jdbc() throws SQLException;

  abstract String table(String name);

  abstract String schemaName(DatabaseMetaData meta) throws SQLException;

  final Storage open() {
    Storage storage = newStorage();
    opened.add(storage);
    return storage;
  }

  @AfterEach
  void closeStorages() {
    opened.forEach(Storage::close);
    opened.clear();
  }

  static AgentMessage message(String id, String kind, String from, String to, String body) {
    return new AgentMessage(id, 0, kind, from, to, "thread-" + id, null, null, body, null, null, AgentMessage.LOCAL,
        T0);
  }

  // ---------------------------------------------------------------------------------------------------- the bus

  @Test
  void aBusMessageRoundTripsWithEveryFieldAndAStructuredPayload() {
    var store = open();
    var payload = new LinkedHashMap<String, Object>();
    payload.put("taskId", "t-1");
    payload.put("count", 3);
    payload.put("big", 12_345_678_901L);
    payload.put("ratio", 0.25);
    payload.put("ok", true);
    payload.put("nothing", null);
    payload.put("list", List.of("a", 1, Map.of("nested", "ü🦦")));
    var sent = new AgentMessage("m-1", 0, AgentMessage.RESPONSE, "ada", "coo", "thread-1", "req-9", "spawn-4",
        "Grüße 🦦\nsecond line", payload, "working", "discord", T0);

    AgentMessage stored = store.append(sent);

    var expected = new AgentMessage("m-1", 1, AgentMessage.RESPONSE, "ada", "coo", "thread-1", "req-9", "spawn-4",
        "Grüße 🦦\nsecond line", payload, "working", "discord", T0);
    assertEquals(expected, stored);
    assertEquals(List.of(expected), store.last(10));
    // Plain Java values, in the order written: consumers need no Jackson to read a payload.
    Object read = store.last(1).get(0).payload();
    assertTrue(read instanceof Map<?, ?>, String.valueOf(read));
    assertEquals(List.copyOf(payload.keySet()), List.copyOf(((Map<?, ?>) read).keySet()));
  }

  @Test
  void nullFieldsStayNullAndScalarPayloadsComeBackAsTheyWent() {
    var store = open();
    store.append(message("m-1", AgentMessage.BROADCAST, "coo", null, "to everyone"));
    store.append(message("m-2", AgentMessage.TOOL, "ada", "coo", "").withPayload("just text"));
    store.append(message("m-3", AgentMessage.TOOL, "ada", "coo", "x").withPayload(List.of(1, 2)));
    store.append(message("m-4", AgentMessage.TOOL, "ada", "coo", "x").withPayload(42));

    List<AgentMessage> all = store.last(10);
    AgentMessage broadcast = all.get(0);
    assertNull(broadcast.to());
    assertNull(broadcast.correlationId());
    assertNull(broadcast.rootSpawnId());
    assertNull(broadcast.payload());
    assertNull(broadcast.status());
    assertEquals("", all.get(1).body());
    assertEquals("just text", all.get(1).payload());
    assertEquals(List.of(1, 2), all.get(2).payload());
    assertEquals(42, all.get(3).payload());
  }

  @Test
  void theStoreFillsInWhatADraftLeavesOut() {
    var store = open();
    Instant before = Instant.now().minusSeconds(1);

    AgentMessage stored = store.append(AgentMessage.draft(AgentMessage.REQUEST, "coo", "ada", "th", null, null, "hi")
        .withPayload(null));
    var transportless = new AgentMessage(null, 0, AgentMessage.STATUS, "ada", null, "th", null, null, "s", null,
        "idle", null, null);
    AgentMessage second = store.append(transportless);

    assertNotNull(stored.id());
    assertFalse(stored.id().equals(second.id()), "unique ids");
    assertTrue(stored.createdAt().isAfter(before), String.valueOf(stored.createdAt()));
    assertEquals(AgentMessage.LOCAL, second.transport());
    assertEquals(List.of(stored, second), store.last(2), "what append returned is what is read back");
  }

  @Test
  void lastReturnsTheNewestOldestFirstAndNothingForZero() {
    var store = open();
    for (int i = 1; i <= 7; i++) {
      store.append(message("m-" + i, AgentMessage.REQUEST, "coo", "ada", "body " + i));
    }

    assertEquals(List.of(5L, 6L, 7L), seqs(store.last(3)));
    assertEquals(List.of("m-5", "m-6", "m-7"), store.last(3).stream().map(AgentMessage::id).toList());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), seqs(store.last(100)));
    assertEquals(List.of(), store.last(0));
    assertEquals(List.of(), store.last(-1));
  }

  @Test
  void aDuplicateIdIsAConflictAndTakesNoSeq() {
    var store = open();
    store.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "first"));

    var e = assertThrows(OtterbotException.class,
        () -> store.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "again")));
    AgentMessage next = store.append(message("m-2", AgentMessage.REQUEST, "coo", "ada", "second"));

    assertEquals(OtterbotException.Kind.CONFLICT, e.kind());
    assertEquals(2, next.seq(), "no gap where the refused message would have been");
    assertEquals(List.of("first", "second"), store.last(5).stream().map(AgentMessage::body).toList());
  }

  @Test
  void appendAllStoresAListInOneGoWithConsecutiveSeqsInListOrder() {
    var store = open();
    store.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "first"));

    List<AgentMessage> stored = store.bus.appendAll(List.of(
        message("m-2", AgentMessage.BROADCAST, "coo", null, "two"),
        message("m-3", AgentMessage.TOOL, "ada", "coo", "three").withPayload(Map.of("n", 3)),
        message("m-4", AgentMessage.RESPONSE, "ada", "coo", "four")));

    assertEquals(List.of(2L, 3L, 4L), seqs(stored));
    assertEquals(List.of("m-2", "m-3", "m-4"), stored.stream().map(AgentMessage::id).toList());
    assertEquals(stored, store.last(3), "what appendAll returned is what is read back");
    assertEquals(List.of(), store.bus.appendAll(List.of()));
  }

  @Test
  void appendAllIsAllOrNothingAndARefusedListTakesNoSeq() {
    var store = open();
    store.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "first"));

    // an id already on the bus, an id twice in the list, an invalid message: each fails the whole list
    assertThrows(OtterbotException.class, () -> store.bus.appendAll(List.of(
        message("m-2", AgentMessage.BROADCAST, "coo", null, "x"), message("m-1", AgentMessage.BROADCAST, "coo", null,
            "taken"))));
    var twice = assertThrows(OtterbotException.class, () -> store.bus.appendAll(List.of(
        message("m-2", AgentMessage.BROADCAST, "coo", null, "x"), message("m-2", AgentMessage.BROADCAST, "coo", null,
            "again"))));
    assertInvalid(() -> store.bus.appendAll(List.of(
        message("m-2", AgentMessage.BROADCAST, "coo", null, "x"), message("m-3", AgentMessage.BROADCAST, "coo", null,
            null))));
    AgentMessage next = store.append(message("m-2", AgentMessage.REQUEST, "coo", "ada", "second"));

    assertEquals(OtterbotException.Kind.CONFLICT, twice.kind());
    assertEquals(2, next.seq(), "no seq was taken by the refused lists");
    assertEquals(List.of("first", "second"), store.last(10).stream().map(AgentMessage::body).toList());
  }

  @Test
  void invalidBusMessagesAreRejectedAsInvalidAndStoreNothing() {
    var store = open();
    assertInvalid(() -> store.append(message("m", null, "coo", "ada", "x")));
    assertInvalid(() -> store.append(message("m", "request", " ", "ada", "x")));
    assertInvalid(() -> store.append(message("m", "request", "coo", "a".repeat(65), "x")));
    assertInvalid(() -> store.append(message("m", "request", "coo", "ada", null)));
    assertInvalid(() -> store.append(message("m".repeat(65), "request", "coo", "ada", "x")));
    assertInvalid(() -> store.append(new AgentMessage("m", 0, "request", "coo", "ada", null, null, null, "x", null,
        null, "local", T0)));
    assertInvalid(() -> store.append(message("m", "request", "coo", "ada", "x").withPayload(new Object())));
    assertEquals(List.of(), store.last(10));
  }

  /**
   * 1,000 messages from 8 concurrent publishers: every one is stored once, seqs are exactly 1..1000 (strictly
   * increasing, no gaps), each publisher's messages keep its order, and a reader running alongside never sees a gap
   * in what it reads.
   */
  @Test
  void concurrentAppendsGetGaplessStrictlyIncreasingSeqsInCommitOrder() throws Exception {
    var store = open();
    int threads = 8;
    int perThread = 125;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    var returned = ConcurrentHashMap.<Long>newKeySet();
    var start = new CountDownLatch(1);
    var writing = new AtomicBoolean(true);
    var reads = new AtomicInteger();
    try {
      Future<?> reader = pool.submit(() -> {
        start.await();
        // At least a few reads even when the writers are done before this thread gets going.
        while (writing.get() || reads.get() < 3) {
          List<Long> seen = seqs(store.last(50));
          for (int i = 1; i < seen.size(); i++) {
            assertEquals(seen.get(i - 1) + 1, seen.get(i), "a reader saw a gap: " + seen);
          }
          reads.incrementAndGet();
        }
        return null;
      });
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String writer = "w" + t;
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            AgentMessage m = store.append(message(writer + "-" + i, AgentMessage.REQUEST, writer, "coo", "b"));
            assertTrue(returned.add(m.seq()), "seq " + m.seq() + " handed out twice");
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : writers) {
        f.get(); // rethrows a failed append
      }
      writing.set(false);
      reader.get();
    } finally {
      pool.shutdownNow();
    }

    List<AgentMessage> all = store.last(threads * perThread);
    assertEquals(java.util.stream.LongStream.rangeClosed(1, threads * perThread).boxed().toList(), seqs(all));
    for (int t = 0; t < threads; t++) {
      String writer = "w" + t;
      assertEquals(java.util.stream.IntStream.range(0, perThread).mapToObj(i -> writer + "-" + i).toList(),
          all.stream().map(AgentMessage::id).filter(id -> id.startsWith(writer + "-")).toList());
    }
  }

  // ---------------------------------------------------------------------------------------------- scheduled tasks

  @Test
  void scheduledTasksRoundTripInCreationOrderAndAnUpdateKeepsItsPlace() {
    var schedules = open().schedules();
    var b = new ScheduledTask("task-b", "ada", "0 9 * * *", "Morning report 🦦", true, null, T0.plusSeconds(60));
    var a = new ScheduledTask("task-a", "bob", "*/5 * * * * *", "x".repeat(20_000), true, T0, T0.plusSeconds(5));
    var c = new ScheduledTask("task-c", "ada", "0 0 1 * *", "", false, null, null);
    schedules.save(b);
    schedules.save(a);
    schedules.save(c);

    assertEquals(List.of(b, a, c), schedules.all(), "creation order, not id order");
    assertEquals(Optional.of(a), schedules.get("task-a"));
    assertEquals(Optional.empty(), schedules.get("never"));
    assertEquals(Optional.empty(), schedules.get("x".repeat(65)));

    var ran = new ScheduledTask("task-b", "ada", "0 9 * * *", "Morning report 🦦", true, T0.plusSeconds(60),
        T0.plusSeconds(86_460));
    schedules.save(ran);
    var cancelled = new ScheduledTask("task-a", "bob", "*/5 * * * * *", a.prompt(), false, T0, null);
    schedules.save(cancelled);

    assertEquals(List.of(ran, cancelled, c), schedules.all());
    assertEquals(3, count("scheduled_tasks"), "updated in place");
  }

  @Test
  void invalidScheduledTasksAreRejected() {
    var schedules = open().schedules();
    assertInvalid(() -> schedules.save(new ScheduledTask(" ", "ada", "0 9 * * *", "p", true, null, null)));
    assertInvalid(() -> schedules.save(new ScheduledTask("t", null, "0 9 * * *", "p", true, null, null)));
    assertInvalid(() -> schedules.save(new ScheduledTask("t", "ada", "", "p", true, null, null)));
    assertInvalid(() -> schedules.save(new ScheduledTask("t", "ada", "0 9 * * *", null, true, null, null)));
    assertEquals(List.of(), schedules.all());
  }

  // ------------------------------------------------------------------------------------------------ subagent tasks

  @Test
  void subagentTasksComeNewestFirstAndAnUpdateReplacesTheRecord() {
    var tasks = open().subagentTasks();
    var older = new SubagentTask("t-old", "t-old", null, "coo", "coo__sub__1", "Find the otters", SubagentTask.RUNNING,
        null, T0, null);
    var newer = new SubagentTask("t-new", "t-old", "t-old", "coo", "coo__sub__2", "Goal 🦦\n" + "g".repeat(20_000),
        SubagentTask.QUEUED, null, T0.plusMillis(1), null);
    // Created in the same microsecond as t-new but saved after it: it is the newer one.
    var twin = new SubagentTask("a-twin", "a-twin", null, "ada", "ada__sub__1", "Twin", SubagentTask.RUNNING, null,
        T0.plusMillis(1), null);
    tasks.save(older);
    tasks.save(newer);
    tasks.save(twin);

    assertEquals(List.of(twin, newer, older), tasks.all());

    var done = new SubagentTask("t-old", "t-old", null, "coo", "coo__sub__1", "Find the otters", SubagentTask.DONE,
        "Found 3 otters.", T0, T0.plusSeconds(30));
    tasks.save(done);

    assertEquals(List.of(twin, newer, done), tasks.all());
    assertEquals(3, count("subagent_tasks"));
  }

  @Test
  void invalidSubagentTasksAreRejected() {
    var tasks = open().subagentTasks();
    assertInvalid(() -> tasks.save(new SubagentTask(null, "r", null, "coo", "s", "g", "running", null, T0, null)));
    assertInvalid(() -> tasks.save(new SubagentTask("t", "r", null, "coo", "s", null, "running", null, T0, null)));
    assertInvalid(() -> tasks.save(new SubagentTask("t", "r", null, "coo", "s", "g", "", null, T0, null)));
    assertInvalid(() -> tasks.save(new SubagentTask("t", "r", null, "", "s", "g", "running", null, T0, null)));
    assertEquals(List.of(), tasks.all());
  }

  // ---------------------------------------------------------------------------------------------- the database

  @Test
  void everythingSurvivesReopeningAndTheBusCarriesOnCounting() {
    var first = open();
    AgentMessage m1 = first.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "before"));
    var task = new ScheduledTask("task-1", "ada", "0 9 * * *", "p", true, null, T0);
    first.schedules().save(task);
    var sub = new SubagentTask("t-1", "t-1", null, "coo", "coo__sub__1", "g", SubagentTask.DONE, "r", T0, T0);
    first.subagentTasks().save(sub);
    first.close();

    var second = open();
    AgentMessage m2 = second.append(message("m-2", AgentMessage.RESPONSE, "ada", "coo", "after"));

    assertEquals(List.of(m1, m2), second.last(10));
    assertEquals(2, m2.seq());
    assertEquals(List.of(task), second.schedules().all());
    assertEquals(List.of(sub), second.subagentTasks().all());
    var later = new ScheduledTask("task-2", "ada", "0 10 * * *", "q", true, null, null);
    second.schedules().save(later);
    assertEquals(List.of(task, later), second.schedules().all());
  }

  /** A database written by the previous version has none of the new tables; starting adds them, quietly. */
  @Test
  void aDatabaseOfThePreviousVersionGetsTheNewTables() throws Exception {
    var old = open();
    old.save(Fixtures.full("ada"));
    old.append("ada", ConversationAndSecretContract.message("conv-1", "m1", "user", "hello", T0));
    try (Connection c = jdbc(); Statement s = c.createStatement()) {
      for (String name : List.of("bus_messages", "scheduled_tasks", "subagent_tasks")) {
        s.execute("DROP TABLE " + table(name));
      }
    }
    old.close();

    String log = Fixtures.stderrOf(() -> {
      var upgraded = open();
      assertEquals(List.of(), upgraded.last(10));
      assertEquals(1, upgraded.append(message("m-1", AgentMessage.REQUEST, "coo", "ada", "x")).seq());
      upgraded.schedules().save(new ScheduledTask("task-1", "ada", "0 9 * * *", "p", true, null, null));
      upgraded.subagentTasks().save(new SubagentTask("t", "t", null, "ada", "s", "g", "running", null, T0, null));
      assertEquals(1, upgraded.schedules().all().size());
      assertEquals(1, upgraded.subagentTasks().all().size());
      assertEquals(List.of("hello"),
          upgraded.messages("conv-1").stream().map(otterbot.api.persistence.StoredMessage::content).toList());
    });
    assertFalse(log.contains("WARN"), log);
    assertFalse(log.contains("ERROR"), log);
  }

  @Test
  void theKeysAndIndexesServeTheReads() throws SQLException {
    open().close();
    try (Connection c = jdbc()) {
      DatabaseMetaData meta = c.getMetaData();
      assertEquals(List.of("seq"), primaryKey(meta, "bus_messages"));
      assertEquals(List.of("id"), primaryKey(meta, "scheduled_tasks"));
      assertEquals(List.of("id"), primaryKey(meta, "subagent_tasks"));
      assertTrue(indexed(meta, "bus_messages", "id", true), "bus message ids are unique");
      assertTrue(indexed(meta, "scheduled_tasks", "agent_id", false), "scheduled tasks are indexed by agent");
    }
  }

  private boolean indexed(DatabaseMetaData meta, String table, String column, boolean unique) throws SQLException {
    try (ResultSet rs = meta.getIndexInfo(null, schemaName(meta), ConversationAndSecretContract.identifier(meta, table),
        unique, false)) {
      while (rs.next()) {
        if (column.equalsIgnoreCase(rs.getString("COLUMN_NAME")) && rs.getInt("ORDINAL_POSITION") == 1) {
          return true;
        }
      }
    }
    return false;
  }

  private List<String> primaryKey(DatabaseMetaData meta, String table) throws SQLException {
    var columns = new TreeMap<Integer, String>();
    try (ResultSet rs = meta.getPrimaryKeys(null, schemaName(meta),
        ConversationAndSecretContract.identifier(meta, table))) {
      while (rs.next()) {
        columns.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
      }
    }
    return List.copyOf(columns.values());
  }

  private int count(String name) {
    String sql = "SELECT COUNT(*) FROM " + table(name);
    try (Connection c = jdbc(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new AssertionError(sql, e);
    }
  }

  private static List<Long> seqs(List<AgentMessage> messages) {
    return messages.stream().map(AgentMessage::seq).toList();
  }

  private static OtterbotException assertInvalid(org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(OtterbotException.class, call);
    assertEquals(OtterbotException.Kind.INVALID, e.kind(), e.getMessage());
    return e;
  }
}
