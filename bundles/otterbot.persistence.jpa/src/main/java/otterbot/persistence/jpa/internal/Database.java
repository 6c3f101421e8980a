package otterbot.persistence.jpa.internal;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

import org.eclipse.persistence.platform.database.H2Platform;
import org.eclipse.persistence.platform.database.PostgreSQLPlatform;

/**
 * The database to connect to, resolved and validated from {@link Config}.
 *
 * @param user null to let the driver or the URL decide
 * @param password never null, may be empty
 * @param schema null for the connection's default schema
 */
record Database(Kind kind, String url, String user, String password, int poolMax, String schema) {

  /** The supported databases. */
  enum Kind {
    H2("h2", "H2", "jdbc:h2:", "org.h2.Driver", H2Platform.class.getName()),
    POSTGRESQL("postgresql", "PostgreSQL", "jdbc:postgresql:", "org.postgresql.Driver",
        PostgreSQLPlatform.class.getName());

    /** The value of the health detail {@code kind}. */
    final String id;
    final String displayName;
    final String urlPrefix;
    /** Loaded by name through this bundle's class loader; see the Import-Package in bnd.bnd. */
    final String driverClass;
    /**
     * Named explicitly rather than detected: detection costs a metadata round trip at every start, and naming the
     * class here makes bnd import its package, so EclipseLink finds it through our class loader.
     */
    final String platformClass;

    Kind(String id, String displayName, String urlPrefix, String driverClass, String platformClass) {
      this.id = id;
      this.displayName = displayName;
      this.urlPrefix = urlPrefix;
      this.driverClass = driverClass;
      this.platformClass = platformClass;
    }
  }

  /** File name (without {@code .mv.db}) of the default H2 database in the server's database directory. */
  static final String DEFAULT_H2_NAME = "otterbot";

  /**
   * H2 keeps committed changes in memory and writes them from a background thread up to WRITE_DELAY ms (default 500)
   * later, so a process killed right after an acknowledged write loses it. With 0, H2 2.3 writes the changed pages to
   * the file inside COMMIT (TransactionStore.endTransaction calls MVStore.commit synchronously), so what a commit
   * acknowledged survives kill -9. It is not fsync'ed: a power loss or kernel crash can still lose the last writes;
   * choose PostgreSQL where that matters.
   */
  static final String H2_DURABLE_WRITES = "WRITE_DELAY=0";

  /**
   * H2 closes an embedded database from its own JVM shutdown hook, which runs beside the server's stop: turns and
   * other work still storing what they did while the server stopped (a reply cut off by the stop, a conversation's
   * last summary) met "Database is already closed". Storage closes the database itself when it stops (with SHUTDOWN,
   * after everything that uses it has stopped); a JVM that ends without that loses nothing either, with
   * {@link #H2_DURABLE_WRITES}.
   */
  static final String H2_CLOSED_BY_STORAGE = "DB_CLOSE_ON_EXIT=FALSE";

  private static final Pattern SCHEMA_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  static Database from(Config config, Path databaseDirectory) {
    String password = config._password();
    if (password.isEmpty()) {
      String fromEnv = System.getenv("OTTERBOT_DB_PASSWORD");
      password = fromEnv == null ? "" : fromEnv;
    }
    return of(config.url(), config.user(), password, config.pool_max(), config.schema(), databaseDirectory);
  }

  /**
   * @param url empty for the default H2 file database in {@code databaseDirectory}
   * @throws IllegalArgumentException for a URL of an unsupported database or other invalid values; the message
   *     names the problem and never contains the password
   */
  static Database of(String url, String user, String password, int poolMax, String schema, Path databaseDirectory) {
    String jdbcUrl = url == null ? "" : url.trim();
    if (jdbcUrl.isEmpty()) {
      Path file = databaseDirectory.resolve(DEFAULT_H2_NAME).toAbsolutePath();
      if (file.toString().indexOf(';') >= 0) {
        // H2 would read the rest of the path as URL settings.
        throw new IllegalArgumentException("the database directory " + file.getParent() + " contains ';', which an H2"
            + " URL cannot express; choose another server home or set url in " + Config.PID + ".cfg");
      }
      jdbcUrl = Kind.H2.urlPrefix + "file:" + file;
    }
    Kind kind = kindOf(jdbcUrl);
    if (kind == Kind.H2) {
      jdbcUrl = withSetting(jdbcUrl, H2_DURABLE_WRITES);
      if (isEmbedded(jdbcUrl)) {
        jdbcUrl = withSetting(jdbcUrl, H2_CLOSED_BY_STORAGE);
      }
    }
    String jdbcUser = user == null || user.isBlank() ? null : user.trim();
    if (jdbcUser == null && kind == Kind.H2) {
      jdbcUser = "sa";
    }
    if (poolMax < 1) {
      throw new IllegalArgumentException("pool.max must be at least 1, not " + poolMax);
    }
    String jdbcSchema = schema == null || schema.isBlank() ? null : schema.trim();
    if (jdbcSchema != null && !SCHEMA_NAME.matcher(jdbcSchema).matches()) {
      throw new IllegalArgumentException("schema '" + Redaction.text(jdbcSchema)
          + "' must start with a letter or _ and contain only letters, digits and _ (at most 63)");
    }
    return new Database(kind, jdbcUrl, jdbcUser, password == null ? "" : password, poolMax, jdbcSchema);
  }

  /** The H2 URL with {@code setting} ({@code NAME=value}) added, unless the URL sets that name itself. */
  private static String withSetting(String h2Url, String setting) {
    String name = setting.substring(0, setting.indexOf('=') + 1);
    return h2Url.toUpperCase(Locale.ROOT).contains(name) ? h2Url : h2Url + ";" + setting;
  }

  private static Kind kindOf(String url) {
    for (Kind kind : Kind.values()) {
      if (url.regionMatches(true, 0, kind.urlPrefix, 0, kind.urlPrefix.length())) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unsupported database URL '" + Redaction.text(url)
        + "': use jdbc:h2:... (H2) or jdbc:postgresql://host:port/database (PostgreSQL)");
  }

  /** The URL as it may be logged and shown: password parameters masked. */
  String redactedUrl() {
    return Redaction.text(url, password);
  }

  /** The text with this database's password and any URL password masked. */
  String redact(String text) {
    return Redaction.text(text, password);
  }

  /** A copy of the cause chain that is safe to log; see {@link Redaction#throwable}. */
  RuntimeException redact(Throwable failure) {
    return Redaction.throwable(failure, password);
  }

  /** Like {@link #redact(Throwable)}, and also masks each of {@code values} (a failed write's sealed secrets). */
  RuntimeException redact(Throwable failure, java.util.Collection<String> values) {
    return Redaction.throwable(failure, password, values);
  }

  /**
   * Whether the database lives in this JVM (H2 file or memory) rather than behind a server ({@code jdbc:h2:tcp:},
   * {@code jdbc:h2:ssl:}). Only an embedded database may be shut down when the storage stops: SHUTDOWN on a server
   * would end it for every other client.
   */
  boolean embedded() {
    return kind == Kind.H2 && isEmbedded(url);
  }

  private static boolean isEmbedded(String h2Url) {
    String rest = h2Url.substring(Kind.H2.urlPrefix.length()).toLowerCase(Locale.ROOT);
    return !rest.startsWith("tcp:") && !rest.startsWith("ssl:");
  }

  /** Records print every component; this one must not print the password. */
  @Override
  public String toString() {
    return kind.displayName + " " + redactedUrl() + (user == null ? "" : " as " + user)
        + (schema == null ? "" : " schema " + schema);
  }
}
