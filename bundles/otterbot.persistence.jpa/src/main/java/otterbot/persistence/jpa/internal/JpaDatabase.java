package otterbot.persistence.jpa.internal;

import java.net.URL;
import java.security.CodeSource;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;

import org.eclipse.persistence.config.PersistenceUnitProperties;
import org.eclipse.persistence.jpa.PersistenceProvider;
import org.eclipse.persistence.sessions.SessionCustomizer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.OtterbotException;
import otterbot.api.health.Health;
import otterbot.api.health.HealthCheck;
import otterbot.api.runtime.ServerEnvironment;

/**
 * The relational database behind every store of this bundle, through EclipseLink: an H2 file in the server home by
 * default, PostgreSQL by configuration. It owns the EntityManagerFactory, the transactions (its {@link Transactions}
 * service, which the store components {@link JpaAgentStore}, {@link JpaSettingsStore}, {@link JpaConversationStore},
 * {@link JpaCredentialStore}, {@link JpaBusStore}, {@link JpaScheduleStore}, {@link JpaSubagentTaskStore},
 * {@link JpaMemoryStore} and {@link JpaProfileStore} reference), the connection pool, the health check (subsystem
 * {@code database}) and opening and closing.
 *
 * <p>Every write is its own transaction and is committed before the method returns. Every call uses a fresh
 * EntityManager and there is no shared cache, so a row that another process wrote is seen at the next read.
 *
 * <p>An unreachable database does not fail activation: the services stay registered, calls fail with
 * {@link OtterbotException.Kind#UNAVAILABLE} (503), the health check reports why, and each call tries to connect again.
 * Only an invalid configuration fails activation.
 */
@Designate(ocd = Config.class)
@Component(
    service = {Transactions.class, HealthCheck.class},
    immediate = true,
    configurationPid = Config.PID,
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = HealthCheck.SUBSYSTEM + "=database")
public final class JpaDatabase implements Transactions, HealthCheck {
  private static final Logger LOG = LoggerFactory.getLogger(JpaDatabase.class);

  /** How long {@link #check()} waits for the database before it reports it down. */
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

  /** EclipseLink's default is three minutes, far longer than any client waits for an answer. */
  private static final int POOL_WAIT_MILLIS = 10_000;

  /** Seconds; pgjdbc's default is 10, and activation waits for the first attempt. A connectTimeout in the URL wins. */
  private static final String POSTGRESQL_CONNECT_TIMEOUT = "5";

