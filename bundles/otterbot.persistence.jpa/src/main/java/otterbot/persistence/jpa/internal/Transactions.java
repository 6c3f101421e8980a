package otterbot.persistence.jpa.internal;

import java.util.Collection;
import java.util.function.Function;

import jakarta.persistence.EntityManager;

/**
 * How the store components reach the database: the service of {@link JpaDatabase}, private to this bundle (the
 * package is not exported). An EntityManager per call, one transaction per write, failures turned into
 * {@link otterbot.api.OtterbotException}s ({@code UNAVAILABLE} for database trouble) with the cause chain redacted.
 * Each store references it statically, so a store is only registered while the database component is, and a new
 * configuration (another database) restarts every store with it.
 */
public interface Transactions {
  /** Runs {@code work} with a fresh EntityManager; {@code what} completes "cannot ..." in a failure message. */
  <T> T read(String what, Function<EntityManager, T> work);

  /** Like {@link #write(String, Collection, Function)} for writes whose values need no masking. */
  default <T> T write(String what, Function<EntityManager, T> work) {
    return write(what, java.util.List.of(), work);
  }

  /**
   * Runs {@code work} in one transaction that is committed before this returns, or rolled back.
   *
   * @param masked values that must not appear in a failure that is thrown or logged (besides the database password),
   *     because the JDBC driver or EclipseLink may quote the values of a failed statement
   */
  <T> T write(String what, Collection<String> masked, Function<EntityManager, T> work);

  /** Which database this is, for the few statements that differ (the bus's table lock). */
  Database.Kind kind();

  /** The table's name with the configured schema, for native SQL (EclipseLink qualifies its own). */
  String qualified(String table);
}
