package otterbot.persistence.jpa.internal;

import java.time.LocalDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/** One agent's learned user profile, a JSON document. */
@Entity(name = "UserProfileEntity")
@Table(name = "user_profiles")
class UserProfileEntity {
  @Id
  @Column(name = "agent_id", length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
  private String agentId;

  @Lob
  @Column(name = "profile_json", nullable = false)
  private String profileJson;

  @Column(name = "updated_at", nullable = false)
  private LocalDateTime updatedAt;

  protected UserProfileEntity() {
    // for EclipseLink
  }

  UserProfileEntity(String agentId) {
    this.agentId = agentId;
  }

  void update(String profileJson, LocalDateTime updatedAt) {
    this.profileJson = profileJson;
    this.updatedAt = updatedAt;
  }

  String profileJson() {
    return profileJson;
  }
}
