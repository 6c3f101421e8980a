package otterbot.persistence.jpa.internal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One instance-wide setting. */
@Entity(name = "SettingEntity")
@Table(name = "app_settings")
class SettingEntity {
  // Not "key" and "value": both are keywords in H2 2.x. Quoting them breaks create-or-extend-tables in EclipseLink
  // 4.0.9 (it does not recognise a quoted lower-case column it created and runs ALTER TABLE ADD on every start), and
  // H2's NON_KEYWORDS setting would have to be in every connection URL, an operator's console included.
  @Id
  @Column(name = "setting_key", length = 128)
  private String key;

  @Column(name = "setting_value", length = AgentEntity.TEXT_LENGTH)
  private String value;

  protected SettingEntity() {
    // for EclipseLink
  }

  SettingEntity(String key, String value) {
    this.key = key;
    this.value = value;
  }

  String value() {
    return value;
  }

  void value(String value) {
    this.value = value;
  }
}
