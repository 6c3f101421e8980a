package otterbot.persistence.jpa.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import org.eclipse.persistence.config.HintValues;
import org.eclipse.persistence.config.QueryHints;

import otterbot.api.OtterbotException;
import otterbot.api.persistence.ConversationStore;
import otterbot.api.persistence.StoredMessage;

/** The {@code conversations} and {@code messages} tables: each conversation's messages in append order. */
@Component(service = ConversationStore.class)
public final class JpaConversationStore implements ConversationStore {
  /** As in {@code agents.id}. */
  static final int MAX_AGENT_ID_LENGTH = 64;
  static final int MAX_MESSAGE_ID_LENGTH = 64;
  /** {@code user}, {@code assistant}, {@code system}, {@code tool}, with room to spare. */
  static final int MAX_ROLE_LENGTH = 32;

  private final Transactions db;

  /**
   * Appends waiting for their commit (a group commit, issue 12). H2 writes a chunk of the store for every commit, which
   * was most of a chat turn's CPU with 50 chats at once; the appends that queue up while one commit runs now share the
   * next one. Whoever holds {@link #writer} commits everything queued (in queue order, so a conversation's messages
   * keep the order of their appends) in one transaction; each caller returns only once its own append is committed,
   * or fails with its own error. With no other append waiting, an append commits alone at once, as before.
   */
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  /**
   * Held while a batch is committed and by a deletion: appends in this JVM never interleave, and an append reads
   * max(seq) and inserts max + 1 without another append in between. Between processes the database's row locks order
   * appends to an existing conversation (its row is updated first).
   */
  private final ReentrantLock writer = new ReentrantLock();
  /** At most this many appends share a transaction. */
  static final int MAX_BATCH = 64;

  /** One append; {@code done} and {@code failure} are written and read under {@link #writer}. */
  private static final class Pending {
    final String agent;
    final String conversation;
    final String id;
    final String role;
    final String content;
    final LocalDateTime createdAt;
    final LocalDateTime now;
    boolean done;
    RuntimeException failure;

    Pending(String agent, String conversation, String id, String role, String content, LocalDateTime createdAt,
        LocalDateTime now) {
      this.agent = agent;
      this.conversation = conversation;
      this.id = id;
      this.role = role;
      this.content = content;
      this.createdAt = createdAt;
      this.now = now;
    }
  }

  @Activate
  public JpaConversationStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public Optional<String> owner(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    if (!fits(conversationId, ConversationEntity.ID_LENGTH)) {
      return Optional.empty(); // could never have been stored
    }
    return db.read("read conversation '" + conversationId + "'", em -> Optional
        .ofNullable(em.find(ConversationEntity.class, conversationId))
        .map(ConversationEntity::agentId));
  }

  @Override
  public void append(String agentId, StoredMessage message) {
    Objects.requireNonNull(message, "message");
    String agent = Validation.validKey("agent id", agentId, MAX_AGENT_ID_LENGTH);
    String conversation = Validation.validKey("conversation id", message.conversationId(), ConversationEntity.ID_LENGTH);
    String id = Validation.validKey("message id", message.id(), MAX_MESSAGE_ID_LENGTH);
    String role = Validation.validKey("role of message '" + id + "'", message.role(), MAX_ROLE_LENGTH);
    if (message.content() == null) {
      throw OtterbotException.invalid("message '" + id + "' has no content");
    }
    LocalDateTime now = utc(Instant.now());
    // A message the caller did not date is dated by its arrival.
    LocalDateTime createdAt = message.createdAt() == null ? now : utc(message.createdAt());
    Pending pending = new Pending(agent, conversation, id, role, message.content(), createdAt, now);
    queue.add(pending);
    writer.lock();
    try {
      // Queue order: this append is in one of the batches taken here, unless an earlier holder committed it already.
      while (!pending.done) {
        commit(takeBatch());
      }
    } finally {
      writer.unlock();
    }
    if (pending.failure != null) {
      throw pending.failure;
    }
  }

  private List<Pending> takeBatch() {
    var batch = new ArrayList<Pending>();
    for (Pending next; batch.size() < MAX_BATCH && (next = queue.poll()) != null; ) {
      batch.add(next);
    }
    return batch;
  }

  /**
   * One transaction for the batch. An append refused for its own reason (the conversation is another agent's) is left
   * out and fails alone; should the transaction fail, every append of the batch fails with that error, as each would
   * have alone (nothing of it was committed, or the commit's outcome is unknown and a retry could store twice).
   */
  private void commit(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    String what = batch.size() == 1 ? "append to conversation '" + batch.get(0).conversation + "'"
        : "append " + batch.size() + " messages to conversations";
    try {
      db.write(what, List.of(), em -> {
        try (var statements = new Statements(em.unwrap(Connection.class))) {
          for (Pending p : batch) {
            p.failure = null;
            statements.insert(p);
          }
        } catch (SQLException e) {
          throw new PersistenceException(e);
        }
        return null;
      });
    } catch (RuntimeException | Error e) {
      // An Error (out of memory, a class gone with a refreshed bundle) fails the others of the batch too; it goes on
      // up the committing caller's stack.
      RuntimeException failure = e instanceof RuntimeException r ? r
          : new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot " + what + ": " + e, e);
      for (Pending p : batch) {
        p.failure = failure;
      }
      if (e instanceof Error error) {
        throw error;
      }
    } finally {
      for (Pending p : batch) {
        p.done = true;
      }
    }
  }

