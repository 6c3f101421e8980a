package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.eclipse.persistence.config.HintValues;
import org.eclipse.persistence.config.QueryHints;

import otterbot.api.OtterbotException;
import otterbot.api.orchestration.AgentMessage;
import otterbot.api.persistence.BusStore;

/**
 * The {@code bus_messages} table: the agents' message history in one gapless sequence.
 *
 * <p>{@code seq} is max + 1 (max + 1 .. max + n for a batch), read and inserted while no other append of this JVM runs,
 * and the lock is held until the commit: so numbers are handed out in commit order, and a reader never sees seq n+1 without n (a rolled-back append
 * took no number). On PostgreSQL the transaction also locks the table against other appenders (plain reads are not
 * blocked), so several servers on one database keep the same order instead of one of them failing on the key. An
 * embedded H2 file is open in one process only, so the JVM lock suffices there.
 *
 * <p>The payload, any JSON value, is stored as JSON text and read back as plain Java values: {@code Map} (insertion
 * ordered), {@code List}, {@code String}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double},
 * {@code Boolean}. Not Jackson's {@code JsonNode}: the API types it {@code Object}, and consumers should not need
 * Jackson to read it. A JSON {@code null} payload is stored as no payload, which is what the API's JSON shows anyway.
 */
@Component(service = BusStore.class)
public final class JpaBusStore implements BusStore {
  private static final Logger LOG = LoggerFactory.getLogger(JpaBusStore.class);

  private final Transactions db;
  /** {@code LOCK TABLE ...} for PostgreSQL, else null. */
  private final String tableLock;
  private final ObjectMapper mapper = JsonMapper.builder().build();
  private final ReentrantLock appends = new ReentrantLock();

  @Activate
  public JpaBusStore(@Reference Transactions db) {
    this.db = db;
    this.tableLock = db.kind() == Database.Kind.POSTGRESQL
        // SHARE ROW EXCLUSIVE conflicts with itself and with writes, not with plain reads: the history stays readable.
        ? "LOCK TABLE " + db.qualified("bus_messages") + " IN SHARE ROW EXCLUSIVE MODE" : null;
  }

  @Override
  public AgentMessage append(AgentMessage message) {
    return appendAll(List.of(Objects.requireNonNull(message, "message"))).get(0);
  }

