package otterbot.api.credentials;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Instance-wide secrets a bundle keeps for itself (e.g. OAuth tokens), sealed with AES-256-GCM before they reach
 * storage, each bound to its name. Never expose a value.
 */
@ProviderType
public interface SecretVault {
  /** Longest value, in characters. */
  int MAX_VALUE = 64 * 1024;

  /** The value stored under {@code name}, or empty. */
  Optional<String> read(String name);

  /**
   * Stores {@code value} under {@code name} in one transaction, replacing the previous one; when this returns it is
   * on disk.
   *
   * @throws otterbot.api.OtterbotException {@code INVALID} for a blank name, a name of over 100 characters or a value
   *     over {@link #MAX_VALUE}
   */
  void write(String name, String value);

  /** Removes the value stored under {@code name}, if any. */
  void delete(String name);
}
