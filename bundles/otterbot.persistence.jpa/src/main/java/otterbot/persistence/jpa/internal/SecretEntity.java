package otterbot.persistence.jpa.internal;

import java.io.Serializable;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One sealed (encrypted by the core) secret of an agent. Column names are not upstream's {@code key} and
 * {@code value}: both are keywords in H2 2.x; see {@link SettingEntity}.
 */
@Entity(name = "SecretEntity")
@Table(name = "agent_secrets")
@IdClass(SecretEntity.Key.class)
class SecretEntity {
  @Id
  @Column(name = "agent_id", length = Conversations.MAX_AGENT_ID_LENGTH)
  private String agentId;

  @Id
  @Column(name = "secret_key", length = Secrets.MAX_KEY_LENGTH)
  private String key;

  /** TEXT on PostgreSQL, H2's largest VARCHAR on H2 (see {@link MessageEntity}): the core decides the length. */
  @Lob
  @Column(name = "sealed_value", nullable = false)
  private String sealedValue;

  protected SecretEntity() {
    // for EclipseLink
  }

  SecretEntity(String agentId, String key, String sealedValue) {
    this.agentId = agentId;
    this.key = key;
    this.sealedValue = sealedValue;
  }

  String key() {
    return key;
  }

  String sealedValue() {
    return sealedValue;
  }

  /** Never prints the value: an entity can end up in an EclipseLink message or a debugger's log. */
  @Override
  public String toString() {
    return "SecretEntity[" + agentId + "/" + key + "]";
  }

  /** The composite primary key; EclipseLink fills the fields by name. */
  static final class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    private String agentId;
    private String key;

    public Key() {
      // for EclipseLink
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Objects.equals(agentId, k.agentId) && Objects.equals(key, k.key);
    }

    @Override
    public int hashCode() {
      return Objects.hash(agentId, key);
    }
  }
}
