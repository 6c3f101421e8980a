package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One memory of one agent. The index on (agent_id, updated_at) is created by {@link JpaDatabase}, for the reason given
 * on {@link ConversationEntity}.
 */
@Entity(name = "MemoryEntity")
@Table(name = "memories")
class MemoryEntity {
  static final int ID_LENGTH = 64;
  static final int CATEGORY_LENGTH = 32;
  static final int SOURCE_LENGTH = 32;
  static final int TEMPORAL_MARKER_LENGTH = 32;
  static final int EMBEDDING_MODEL_LENGTH = 300;
  /** 8,192 dimensions, twice the widest embedding model in common use; 32 KB of float32. */
  static final int MAX_DIMENSIONS = 8192;

  @Id
  @Column(name = "id", length = ID_LENGTH)
  private String id;

  @Column(name = "agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  @Column(name = "category", nullable = false, length = CATEGORY_LENGTH)
  private String category;

  /**
   * At most {@code MemoryEntry.MAX_CONTENT_LENGTH} characters, checked by the store. {@code @Lob} as for
   * {@link MessageEntity#content}: TEXT on PostgreSQL, H2's in-row VARCHAR(1000000000) on H2, so the limit is ours
   * alone and counts characters on both.
   */
  @Lob
  @Column(name = "content", nullable = false)
  private String content;

  @Column(name = "source", nullable = false, length = SOURCE_LENGTH)
  private String source;

  @Column(name = "importance", nullable = false)
  private int importance;

  @Column(name = "access_count", nullable = false)
  private int accessCount;

  /** UTC, like every timestamp of this bundle. */
  @Column(name = "last_accessed_at")
  private LocalDateTime lastAccessedAt;

  /** A JSON array of strings. */
  @Lob
  @Column(name = "entity_refs", nullable = false)
  private String entityRefs;

  @Column(name = "temporal_marker", length = TEMPORAL_MARKER_LENGTH)
  private String temporalMarker;

  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  private LocalDateTime updatedAt;

  @Column(name = "superseded_by", length = ID_LENGTH)
  private String supersededBy;

  @Column(name = "embedding_model", length = EMBEDDING_MODEL_LENGTH)
  private String embeddingModel;

  /**
   * Little-endian float32, 4 bytes per dimension, at most {@link #MAX_DIMENSIONS} (checked by the store). With
   * {@code @Lob} EclipseLink makes it BYTEA on PostgreSQL and VARBINARY(1000000000) on H2, both stored in the row:
   * reading a page of memories needs no separate LOB lookup per row.
   */
  @Lob
  @Column(name = "embedding")
  private byte[] embedding;

  protected MemoryEntity() {
    // for EclipseLink
  }

  MemoryEntity(String id, String agentId) {
    this.id = id;
    this.agentId = agentId;
  }

  void update(String category, String content, String source, int importance, int accessCount,
      LocalDateTime lastAccessedAt, String entityRefs, String temporalMarker, LocalDateTime createdAt,
      LocalDateTime updatedAt, String supersededBy, String embeddingModel, byte[] embedding) {
    this.category = category;
    this.content = content;
    this.source = source;
    this.importance = importance;
    this.accessCount = accessCount;
    this.lastAccessedAt = lastAccessedAt;
    this.entityRefs = entityRefs;
    this.temporalMarker = temporalMarker;
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
    this.supersededBy = supersededBy;
    this.embeddingModel = embeddingModel;
    this.embedding = embedding;
  }

  String id() {
    return id;
  }

  String agentId() {
    return agentId;
  }

  String category() {
    return category;
  }

  String content() {
    return content;
  }

  String source() {
    return source;
  }

  int importance() {
    return importance;
  }

  int accessCount() {
    return accessCount;
  }

  LocalDateTime lastAccessedAt() {
    return lastAccessedAt;
  }

  String entityRefs() {
    return entityRefs;
  }

  String temporalMarker() {
    return temporalMarker;
  }

  LocalDateTime createdAt() {
    return createdAt;
  }

  LocalDateTime updatedAt() {
    return updatedAt;
  }

  String supersededBy() {
    return supersededBy;
  }

  String embeddingModel() {
    return embeddingModel;
  }

  byte[] embedding() {
    return embedding;
  }
}
