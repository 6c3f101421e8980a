package otterbot.persistence.jpa.internal;

import org.eclipse.persistence.logging.AbstractSessionLog;
import org.eclipse.persistence.logging.SessionLog;
import org.eclipse.persistence.logging.SessionLogEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends EclipseLink's log to slf4j (logger {@code org.eclipse.persistence}) instead of System.out, with URL passwords
 * masked: EclipseLink prints the connection URL when it connects and when connecting fails.
 *
 * <p>Public with a public constructor only because EclipseLink instantiates it by name ({@code eclipselink.logging.logger}).
 */
public final class EclipseLinkLog extends AbstractSessionLog {
  private static final Logger LOG = LoggerFactory.getLogger("org.eclipse.persistence");

  /**
   * True while {@link JpaDatabase} opens the database on this thread. It reports a failure itself (to the caller, in
   * the health check, once in its log), so EclipseLink's own SEVERE entries with stack traces for the same failure are
   * logged at debug only; otherwise every retry while PostgreSQL is down would log two stack traces.
   */
  static final ThreadLocal<Boolean> OPENING = ThreadLocal.withInitial(() -> Boolean.FALSE);

  public EclipseLinkLog() {
    // for EclipseLink
  }

  @Override
  public boolean shouldLog(int level, String category) {
    return super.shouldLog(level, category) && enabled(level);
  }

  @Override
  public void log(SessionLogEntry entry) {
    int level = entry.getLevel();
    if (entry.getException() != null && OPENING.get()) {
      level = Math.min(level, SessionLog.FINE);
    }
    if (!shouldLog(entry.getLevel(), entry.getNameSpace()) || !enabled(level)) {
      return;
    }
    String message = Redaction.text(formatMessage(entry));
    Throwable failure = entry.getException() == null ? null : Redaction.throwable(entry.getException(), null);
    if (message == null || message.isEmpty()) {
      message = failure == null ? "" : failure.toString();
    }
    if (level >= SessionLog.SEVERE) {
      LOG.error(message, failure);
    } else if (level >= SessionLog.WARNING) {
      LOG.warn(message, failure);
    } else if (level >= SessionLog.INFO) {
      LOG.info(message, failure);
    } else if (level >= SessionLog.FINE) {
      LOG.debug(message, failure);
    } else {
      LOG.trace(message, failure);
    }
  }

  private static boolean enabled(int level) {
    if (level >= SessionLog.SEVERE) {
      return LOG.isErrorEnabled();
    } else if (level >= SessionLog.WARNING) {
      return LOG.isWarnEnabled();
    } else if (level >= SessionLog.INFO) {
      return LOG.isInfoEnabled();
    } else if (level >= SessionLog.FINE) {
      return LOG.isDebugEnabled();
    }
    return LOG.isTraceEnabled();
  }
}
