package otterbot.persistence.jpa.internal;

import java.util.Collection;
import java.util.function.Function;

import jakarta.persistence.EntityManager;

/**
 * How the table classes reach the database: {@link JpaStorage}'s EntityManager per call, one transaction per write,
 * failures turned into {@link otterbot.api.OtterbotException}s ({@code UNAVAILABLE} for database trouble) with the
 * cause chain redacted.
 */
interface Transactions {
  /** Runs {@code work} with a fresh EntityManager; {@code what} completes "cannot ..." in a failure message. */
  <T> T read(String what, Function<EntityManager, T> work);

  /**
   * Runs {@code work} in one transaction that is committed before this returns, or rolled back.
   *
   * @param masked values that must not appear in a failure that is thrown or logged (besides the database password),
   *     because the JDBC driver or EclipseLink may quote the values of a failed statement
   */
  <T> T write(String what, Collection<String> masked, Function<EntityManager, T> work);
}
