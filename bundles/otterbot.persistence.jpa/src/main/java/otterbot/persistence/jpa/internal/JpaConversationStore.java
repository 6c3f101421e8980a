package otterbot.persistence.jpa.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.persistence.LockModeType;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

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
   * Held around appends in this JVM, one stripe per conversation: an append reads max(seq) and inserts max + 1, so two
   * appends to one conversation must not interleave, and two first appends to a new conversation must not both insert
   * its row. Appends to different conversations (different chats) proceed side by side: one lock for all of them made
   * every chat on the server wait for every other chat's commit. A deletion takes every stripe. Between processes
   * the database's row locks order appends to an existing conversation (its row is updated first).
   */
  private final ReentrantLock[] stripes = new ReentrantLock[64];

  @Activate
  public JpaConversationStore(@Reference Transactions db) {
    this.db = db;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  private ReentrantLock stripe(String conversationId) {
    return stripes[Math.floorMod(conversationId.hashCode(), stripes.length)];
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
    ReentrantLock lock = stripe(conversation);
    lock.lock();
    try {
      db.write("append to conversation '" + conversation + "'", List.of(), em -> {
        // Update first: on an existing conversation this takes its row lock before max(seq) is read.
        int bumped = em.createQuery("UPDATE ConversationEntity c SET c.updatedAt = :now"
                + " WHERE c.id = :id AND c.agentId = :agent")
            .setParameter("now", now)
            .setParameter("id", conversation)
            .setParameter("agent", agent)
            .executeUpdate();
        if (bumped == 0) {
          if (em.find(ConversationEntity.class, conversation) != null) {
            // Appending would hand one agent's history to another.
            throw OtterbotException.conflict("conversation '" + conversation + "' belongs to another agent");
          }
          em.persist(new ConversationEntity(conversation, agent, now));
        }
        Long last = em.createQuery("SELECT MAX(m.key.seq) FROM MessageEntity m WHERE m.key.conversationId = :id", Long.class)
            .setParameter("id", conversation)
            .getSingleResult();
        em.persist(new MessageEntity(conversation, last == null ? 1 : last + 1, id, role, message.content(),
            createdAt));
        return null;
      });
    } finally {
      lock.unlock();
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
    for (ReentrantLock lock : stripes) {
      lock.lock(); // always in index order, so two deletions cannot deadlock
    }
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
      for (int i = stripes.length - 1; i >= 0; i--) {
        stripes[i].unlock();
      }
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
