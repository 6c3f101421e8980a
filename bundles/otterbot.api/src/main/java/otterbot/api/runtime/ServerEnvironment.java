package otterbot.api.runtime;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the server lives and listens, resolved once at start-up from the command line ({@code --home},
 * {@code --port}, {@code --host}), the environment ({@code OTTERBOT_HOME}, {@code OTTERBOT_PORT},
 * {@code OTTERBOT_HOST}) and the defaults ({@code ./data}, 3001, 127.0.0.1), in that order.
 */
@ProviderType
public interface ServerEnvironment {
  /** The home directory, which holds everything the server writes. Exists. */
  Path home();

  /** {@code <home>/etc}: configuration files applied through ConfigAdmin and watched for changes. Exists. */
  Path etcDirectory();

  /** {@code <home>/deploy}: bundles dropped here are installed and started, removed ones uninstalled. Exists. */
  Path deployDirectory();

  /** {@code <home>/db}: the default database location. Exists. */
  Path databaseDirectory();

  /** The public port's bind address. */
  String host();

  /** The public port; REST and Socket.IO share it. */
  int port();
}
