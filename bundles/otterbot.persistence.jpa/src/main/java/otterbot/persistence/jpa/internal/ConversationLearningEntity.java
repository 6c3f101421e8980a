package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * What was learned from one conversation. The index on {@code agent_id} is created by {@link JpaDatabase}, for the
 * reason given on {@link ConversationEntity}.
 */
@Entity(name = "ConversationLearningEntity")
@Table(name = "conversation_learning")
class ConversationLearningEntity {
  @Id
  @Column(name = "conversation_id", length = ConversationEntity.ID_LENGTH)
  private String conversationId;

  @Column(name = "agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  @Column(name = "learned_messages", nullable = false)
  private int learnedMessages;

  @Lob
  @Column(name = "summary", nullable = false)
  private String summary;

  /** A JSON array of strings. */
  @Lob
  @Column(name = "key_points", nullable = false)
  private String keyPoints;

  @Column(name = "updated_at", nullable = false)
  private LocalDateTime updatedAt;

  protected ConversationLearningEntity() {
    // for EclipseLink
  }

  ConversationLearningEntity(String conversationId, String agentId) {
    this.conversationId = conversationId;
    this.agentId = agentId;
  }

  void update(int learnedMessages, String summary, String keyPoints, LocalDateTime updatedAt) {
    this.learnedMessages = learnedMessages;
    this.summary = summary;
    this.keyPoints = keyPoints;
    this.updatedAt = updatedAt;
  }

  String conversationId() {
    return conversationId;
  }

  String agentId() {
    return agentId;
  }

  int learnedMessages() {
    return learnedMessages;
  }

  String summary() {
    return summary;
  }

  String keyPoints() {
    return keyPoints;
  }

  LocalDateTime updatedAt() {
    return updatedAt;
  }
}
