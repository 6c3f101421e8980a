package otterbot.persistence.jpa.internal;

import java.io.Serializable;
import java.time.LocalDateTime;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One message of a conversation. The key is (conversation, position in it): {@code seq} is max + 1 within the
 * conversation when the row is inserted, so reading by key order gives append order even when two messages carry the
 * same timestamp, and the primary key's index (conversation_id first) serves every read of a conversation. The message
 * id is a plain column: the API never looks a message up by it, and a retried append must not fail on it. Rows are
 * read through this entity and written by {@link JpaConversationStore} in plain SQL (its appends), so a column renamed
 * here must be renamed there too.
 */
@Entity(name = "MessageEntity")
@Table(name = "messages")
class MessageEntity {
  /**
   * An embedded key rather than {@code @IdClass}: inside OSGi EclipseLink reads annotations through the framework's
   * ASM, and its {@code @IdClass} processing then fails with a ClassCastException (asm Type is not a String).
   */
  @EmbeddedId
  private Key key;

  @Column(name = "id", nullable = false, length = JpaConversationStore.MAX_MESSAGE_ID_LENGTH)
  private String id;

  @Column(name = "role", nullable = false, length = JpaConversationStore.MAX_ROLE_LENGTH)
  private String role;

  /**
   * A message (a pasted file, a long answer) has no length limit of ours. EclipseLink maps {@code @Lob String} to TEXT
   * on PostgreSQL and to VARCHAR(1000000000) on H2, H2's largest string, stored in the row like any VARCHAR: cheaper
   * for the usual short message than H2's CLOB, whose values live in separate LOB storage.
   */
  @Lob
  @Column(name = "content", nullable = false)
  private String content;

  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  protected MessageEntity() {
    // for EclipseLink
  }

  String conversationId() {
    return key.conversationId;
  }

  String id() {
    return id;
  }

  String role() {
    return role;
  }

  String content() {
    return content;
  }

  LocalDateTime createdAt() {
    return createdAt;
  }

  /** The composite primary key (conversation, position). */
  @Embeddable
  static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    @Column(name = "conversation_id", length = ConversationEntity.ID_LENGTH)
    private String conversationId;

    @Column(name = "seq")
    private long seq;

    protected Key() {
      // for EclipseLink
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && seq == k.seq && Objects.equals(conversationId, k.conversationId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(conversationId, seq);
    }
  }
}
