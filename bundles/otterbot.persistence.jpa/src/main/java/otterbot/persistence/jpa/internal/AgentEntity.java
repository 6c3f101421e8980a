package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One agent profile. The profile itself is a JSON document, so adding a field to {@code AgentProfile} needs no schema
 * change; only what the database must order or key by is a column of its own.
 */
@Entity(name = "AgentEntity")
@Table(name = "agents")
class AgentEntity {
  /**
   * Length limit of the JSON columns. {@code @Lob} would be CLOB on H2 but TEXT on PostgreSQL with LOB handling in
   * between; a plain VARCHAR of this length means the same on both, and 10,485,760 is the largest length PostgreSQL
   * accepts for {@code varchar(n)} (storage is the same as TEXT).
   */
  static final int TEXT_LENGTH = 10_485_760;

  @Id
  @Column(name = "id", length = 64)
  private String id;

  /** Creation order: max + 1 when the row is inserted, never changed by an update. */
  @Column(name = "position", nullable = false)
  private long position;

  /** For operators reading the table; UTC. The JSON holds the exact instant. */
  @Column(name = "created_at")
  private LocalDateTime createdAt;

  @Column(name = "profile_json", nullable = false, length = TEXT_LENGTH)
  private String profileJson;

  protected AgentEntity() {
    // for EclipseLink
  }

  String id() {
    return id;
  }

  String profileJson() {
    return profileJson;
  }
}
