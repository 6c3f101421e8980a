package otterbot.api.persistence;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** A small key/value table for instance-wide settings. Values are opaque strings (JSON where structured). */
@ProviderType
public interface SettingsStore {
  Optional<String> get(String key);

  void put(String key, String value);
}
