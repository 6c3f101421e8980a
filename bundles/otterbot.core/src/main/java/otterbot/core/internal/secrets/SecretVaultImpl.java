package otterbot.core.internal.secrets;

import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.credentials.SecretVault;
import otterbot.api.persistence.SettingsStore;

/**
 * Instance-wide sealed secrets in the settings table, one row {@code vault.<name>} each, sealed by the server's
 * {@link SecretBox} and bound to their name: a value copied to another name fails to open instead of being used there.
 * The settings store has no delete, so a deleted value is an empty row, which reads as absent (as upstream's
 * {@code openai_oauth = ""}).
 */
@Component(service = SecretVault.class)
public final class SecretVaultImpl implements SecretVault {
  private static final Logger LOG = LoggerFactory.getLogger(SecretVaultImpl.class);
  static final String KEY_PREFIX = "vault.";
  static final int MAX_NAME = 100;

  private final SettingsStore store;
  private final SecretBox box;

  @Activate
  public SecretVaultImpl(@Reference SettingsStore store, @Reference SecretBox box) {
    this.store = store;
    this.box = box;
  }

  @Override
  public Optional<String> read(String name) {
    check(name);
    String sealed = store.get(KEY_PREFIX + name).orElse("");
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    try {
      String value = box.decrypt(sealed, row(name));
      if (SecretBox.isLegacy(sealed)) {
        store.put(KEY_PREFIX + name, box.encrypt(value, row(name)));
      }
      return Optional.of(value);
    } catch (IllegalStateException e) {
      // Never the value: only that it cannot be used. The owner treats it as absent and asks for it again.
      LOG.error("The vault entry '{}' cannot be decrypted with the current secret key (or was moved from another "
          + "name); it is ignored", name);
      return Optional.empty();
    }
  }

  @Override
  public void write(String name, String value) {
    check(name);
    if (value == null) {
      throw OtterbotException.invalid("a vault value must be a string");
    }
    if (value.length() > MAX_VALUE) {
      throw OtterbotException.invalid("the vault value for '" + name + "' is longer than " + MAX_VALUE
          + " characters");
    }
    // One put is one transaction of the store: when it returns, the value is committed.
    store.put(KEY_PREFIX + name, box.encrypt(value, row(name)));
  }

  @Override
  public void delete(String name) {
    check(name);
    if (store.get(KEY_PREFIX + name).filter(v -> !v.isEmpty()).isPresent()) {
      store.put(KEY_PREFIX + name, "");
    }
  }

  private static void check(String name) {
    if (name == null || name.isBlank()) {
      throw OtterbotException.invalid("a vault name must not be blank");
    }
    if (name.length() > MAX_NAME) {
      throw OtterbotException.invalid("a vault name must be at most " + MAX_NAME + " characters");
    }
  }

  private static String row(String name) {
    return SecretBox.row("vault", "global", name);
  }
}
