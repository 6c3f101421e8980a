package otterbot.persistence.jpa.internal;

import java.io.Serializable;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Lob;
import jakarta.persistence.Table;

/**
 * One sealed (encrypted by the core) secret of an agent. Column names are not upstream's {@code key} and
 * {@code value}: both are keywords in H2 2.x; see {@link SettingEntity}.
 */
@Entity(name = "SecretEntity")
@Table(name = "agent_secrets")
class SecretEntity {
  /** Embedded rather than {@code @IdClass}, for the reason given on {@link MessageEntity}'s key. */
  @EmbeddedId
  private Key id;

  /** TEXT on PostgreSQL, H2's largest VARCHAR on H2 (see {@link MessageEntity}): the core decides the length. */
  @Lob
  @Column(name = "sealed_value", nullable = false)
  private String sealedValue;

  protected SecretEntity() {
    // for EclipseLink
  }

  SecretEntity(String agentId, String key, String sealedValue) {
    this.id = new Key(agentId, key);
    this.sealedValue = sealedValue;
  }

  String key() {
    return id.key;
  }

  String sealedValue() {
    return sealedValue;
  }

  /** Never prints the value: an entity can end up in an EclipseLink message or a debugger's log. */
  @Override
  public String toString() {
    return "SecretEntity[" + id.agentId + "/" + id.key + "]";
  }

  /** The composite primary key (agent, secret name). */
  @Embeddable
  static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    @Column(name = "agent_id", length = JpaConversationStore.MAX_AGENT_ID_LENGTH)
    private String agentId;

    @Column(name = "secret_key", length = JpaCredentialStore.MAX_KEY_LENGTH)
    private String key;

    protected Key() {
      // for EclipseLink
    }

    Key(String agentId, String key) {
      this.agentId = agentId;
      this.key = key;
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