  /**
   * EclipseLink keeps deployed units in a static map keyed by session name, and by default derives the name from the
   * URL and user: two factories for the same database in one JVM (a reactivation racing the old instance's close)
   * would share one session. Each factory therefore gets a name of its own.
   */
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private final Database db;
  private final ClassLoader loader;
  private final URL unitRoot;
  /** Health checks run here so that a hanging connect cannot hold the caller longer than {@link #HEALTH_TIMEOUT}. */
  private final ExecutorService healthProbes = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "otterbot-database-health");
    thread.setDaemon(true);
    return thread;
  });

  private EntityManagerFactory factory; // guarded by this
  private boolean closed; // guarded by this

  @Activate
  public JpaDatabase(@Reference ServerEnvironment env, Config config, Map<String, Object> properties,
      BundleContext context) {
    this(Database.from(awaitOperatorFile(env, properties, config), env.databaseDirectory()),
        JpaDatabase.class.getClassLoader(), bundleRoot(context), true);
  }

  /**
   * Refuses to start on the built-in defaults while the operator's {@code etc/otterbot.persistence.jpa.cfg} exists
   * but has not reached ConfigAdmin yet: starting on H2 first would create a second, empty database and let writes
   * land there. Failing activation makes DS try again as soon as the configuration arrives.
   */
  private static Config awaitOperatorFile(ServerEnvironment env, Map<String, Object> properties, Config config) {
    var file = env.etcDirectory().resolve(Config.PID + ".cfg");
    if (!properties.containsKey(org.osgi.framework.Constants.SERVICE_PID) && java.nio.file.Files.exists(file)) {
      throw new IllegalStateException(file + " exists but its configuration has not been applied yet;"
          + " the storage starts when it is");
    }
    return config;
  }

  /**
   * Outside OSGi, for tools that run on a plain class path (the benchmarks in distribution/otterbot.bench): a database
   * opened at once, to be {@link #shutdown()} by the caller.
   *
   * @param schema the schema of the tables, or null for the default one
   * @param databaseDirectory where a relative H2 file URL lives
   */
  public static JpaDatabase standalone(String url, String user, String password, String schema,
      java.nio.file.Path databaseDirectory) {
    return new JpaDatabase(Database.of(url, user, password, 4, schema, databaseDirectory));
  }

  /** Closes a {@link #standalone} database. */
  public void shutdown() {
    close();
  }

  /** Outside OSGi (tests): this class's loader and code source. */
  JpaDatabase(Database db) {
    this(db, JpaDatabase.class.getClassLoader(), null, false);
  }

  JpaDatabase(Database db, ClassLoader loader, URL unitRoot) {
    this(db, loader, unitRoot, false);
  }

  /**
   * @param loader sees the entities and the JDBC driver; in OSGi this bundle's class loader
   * @param unitRoot names the persistence unit; null for this class's code source
   * @param openInBackground open the database on a thread of its own: the server starts this bundle at a lower start
   *     level than Jetty and the REST stack, so the ~1 s EclipseLink and H2 need overlaps their start instead of
   *     adding to it. Callers that come early simply wait: {@link #factory} holds the lock while it opens.
   */
  JpaDatabase(Database db, ClassLoader loader, URL unitRoot, boolean openInBackground) {
    this.db = db;
    this.loader = loader;
    this.unitRoot = unitRoot != null ? unitRoot : codeSource();
    LOG.info("Storage uses the {} database {}", db.kind().displayName, db.redactedUrl());
    if (openInBackground) {
      Thread opener = new Thread(this::openNow, "otterbot-storage-open");
      opener.setDaemon(true);
      opener.start();
    } else {
      openNow();
    }
  }

  private void openNow() {
    try {
      factory("open the database");
    } catch (OtterbotException e) {
      synchronized (this) {
        if (closed) {
          return; // deactivated before the opener ran: nothing to report
        }
      }
      LOG.warn("The {} database is not available; storage calls fail with 503 until it is: {}",
          db.kind().displayName, reason(e));
    } catch (RuntimeException e) {
      LOG.error("Opening the {} database failed", db.kind().displayName, e);
    }
  }

  @Override
  public Database.Kind kind() {
    return db.kind();
  }

  /** Runs {@code SELECT 1}; never throws and never takes much longer than {@link #HEALTH_TIMEOUT}. */
  @Override
  public Health check() {
    // Not the URL: health never reveals paths (an H2 URL is the database file), hosts or ports.
    Map<String, Object> details = Map.of("kind", db.kind().id);
    try {
      CompletableFuture.runAsync(this::probe, healthProbes).get(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return Health.up(details);
    } catch (ExecutionException e) {
      return Health.down(reason(e.getCause()), details);
    } catch (TimeoutException e) {
      return Health.down("no answer within " + HEALTH_TIMEOUT.toSeconds() + " s", details);
    } catch (RejectedExecutionException e) {
      return Health.down("storage is shut down", details);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down("interrupted", details);
    } catch (RuntimeException e) {
      return Health.down(reason(e), details);
    }
  }

  private void probe() {
    read("check the database", em -> em.createNativeQuery("SELECT 1")
        .setHint(PersistenceUnitProperties.QUERY_TIMEOUT, (int) HEALTH_TIMEOUT.toMillis() * 2 / 3)
        .getSingleResult());
  }

  /**
   * Closes the factory, then shuts an embedded H2 database down: H2 otherwise keeps the file open in the old H2 class
   * loader, and the next activation in this JVM (a bundle refresh, a framework restart) fails with "Database may be
   * already in use".
   */
  @Deactivate
  void close() {
    EntityManagerFactory open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = factory;
      factory = null;
    }
    healthProbes.shutdownNow();
    // Held while the pool closes, so that H2 does not close the database with the pool's last connection only to
    // open it again for SHUTDOWN. IFEXISTS: never create an empty database just to shut it down.
    Connection last = db.embedded() ? connectQuietly(db.url() + ";IFEXISTS=TRUE", open != null) : null;
    if (open != null) {
      try {
        open.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing the {} database connections failed: {}", db.kind().displayName, reason(e));
      }
    }
    if (last != null) {
      try (last; Statement statement = last.createStatement()) {
        statement.execute("SHUTDOWN");
      } catch (SQLException e) {
        LOG.warn("H2 SHUTDOWN failed: {}", reason(e));
      }
    }
    LOG.info("Storage closed the {} database {}", db.kind().displayName, db.redactedUrl());
  }

  @Override
  public <T> T read(String what, Function<EntityManager, T> work) {
    EntityManager em = entityManager(what);
    try {
      return work.apply(em);
    } catch (OtterbotException e) {
      throw e;
    } catch (RuntimeException e) {
      throw unavailable(what, e);
    } finally {
      closeQuietly(em);
    }
  }

  @Override
  public <T> T write(String what, Collection<String> masked, Function<EntityManager, T> work) {
    EntityManager em = entityManager(what);
    EntityTransaction tx = em.getTransaction();
    try {
      tx.begin();
      T result = work.apply(em);
      tx.commit();
      return result;
    } catch (OtterbotException e) {
      throw e;
    } catch (RuntimeException e) {
      throw unavailable(what, e, masked);
    } finally {
      if (tx.isActive()) {
        try {
          tx.rollback();
        } catch (RuntimeException e) {
          LOG.debug("Rollback failed", db.redact(e, masked));
        }
      }
      closeQuietly(em);
    }
  }

  private EntityManager entityManager(String what) {
    EntityManagerFactory open = factory(what);
    try {
      return open.createEntityManager();
    } catch (RuntimeException e) {
      throw unavailable(what, e);
    }
  }

  private synchronized EntityManagerFactory factory(String what) {
    if (closed) {
      throw new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot " + what + ": storage is shut down");
    }
    if (factory == null) {
      factory = open(what);
    }
    return factory;
  }

  private EntityManagerFactory open(String what) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // Some EclipseLink and driver code looks classes and resources up through the context class loader.
    thread.setContextClassLoader(loader);
    EclipseLinkLog.OPENING.set(Boolean.TRUE);
    EntityManagerFactory created = null;
    try {
      if (db.schema() != null) {
        try (Connection connection = connect(db.url()); Statement statement = connection.createStatement()) {
          statement.execute("CREATE SCHEMA IF NOT EXISTS " + db.schema()); // validated: letters, digits, _
        }
      }
      created = new PersistenceProvider()
          .createContainerEntityManagerFactory(new UnitInfo(loader, unitRoot), properties());
      // EclipseLink connects, and creates or extends the tables, at the first EntityManager, not above.
      created.createEntityManager().close();
      createIndexes(created);
      return created;
    } catch (RuntimeException | SQLException e) {
      if (created != null) {
        try {
          created.close();
        } catch (RuntimeException ignored) {
          // the original failure is the one to report
        }
      }
      throw unavailable(what, e);
    } finally {
      EclipseLinkLog.OPENING.remove();
      thread.setContextClassLoader(previous);
    }
  }

  /**
   * The secondary indexes, created here rather than by EclipseLink's DDL generation, which writes them without the
   * configured schema. IF NOT EXISTS (H2; PostgreSQL 9.5 and later) makes this a no-op on every later start.
   */
  private void createIndexes(EntityManagerFactory created) {
    EntityManager em = created.createEntityManager();
    try {
      em.getTransaction().begin();
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS conversations_agent ON " + qualified("conversations")
          + " (agent_id)").executeUpdate();
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS scheduled_tasks_agent ON " + qualified("scheduled_tasks")
          + " (agent_id)").executeUpdate();
      // The newest and the least valuable of one agent's memories are the frequent reads; both filter by agent.
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS memories_agent_updated ON " + qualified("memories")
          + " (agent_id, updated_at)").executeUpdate();
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS conversation_learning_agent ON "
          + qualified("conversation_learning") + " (agent_id)").executeUpdate();
      // One agent's skills in creation order: every prompt and every listing reads them so.
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS skills_agent_position ON " + qualified("skills")
          + " (agent_id, position)").executeUpdate();
      // Every new agent takes MAX(position) + 1: without this index that is a scan of the whole table per create.
      em.createNativeQuery("CREATE INDEX IF NOT EXISTS agents_position ON " + qualified("agents")
          + " (position)").executeUpdate();
      em.getTransaction().commit();
    } finally {
      if (em.getTransaction().isActive()) {
        em.getTransaction().rollback();
      }
      em.close();
    }
  }

  @Override
  public String qualified(String table) {
    return db.schema() == null ? table : db.schema() + "." + table;
  }

  private Map<String, Object> properties() {
    Map<String, Object> p = new HashMap<>();
    p.put(PersistenceUnitProperties.JDBC_DRIVER, db.kind().driverClass);
    p.put(PersistenceUnitProperties.JDBC_URL, db.url());
    if (db.user() != null) {
      p.put(PersistenceUnitProperties.JDBC_USER, db.user());
    }
    p.put(PersistenceUnitProperties.JDBC_PASSWORD, db.password());
    p.put(PersistenceUnitProperties.TARGET_DATABASE, db.kind().platformClass);
    // The OSGi-critical line: EclipseLink loads the entities, the driver and our logger through this loader.
    p.put(PersistenceUnitProperties.CLASSLOADER, loader);
    p.put(PersistenceUnitProperties.SESSION_NAME, "otterbot-" + SESSIONS.incrementAndGet());
    // Dynamic weaving needs a Java agent or an OSGi weaving hook; without weaving EclipseLink compares with a copy.
    p.put(PersistenceUnitProperties.WEAVING, "false");
    p.put(PersistenceUnitProperties.DDL_GENERATION, PersistenceUnitProperties.CREATE_OR_EXTEND);
    p.put(PersistenceUnitProperties.DDL_GENERATION_MODE, PersistenceUnitProperties.DDL_DATABASE_GENERATION);
    // Another process may write the same tables; see also UnitInfo.getSharedCacheMode().
    p.put(PersistenceUnitProperties.CACHE_SHARED_DEFAULT, "false");
    p.put(pool(PersistenceUnitProperties.CONNECTION_POOL_INITIAL), "1");
    // Min = max: EclipseLink's pool closes a released connection whenever more than min are open, so with a min of 2
    // any third concurrent transaction opened a new connection (an H2 session, or a PostgreSQL login) and threw it
    // away afterwards, with its prepared statements (issue 12). Connections are still opened only when needed.
    p.put(pool(PersistenceUnitProperties.CONNECTION_POOL_MIN), String.valueOf(db.poolMax()));
    p.put(pool(PersistenceUnitProperties.CONNECTION_POOL_MAX), String.valueOf(db.poolMax()));
    p.put(pool(PersistenceUnitProperties.CONNECTION_POOL_WAIT), String.valueOf(POOL_WAIT_MILLIS));
    // Each pooled connection keeps its prepared statements (issue 12): without this every statement of every
    // transaction was prepared again, and H2 tokenized and parsed its SQL again each time (a chat turn's appends and
    // reads showed up as H2's parser in the profile).
    p.put(PersistenceUnitProperties.CACHE_STATEMENTS, "true");
    p.put(PersistenceUnitProperties.CACHE_STATEMENTS_SIZE, "128");
    if (db.kind() == Database.Kind.POSTGRESQL) {
      p.put(PersistenceUnitProperties.JDBC_PROPERTY + "connectTimeout", POSTGRESQL_CONNECT_TIMEOUT);
      // Without this pgjdbc appends the server's DETAIL to exception messages, and for a failed insert that is
      // "Failing row contains (...)" with the row's values, a sealed secret among them.
      p.put(PersistenceUnitProperties.JDBC_PROPERTY + "logServerErrorDetail", "false");
    }
    if (db.schema() != null) {
      String schema = db.schema();
      p.put(PersistenceUnitProperties.SESSION_CUSTOMIZER,
          (SessionCustomizer) session -> session.getLogin().setTableQualifier(schema));
    }
    p.put(PersistenceUnitProperties.LOGGING_LOGGER, EclipseLinkLog.class.getName());
    p.put(PersistenceUnitProperties.LOGGING_LEVEL, "WARNING");
    // EclipseLink quotes a failed statement's bind values in its exception messages and log entries unless told
    // not to; they include agents' sealed secrets and users' messages.
    p.put(PersistenceUnitProperties.LOGGING_PARAMETERS, "false");
    p.put(PersistenceUnitProperties.EXCLUDE_ECLIPSELINK_ORM_FILE, "true");
    return p;
  }

  private static String pool(String property) {
    return PersistenceUnitProperties.CONNECTION_POOL + "default." + property;
  }

  /** A connection straight from the driver, loaded by name like EclipseLink does (DriverManager cannot see it in OSGi). */
  private Connection connect(String url) throws SQLException {
    Driver driver;
    try {
      driver = (Driver) loader.loadClass(db.kind().driverClass).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new SQLException("the JDBC driver " + db.kind().driverClass + " is not available", e);
    }
    Properties info = new Properties();
    if (db.user() != null) {
      info.setProperty("user", db.user());
    }
    info.setProperty("password", db.password());
    Connection connection = driver.connect(url, info);
    if (connection == null) {
      throw new SQLException("the JDBC driver " + db.kind().driverClass + " does not accept the URL");
    }
    return connection;
  }

  private Connection connectQuietly(String url, boolean expected) {
    try {
      return connect(url);
    } catch (SQLException e) {
      if (expected) {
        LOG.warn("Cannot connect to shut H2 down: {}", reason(e));
      } else {
        LOG.debug("No H2 database to shut down: {}", reason(e));
      }
      return null;
    }
  }

  private OtterbotException unavailable(String what, Throwable e) {
    return unavailable(what, e, List.of());
  }

  private OtterbotException unavailable(String what, Throwable e, Collection<String> masked) {
    return new OtterbotException(OtterbotException.Kind.UNAVAILABLE, "cannot " + what + ": database unavailable",
        db.redact(e, masked));
  }

  /**
   * What an operator needs to act, password-free and on one line: the message of the innermost exception that is not
   * the JDK's (the driver's "Connection to host:port refused. Check that ..." says more than the
   * java.net.ConnectException beneath it), else of the innermost one.
   */
  private String reason(Throwable e) {
    Throwable innermost = e;
    Throwable innermostNotJdk = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      innermost = t;
      String type = t instanceof Redaction.Failure f ? f.originalClass() : t.getClass().getName();
      if (!type.startsWith("java.") && !type.startsWith("javax.")) {
        innermostNotJdk = t;
      }
    }
    // e itself is usually our own "cannot ...: database unavailable", which says nothing about the cause.
    Throwable chosen = innermostNotJdk != null && innermostNotJdk != e ? innermostNotJdk : innermost;
    String message = chosen.getMessage() == null ? chosen.toString() : chosen.getMessage();
    message = db.redact(message.strip().lines().findFirst().orElse(message));
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }

  private void closeQuietly(EntityManager em) {
    try {
      em.close();
    } catch (RuntimeException e) {
      LOG.debug("Closing an EntityManager failed", db.redact(e));
    }
  }

  private static URL bundleRoot(BundleContext context) {
    return context.getBundle().getEntry("/");
  }

  private static URL codeSource() {
    CodeSource source = JpaDatabase.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new IllegalStateException("cannot name the persistence unit: no code source for " + JpaDatabase.class);
    }
    return source.getLocation();
  }
}
