package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One conversation: who owns it and when it last changed. Its messages are {@link MessageEntity} rows. The index on
 * {@code agent_id} is created by {@link JpaDatabase}, not declared here: EclipseLink 4.0.9 writes an {@code @Index}
 * without the configured schema, which fails (quietly) whenever a schema is set. Rows are written by
 * {@link JpaConversationStore} in plain SQL (its appends), so a column renamed here must be renamed there too.
 */
@Entity(name = "ConversationEntity")
@Table(name = "conversations")
class ConversationEntity {
  static final int ID_LENGTH = 200;

  @Id
  @Column(name = "id", length = ID_LENGTH)
  private String id;

  @Column(name = "agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  /** Upstream's column; nothing in the API sets it yet, so it stays null. */
  @Column(name = "title", length = 500)
  private String title;

  /** UTC, like every timestamp column here. */
  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  private LocalDateTime updatedAt;

  protected ConversationEntity() {
    // for EclipseLink
  }

  String agentId() {
    return agentId;
  }
}
