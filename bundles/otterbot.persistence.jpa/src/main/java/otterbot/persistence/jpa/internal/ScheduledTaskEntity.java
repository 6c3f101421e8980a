package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One scheduled task. The index on {@code agent_id} is created by {@link JpaDatabase}, for the reason given on
 * {@link ConversationEntity}.
 */
@Entity(name = "ScheduledTaskEntity")
@Table(name = "scheduled_tasks")
class ScheduledTaskEntity {
  static final int ID_LENGTH = 64;
  /** A cron expression is a few dozen characters; this leaves room for long lists and ranges. */
  static final int CRON_LENGTH = 200;

  @Id
  @Column(name = "id", length = ID_LENGTH)
  private String id;

  /** Creation order: max + 1 when the row is inserted, never changed by an update (as in {@code agents}). */
  @Column(name = "position", nullable = false)
  private long position;

  @Column(name = "agent_id", nullable = false, length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  @Column(name = "cron", nullable = false, length = CRON_LENGTH)
  private String cron;

  @Lob
  @Column(name = "prompt", nullable = false)
  private String prompt;

  @Column(name = "enabled", nullable = false)
  private boolean enabled;

  /** UTC, like every timestamp column here. */
  @Column(name = "last_run_at")
  private LocalDateTime lastRunAt;

  @Column(name = "next_run_at")
  private LocalDateTime nextRunAt;

  protected ScheduledTaskEntity() {
    // for EclipseLink
  }

  ScheduledTaskEntity(String id, long position) {
    this.id = id;
    this.position = position;
  }

  void update(String agentId, String cron, String prompt, boolean enabled, LocalDateTime lastRunAt,
      LocalDateTime nextRunAt) {
    this.agentId = agentId;
    this.cron = cron;
    this.prompt = prompt;
    this.enabled = enabled;
    this.lastRunAt = lastRunAt;
    this.nextRunAt = nextRunAt;
  }

  String id() {
    return id;
  }

  String agentId() {
    return agentId;
  }

  String cron() {
    return cron;
  }

  String prompt() {
    return prompt;
  }

  boolean enabled() {
    return enabled;
  }

  LocalDateTime lastRunAt() {
    return lastRunAt;
  }

  LocalDateTime nextRunAt() {
    return nextRunAt;
  }
}
