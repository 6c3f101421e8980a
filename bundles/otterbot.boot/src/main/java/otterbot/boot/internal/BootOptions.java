package otterbot.boot.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The server's home, port and bind address, resolved from the command line, then the environment, then system
 * properties, then the defaults. Kept free of OSGi so it is tested with plain calls.
 */
record BootOptions(Path home, String host, int port) {
  static final String DEFAULT_HOME = "data";
  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 3001;

  /**
   * @param args command-line arguments: {@code --home DIR}, {@code --port N}, {@code --host ADDR}, also in the
   *     {@code --name=value} form; anything else is rejected so a typo does not silently start a default server
   * @param env the process environment
   * @param sys system properties ({@code otterbot.home}, {@code otterbot.port}, {@code otterbot.host})
   * @throws IllegalArgumentException with a message for the operator
   */
  static BootOptions resolve(List<String> args, Map<String, String> env, Map<String, String> sys) {
    String home = null;
    String host = null;
    String port = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      switch (name) {
        case "--home", "--port", "--host" -> {
          if (value == null) {
            if (i + 1 >= args.size()) {
              throw new IllegalArgumentException(name + " needs a value");
            }
            value = args.get(++i);
          }
          switch (name) {
            case "--home" -> home = value;
            case "--port" -> port = value;
            default -> host = value;
          }
        }
        default -> throw new IllegalArgumentException(
            "unknown argument '" + arg + "' (known: --home DIR, --port N, --host ADDRESS)");
      }
    }
    home = first(home, env.get("OTTERBOT_HOME"), sys.get("otterbot.home"), DEFAULT_HOME);
    host = first(host, env.get("OTTERBOT_HOST"), sys.get("otterbot.host"), DEFAULT_HOST);
    port = first(port, env.get("OTTERBOT_PORT"), sys.get("otterbot.port"), Integer.toString(DEFAULT_PORT));
    int portNumber;
    try {
      portNumber = Integer.parseInt(port.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port '" + port + "' is not a number");
    }
    if (portNumber < 0 || portNumber > 65535) {
      throw new IllegalArgumentException("port " + portNumber + " is outside 0..65535");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    return new BootOptions(Path.of(home).toAbsolutePath().normalize(), host.trim(), portNumber);
  }

  private static String first(String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.isBlank()) {
        return c;
      }
    }
    return null;
  }
}
