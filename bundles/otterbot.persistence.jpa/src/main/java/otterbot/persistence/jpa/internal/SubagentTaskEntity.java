package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** One subagent task record (upstream's {@code subagent_tasks}). */
@Entity(name = "SubagentTaskEntity")
@Table(name = "subagent_tasks")
class SubagentTaskEntity {
  static final int ID_LENGTH = 64;
  static final int STATUS_LENGTH = 32;

  @Id
  @Column(name = "id", length = ID_LENGTH)
  private String id;

  /**
   * Insertion order, never changed by an update: breaks ties between tasks created in the same microsecond so that
   * "newest first" is stable and really means the later one.
   */
  @Column(name = "position", nullable = false)
  private long position;

  @Column(name = "root_id", nullable = false, length = ID_LENGTH)
  private String rootId;

  @Column(name = "parent_task_id", length = ID_LENGTH)
  private String parentTaskId;

  @Column(name = "parent_agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String parentAgentId;

  @Column(name = "subagent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String subagentId;

  @Lob
  @Column(name = "goal", nullable = false)
  private String goal;

  @Column(name = "status", nullable = false, length = STATUS_LENGTH)
  private String status;

  @Lob
  @Column(name = "result_summary")
  private String resultSummary;

  @Column(name = "created_at", nullable = false)
  private LocalDateTime createdAt;

  @Column(name = "finished_at")
  private LocalDateTime finishedAt;

  protected SubagentTaskEntity() {
    // for EclipseLink
  }

  SubagentTaskEntity(String id, long position) {
    this.id = id;
    this.position = position;
  }

  void update(String rootId, String parentTaskId, String parentAgentId, String subagentId, String goal, String status,
      String resultSummary, LocalDateTime createdAt, LocalDateTime finishedAt) {
    this.rootId = rootId;
    this.parentTaskId = parentTaskId;
    this.parentAgentId = parentAgentId;
    this.subagentId = subagentId;
    this.goal = goal;
    this.status = status;
    this.resultSummary = resultSummary;
    this.createdAt = createdAt;
    this.finishedAt = finishedAt;
  }

  String id() {
    return id;
  }

  String rootId() {
    return rootId;
  }

  String parentTaskId() {
    return parentTaskId;
  }

  String parentAgentId() {
    return parentAgentId;
  }

  String subagentId() {
    return subagentId;
  }

  String goal() {
    return goal;
  }

  String status() {
    return status;
  }

  String resultSummary() {
    return resultSummary;
  }

  LocalDateTime createdAt() {
    return createdAt;
  }

  LocalDateTime finishedAt() {
    return finishedAt;
  }
}