  /**
   * The batch's statements, each prepared on its first use and reused for the rest of the batch, on the transaction's
   * JDBC connection. Plain JDBC rather than JPQL and persisted entities (issue 12): an append is three statements (five
   * for a new conversation), and EclipseLink's unit of work, its flush before each query and its change sets for them
   * were over a quarter of an append's CPU, 5.5 % of the server's in the 50-chat benchmark (1.2 % now). Part of that
   * is given back: appends that take less time leave fewer others waiting to share their commit, and H2's chunk writes
   * rose from 6.0 to 8.6 %. EclipseLink caches nothing shared here, so nothing else has to learn of these rows.
   */
  private final class Statements implements AutoCloseable {
    private final Connection connection;
    private PreparedStatement bump;
    private PreparedStatement owner;
    private PreparedStatement create;
    private PreparedStatement last;
    private PreparedStatement add;

    Statements(Connection connection) {
      this.connection = connection;
    }

    void insert(Pending p) throws SQLException {
      // Update first: on an existing conversation this takes its row lock before max(seq) is read, so appends from
      // other processes wait. An earlier append of the same batch is seen: it was executed on this connection.
      bump = prepare(bump, "UPDATE %s SET updated_at = ? WHERE id = ? AND agent_id = ?", "conversations");
      if (bind(bump, p.now, p.conversation, p.agent).executeUpdate() == 0) {
        owner = prepare(owner, "SELECT agent_id FROM %s WHERE id = ?", "conversations");
        try (ResultSet row = bind(owner, p.conversation).executeQuery()) {
          if (row.next()) {
            // Appending would hand one agent's history to another.
            p.failure = OtterbotException.conflict("conversation '" + p.conversation + "' belongs to another agent");
            return;
          }
        }
        create = prepare(create, "INSERT INTO %s (id, agent_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
            "conversations");
        bind(create, p.conversation, p.agent, p.now, p.now).executeUpdate();
      }
      last = prepare(last, "SELECT MAX(seq) FROM %s WHERE conversation_id = ?", "messages");
      long seq;
      try (ResultSet row = bind(last, p.conversation).executeQuery()) {
        row.next();
        seq = row.getLong(1) + 1; // getLong gives 0 for SQL NULL: a conversation without messages
      }
      add = prepare(add, "INSERT INTO %s (conversation_id, seq, id, role, content, created_at)"
          + " VALUES (?, ?, ?, ?, ?, ?)", "messages");
      bind(add, p.conversation, seq, p.id, p.role, p.content, p.createdAt).executeUpdate();
    }

    /** {@code prepared}, or the statement {@code sql} prepared for {@code table} (with its schema) when null. */
    private PreparedStatement prepare(PreparedStatement prepared, String sql, String table) throws SQLException {
      return prepared != null ? prepared : connection.prepareStatement(sql.formatted(db.qualified(table)));
    }

    private static PreparedStatement bind(PreparedStatement statement, Object... values) throws SQLException {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      return statement;
    }

    @Override
    public void close() throws SQLException {
      SQLException first = null;
      for (PreparedStatement statement : new PreparedStatement[] {bump, owner, create, last, add}) {
        if (statement != null) {
          try {
            statement.close();
          } catch (SQLException e) {
            first = first == null ? e : first;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  @Override
  public List<StoredMessage> messages(String conversationId) {
    Objects.requireNonNull(conversationId, "conversationId");
    if (!fits(conversationId, ConversationEntity.ID_LENGTH)) {
      return List.of();
    }
    List<MessageEntity> rows = db.read("read conversation '" + conversationId + "'", em -> em
        .createQuery("SELECT m FROM MessageEntity m WHERE m.key.conversationId = :id ORDER BY m.key.seq", MessageEntity.class)
        // Read-only: the rows become records at once, so EclipseLink need not build each one's change-tracking copy
        // (issue 12: as for the bus history, see JpaBusStore.last).
        .setHint(QueryHints.READ_ONLY, HintValues.TRUE)
        .setParameter("id", conversationId)
        .getResultList());
    List<StoredMessage> messages = new ArrayList<>(rows.size());
    for (MessageEntity row : rows) {
      messages.add(new StoredMessage(row.id(), row.conversationId(), row.role(), row.content(),
          row.createdAt().toInstant(ZoneOffset.UTC)));
    }
    return List.copyOf(messages);
  }

  @Override
  public int deleteAll(String agentId) {
    Objects.requireNonNull(agentId, "agentId");
    if (!fits(agentId, MAX_AGENT_ID_LENGTH)) {
      return 0;
    }
    writer.lock();
    try {
      return db.write("delete the conversations of agent '" + agentId + "'", List.of(), em -> {
        // Locks the rows first, so that an append in another process either commits before (and its message is
        // deleted here) or waits and then starts a new conversation; it never leaves a message without one.
        em.createQuery("SELECT c FROM ConversationEntity c WHERE c.agentId = :agent", ConversationEntity.class)
            .setParameter("agent", agentId)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
        em.createQuery("DELETE FROM MessageEntity m WHERE m.key.conversationId IN"
                + " (SELECT c.id FROM ConversationEntity c WHERE c.agentId = :agent)")
            .setParameter("agent", agentId)
            .executeUpdate();
        return em.createQuery("DELETE FROM ConversationEntity c WHERE c.agentId = :agent")
            .setParameter("agent", agentId)
            .executeUpdate();
      });
    } finally {
      writer.unlock();
    }
  }

  /**
   * UTC, cut to microseconds: the precision of TIMESTAMP on both H2 and PostgreSQL, so that what is read back equals
   * what was stored on either (PostgreSQL would round where H2 truncates).
   */
  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static boolean fits(String key, int maxLength) {
    return !key.isEmpty() && key.length() <= maxLength;
  }
}