  /**
   * One transaction for the whole list (the bus's group commit): the table lock, one query for the last seq, the
   * inserts, one commit. Fields are checked before the transaction starts, so an invalid message costs no database
   * work; a taken id is a {@code CONFLICT} for a single message and fails a longer list as a whole (see below).
   */
  @Override
  public List<AgentMessage> appendAll(List<AgentMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    if (messages.isEmpty()) {
      return List.of();
    }
    var rows = new ArrayList<Row>(messages.size());
    var ids = new HashSet<String>();
    for (AgentMessage message : messages) {
      Row row = row(Objects.requireNonNull(message, "message"));
      if (!ids.add(row.id())) {
        throw OtterbotException.conflict("bus message '" + row.id() + "' is twice in one append");
      }
      rows.add(row);
    }
    String what = rows.size() == 1 ? "bus message '" + rows.get(0).id() + "'" : rows.size() + " bus messages";
    appends.lock();
    try {
      long first = db.write("append " + what + " to the bus", List.of(), em -> {
        if (tableLock != null) {
          em.createNativeQuery(tableLock).executeUpdate();
        }
        if (rows.size() == 1) {
          String id = rows.get(0).id();
          long taken = em.createQuery("SELECT COUNT(b) FROM BusMessageEntity b WHERE b.id = :id", Long.class)
              .setParameter("id", id)
              .getSingleResult();
          if (taken > 0) {
            throw OtterbotException.conflict(what + " is already on the bus");
          }
        }
        // A list is not checked id by id: an "id IN (...)" query of varying length is parsed and planned anew every
        // time and cost as much as the inserts and the commit together (JFR, issue 12). The unique index on id still
        // refuses a taken id, failing the whole list; the bus then appends one by one, which names the culprit.
        Long last = em.createQuery("SELECT MAX(b.seq) FROM BusMessageEntity b", Long.class).getSingleResult();
        long next = last == null ? 1 : last + 1;
        for (int i = 0; i < rows.size(); i++) {
          em.persist(rows.get(i).entity(next + i));
        }
        return next;
      });
      var stored = new ArrayList<AgentMessage>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        stored.add(rows.get(i).stored(first + i));
      }
      return List.copyOf(stored);
    } finally {
      appends.unlock();
    }
  }

  /** A message checked and converted, waiting for its seq. */
  private record Row(String id, String kind, String from, String to, String thread, String correlation,
      String rootSpawn, String body, String payloadJson, Object payload, String status, String transport,
      Instant createdAt) {
    BusMessageEntity entity(long seq) {
      return new BusMessageEntity(seq, id, kind, from, to, thread, correlation, rootSpawn, body, payloadJson, status,
          transport, JpaConversationStore.utc(createdAt));
    }

    AgentMessage stored(long seq) {
      return new AgentMessage(id, seq, kind, from, to, thread, correlation, rootSpawn, body, payload, status, transport,
          createdAt);
    }
  }

  private Row row(AgentMessage message) {
    // The bus names every message; one that comes without an id still gets a unique one rather than a failure.
    String id = message.id() == null ? UUID.randomUUID().toString()
        : Validation.validKey("bus message id", message.id(), BusMessageEntity.ID_LENGTH);
    String what = "bus message '" + id + "'";
    String kind = Validation.validKey("kind of " + what, message.kind(), BusMessageEntity.KIND_LENGTH);
    String from = Validation.validKey("sender of " + what, message.from(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String to = Validation.optionalKey("addressee of " + what, message.to(), JpaConversationStore.MAX_AGENT_ID_LENGTH);
    String thread = Validation.validKey("thread of " + what, message.threadId(), BusMessageEntity.THREAD_LENGTH);
    String correlation =
        Validation.optionalKey("correlation id of " + what, message.correlationId(), BusMessageEntity.ID_LENGTH);
    String rootSpawn = Validation.optionalKey("root spawn id of " + what, message.rootSpawnId(), BusMessageEntity.ID_LENGTH);
    String status = Validation.optionalKey("status of " + what, message.status(), BusMessageEntity.STATUS_LENGTH);
    String transport = message.transport() == null ? AgentMessage.LOCAL
        : Validation.validKey("transport of " + what, message.transport(), BusMessageEntity.TRANSPORT_LENGTH);
    if (message.body() == null) {
      throw OtterbotException.invalid(what + " has no body");
    }
    String payload = encode(what, message.payload());
    // Dated by its arrival unless the caller dated it; cut to what the column keeps, so the answer equals a later read.
    Instant createdAt = (message.createdAt() == null ? Instant.now() : message.createdAt())
        .truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    return new Row(id, kind, from, to, thread, correlation, rootSpawn, message.body(), payload,
        payload == null ? null : decode(id, payload), status, transport, createdAt);
  }

  /** The last {@code limit} messages by seq, oldest first; nothing for a limit of 0 or less. */
  @Override
  public List<AgentMessage> last(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    List<BusMessageEntity> rows = db.read("read the bus history", em -> em
        .createQuery("SELECT b FROM BusMessageEntity b ORDER BY b.seq DESC", BusMessageEntity.class)
        // Read-only: the rows become records at once, so EclipseLink need not build each one's change-tracking copy
        // (issue 12: that copy was 70 % of reading 1,000 bus messages).
        .setHint(QueryHints.READ_ONLY, HintValues.TRUE)
        .setMaxResults(limit)
        .getResultList());
    List<AgentMessage> messages = new ArrayList<>(rows.size());
    for (BusMessageEntity row : rows) {
      messages.add(new AgentMessage(row.id(), row.seq(), row.kind(), row.from(), row.to(), row.threadId(),
          row.correlationId(), row.rootSpawnId(), row.body(),
          row.payloadJson() == null ? null : decode(row.id(), row.payloadJson()), row.status(), row.transport(),
          row.createdAt().toInstant(ZoneOffset.UTC)));
    }
    Collections.reverse(messages);
    return List.copyOf(messages);
  }

  private String encode(String what, Object payload) {
    if (payload == null) {
      return null;
    }
    try {
      String json = mapper.writeValueAsString(payload);
      return "null".equals(json) ? null : json;
    } catch (JsonProcessingException e) {
      throw OtterbotException.invalid("the payload of " + what + " cannot be written as JSON: "
          + e.getOriginalMessage());
    }
  }

  /** A damaged payload (edited by hand) must not hide the rest of the history: the message keeps no payload. */
  private Object decode(String id, String json) {
    try {
      return mapper.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      LOG.error("The payload of bus message '{}' cannot be read and is left out: {}", id, e.getOriginalMessage());
      return null;
    }
  }
}
