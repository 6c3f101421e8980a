package otterbot.boot.internal;

import java.nio.file.Path;

import otterbot.api.runtime.ServerEnvironment;

/** The resolved environment, with its directories created. */
record Environment(Path home, String host, int port) implements ServerEnvironment {
  @Override
  public Path etcDirectory() {
    return home.resolve("etc");
  }

  @Override
  public Path deployDirectory() {
    return home.resolve("deploy");
  }

  @Override
  public Path databaseDirectory() {
    return home.resolve("db");
  }
}
