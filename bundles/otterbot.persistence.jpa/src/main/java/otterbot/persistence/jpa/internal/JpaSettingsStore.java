package otterbot.persistence.jpa.internal;

import java.util.Objects;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import otterbot.api.persistence.SettingsStore;

/** The {@code app_settings} table: instance-wide settings by key. */
@Component(service = SettingsStore.class)
public final class JpaSettingsStore implements SettingsStore {
  static final int MAX_KEY_LENGTH = 128;

  private final Transactions db;

  /** Held around puts, so that two puts of a new setting in this JVM cannot both try to insert it. */
  private final Object insertLock = new Object();

  @Activate
  public JpaSettingsStore(@Reference Transactions db) {
    this.db = db;
  }

  @Override
  public Optional<String> get(String key) {
    Objects.requireNonNull(key, "key");
    if (!Validation.fits(key, MAX_KEY_LENGTH)) {
      return Optional.empty(); // could never have been put
    }
    return db.read("read setting '" + key + "'",
        em -> Optional.ofNullable(em.find(SettingEntity.class, key)).map(SettingEntity::value));
  }

  @Override
  public void put(String key, String value) {
    Validation.validKey("setting key", key, MAX_KEY_LENGTH);
    if (value != null) {
      Validation.validText("setting '" + key + "'", value);
    }
    synchronized (insertLock) {
      db.write("write setting '" + key + "'", em -> {
        SettingEntity row = em.find(SettingEntity.class, key);
        if (row != null) {
          row.value(value);
        } else {
          em.persist(new SettingEntity(key, value));
        }
        return null;
      });
    }
  }
}
