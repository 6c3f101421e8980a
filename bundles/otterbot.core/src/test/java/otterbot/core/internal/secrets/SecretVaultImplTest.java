package otterbot.core.internal.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import otterbot.api.OtterbotException;
import otterbot.api.credentials.SecretVault;
import otterbot.api.persistence.SettingsStore;

class SecretVaultImplTest {
  @TempDir
  Path home;

  final Map<String, String> table = new HashMap<>();
  final SettingsStore store = new SettingsStore() {
    @Override
    public Optional<String> get(String key) {
      return Optional.ofNullable(table.get(key));
    }

    @Override
    public void put(String key, String value) {
      table.put(key, value);
    }
  };

  @Test
  void aValueRoundTripsButIsNeverStoredInClear() throws Exception {
    SecretVaultImpl vault = new SecretVaultImpl(store, SecretBox.open(null, home.resolve("secret.key")));
    assertEquals(Optional.empty(), vault.read("openai_oauth"));
    vault.write("openai_oauth", "{\"accessToken\":\"at-secret-123\"}");
    assertEquals(Optional.of("{\"accessToken\":\"at-secret-123\"}"), vault.read("openai_oauth"));
    assertEquals(1, table.size());
    table.values().forEach(v -> assertFalse(v.contains("at-secret-123"), "stored in clear: " + v));

    // A new vault over the same store and key file (a restart) opens it.
    SecretVaultImpl again = new SecretVaultImpl(store, SecretBox.open(null, home.resolve("secret.key")));
    assertEquals(Optional.of("{\"accessToken\":\"at-secret-123\"}"), again.read("openai_oauth"));

    vault.delete("openai_oauth");
    assertEquals(Optional.empty(), vault.read("openai_oauth"));
    assertTrue(table.values().stream().noneMatch(v -> v.contains("v2:")), "the sealed value stays behind: " + table);
  }

  @Test
  void aValueMovedToAnotherNameDoesNotOpen() throws Exception {
    SecretVaultImpl vault = new SecretVaultImpl(store, SecretBox.open(null, home.resolve("secret.key")));
    vault.write("a", "secret-a");
    table.put(SecretVaultImpl.KEY_PREFIX + "b", table.get(SecretVaultImpl.KEY_PREFIX + "a"));
    assertEquals(Optional.empty(), vault.read("b"));
    assertEquals(Optional.of("secret-a"), vault.read("a"));
  }

  @Test
  void badNamesAndValuesAreRefused() throws Exception {
    SecretVaultImpl vault = new SecretVaultImpl(store, SecretBox.open(null, home.resolve("secret.key")));
    assertThrows(OtterbotException.class, () -> vault.write(" ", "x"));
    assertThrows(OtterbotException.class, () -> vault.write("n".repeat(101), "x"));
    assertThrows(OtterbotException.class, () -> vault.write("n", "x".repeat(SecretVault.MAX_VALUE + 1)));
    assertTrue(table.isEmpty());
  }
}
