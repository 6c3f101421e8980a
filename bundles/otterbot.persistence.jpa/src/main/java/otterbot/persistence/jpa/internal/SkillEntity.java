package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One stored skill of one agent. The frontmatter and the scanner's findings are JSON documents (upstream spread the
 * meta over six columns, four of them JSON anyway; one document keeps the agentskills.io keys without a column each).
 * The index on {@code agent_id} is created by {@link JpaDatabase}, for the reason given on {@link ConversationEntity}.
 */
@Entity(name = "SkillEntity")
@Table(name = "skills")
class SkillEntity {
  static final int ID_LENGTH = 64;
  static final int SOURCE_LENGTH = 32;
  static final int SCAN_STATUS_LENGTH = 32;

  @Id
  @Column(name = "id", length = ID_LENGTH)
  private String id;

  /** Creation order: max + 1 when the row is inserted, never changed by an update (as in {@code scheduled_tasks}). */
  @Column(name = "position", nullable = false)
  private long position;

  @Column(name = "agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  /** The frontmatter as JSON, at most {@link JpaSkillStore#MAX_META_LENGTH} characters (checked by the store). */
  @Lob
  @Column(name = "meta_json", nullable = false)
  private String metaJson;

  /** {@code @Lob} as for {@link MessageEntity#content}; at most {@link JpaSkillStore#MAX_BODY_LENGTH} characters. */
  @Lob
  @Column(name = "body", nullable = false)
  private String body;

  @Column(name = "source", nullable = false, length = SOURCE_LENGTH)
  private String source;

  @Column(name = "scan_status", nullable = false, length = SCAN_STATUS_LENGTH)
  private String scanStatus;

  /** A JSON array of findings. */
  @Lob
  @Column(name = "scan_findings", nullable = false)
  private String scanFindings;

  @Column(name = "use_count", nullable = false)
  private int useCount;

  /** UTC, like every timestamp of this bundle. */
  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  @Column(name = "updated_at", nullable = false)
  private LocalDateTime updatedAt;

  protected SkillEntity() {
    // for EclipseLink
  }

  SkillEntity(String id, String agentId, long position, int useCount, LocalDateTime createdAt) {
    this.id = id;
    this.agentId = agentId;
    this.position = position;
    this.useCount = useCount;
    this.createdAt = createdAt;
  }

  /** What an update replaces; the agent, the position, the use count and the creation time stay. */
  void update(String metaJson, String body, String source, String scanStatus, String scanFindings,
      LocalDateTime updatedAt) {
    this.metaJson = metaJson;
    this.body = body;
    this.source = source;
    this.scanStatus = scanStatus;
    this.scanFindings = scanFindings;
    this.updatedAt = updatedAt;
  }

  String id() {
    return id;
  }

  String agentId() {
    return agentId;
  }

  String metaJson() {
    return metaJson;
  }

  String body() {
    return body;
  }

  String source() {
    return source;
  }

  String scanStatus() {
    return scanStatus;
  }

  String scanFindings() {
    return scanFindings;
  }

  int useCount() {
    return useCount;
  }

  LocalDateTime createdAt() {
    return createdAt;
  }

  LocalDateTime updatedAt() {
    return updatedAt;
  }
}
