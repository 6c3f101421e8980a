package otterbot.boot.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.hooks.service.EventListenerHook;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import otterbot.api.health.HealthCheck;
import otterbot.api.runtime.ServerEnvironment;

/**
 * Resolves the {@link ServerEnvironment} and prepares the home directory before the rest of the server starts.
 *
 * <p>This is an activator rather than a DS component on purpose: Felix FileInstall reads the directories to watch
 * from {@code felix.fileinstall.dir} once, when it starts, and the framework answers that property from the system
 * properties when the launch configuration leaves it unset. Running at a lower start level than FileInstall is the
 * only way to point it at {@code <home>/etc} and {@code <home>/deploy} chosen by {@code --home}.
 */
public final class BootActivator implements BundleActivator {
  /** The bnd launcher registers itself with the program arguments under this property. */
  private static final String LAUNCHER_ARGUMENTS = "launcher.arguments";

  /** How long a SIGTERM waits for the framework to stop every bundle before the JVM exits anyway. */
  private static final long STOP_TIMEOUT_MILLIS = 10_000;

  /** How long after the framework started the public port's health check may take to appear. */
  private static final long PORT_CHECK_NANOS = 5_000_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(BootActivator.class);

  private ServiceRegistration<ServerEnvironment> registration;
  private Thread shutdownHook;
  private HomeLock homeLock;

  @Override
  public void start(BundleContext context) throws Exception {
    BootOptions options;
    try {
      options = BootOptions.resolve(arguments(context), System.getenv(), systemProperties());
    } catch (IllegalArgumentException e) {
      // The launcher prints this and the framework stops the bundle; the server would otherwise come up with
      // settings the operator did not ask for.
      System.err.println("otterbot: " + e.getMessage());
      exitSoon(2);
      throw e;
    }
    Environment env = new Environment(options.home(), options.host(), options.port());
    for (var dir : List.of(env.home(), env.etcDirectory(), env.deployDirectory(), env.databaseDirectory())) {
      try {
        createOwnerOnly(dir);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create directory " + dir + ": " + e.getMessage(), e);
      }
    }
    lockHome(env.home());
    String keyProblem = keyFileProblem(System.getenv("OTTERBOT_SECRET_KEY"), env.home().resolve("secret.key"));
    if (keyProblem != null) {
      // The core would refuse the key anyway; stopping here says why once, instead of a server without settings.
      System.err.println("otterbot: " + keyProblem);
      LOG.error(keyProblem);
      exitSoon(1);
      throw new IllegalStateException(keyProblem);
    }
    if (context.getProperty("felix.fileinstall.dir") == null) {
      System.setProperty("felix.fileinstall.dir", env.etcDirectory() + "," + env.deployDirectory());
    }
    forgetInstalledFrom(context, watchedDirectories(context.getProperty("felix.fileinstall.dir")));
    var props = new Hashtable<String, Object>();
    props.put(Constants.SERVICE_DESCRIPTION, "OtterBot server environment");
    registration = context.registerService(ServerEnvironment.class, env, props);
    LOG.info("Home {}", env.home());
    if (!LoggerFactory.getLogger("Events.Service").isInfoEnabled()) {
      context.registerService(EventListenerHook.class, new QuietServiceEvents(), null);
    }

    // The bnd launcher's own shutdown hook only deletes its temporary directory; without this, SIGTERM would end
    // the JVM without stopping a single bundle (no database shutdown, no socket close, no log line).
    Framework framework = (Framework) context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION);
    shutdownHook = new Thread(() -> stopFramework(framework), "otterbot-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);

    // A server whose public port did not open is of no use to anyone: say so and exit instead of idling.
    // The bnd launcher raises the start level after starting the framework, so "all bundles started" arrives as
    // STARTLEVEL_CHANGED there and as STARTED in other launchers.
    var checked = new java.util.concurrent.atomic.AtomicBoolean();
    context.addFrameworkListener(event -> {
      if ((event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED)
          && !checked.getAndSet(true)) {
        new Thread(() -> checkPublicPort(context, env), "otterbot-port-check").start();
      }
    });
  }

  /**
   * Takes the home's lock ({@link HomeLock}), or stops this server with a message when another one holds it, before
   * anything in the home is touched beyond making its missing folders (the lock file lives in the home). A file system
   * that cannot lock (some network ones) gets a warning, not a refusal.
   */
  private void lockHome(Path home) {
    HomeLock lock;
    try {
      lock = HomeLock.acquire(home);
    } catch (IOException e) {
      LOG.warn("Could not lock the home {} ({}); nothing stops a second server from using it at the same time", home,
          e.toString());
      return;
    }
    if (lock == null) {
      String problem = "the home " + home + " is in use by another OtterBot server (" + home.resolve(HomeLock.FILE)
          + " is locked); stop that server first, or start this one with another --home";
      System.err.println("otterbot: " + problem);
      LOG.error(problem);
      exitSoon(1);
      throw new IllegalStateException(problem);
    }
    homeLock = lock;
  }

  /**
   * Uninstalls the bundles FileInstall installed from {@code watched} in an earlier run, before FileInstall starts
   * (start level 15; this bundle's is 10). The start script keeps the framework cache in the home between starts, and
   * with it those bundles: the framework would start them at their start level whatever FileInstall then found, so a
   * plug-in deleted from {@code deploy/} while the server was stopped came back (seen). The folder decides, as it did
   * when every start had a new cache: FileInstall's first scan installs again each jar still there.
   */
  private static void forgetInstalledFrom(BundleContext context, List<Path> watched) {
    for (Bundle bundle : context.getBundles()) {
      Path file = installedFrom(bundle.getLocation(), watched);
      if (file != null) {
        try {
          bundle.uninstall();
          LOG.debug("Uninstalled {} of an earlier run; FileInstall installs {} again if it is still there",
              bundle.getSymbolicName(), file);
        } catch (BundleException | IllegalStateException e) {
          LOG.warn("Could not uninstall {} of an earlier run ({}): {}", bundle.getSymbolicName(), file, e.toString());
        }
      }
    }
  }

  /** The directories of FileInstall's {@code felix.fileinstall.dir} (comma-separated), absolute and normalised. */
  static List<Path> watchedDirectories(String property) {
    if (property == null) {
      return List.of();
    }
    return Arrays.stream(property.split(",")).map(String::trim).filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir).toAbsolutePath().normalize()).toList();
  }

  /**
   * The file a bundle was installed from when its location (FileInstall's: a {@code file:} URI) names one inside
   * {@code watched}; null for every other location (the launcher's {@code jar/...}, the system bundle's).
   */
  static Path installedFrom(String location, List<Path> watched) {
    if (location == null || !location.startsWith("file:")) {
      return null;
    }
    Path file;
    try {
      file = Path.of(URI.create(location)).toAbsolutePath().normalize();
    } catch (IllegalArgumentException | FileSystemNotFoundException e) {
      return null;
    }
    return watched.stream().anyMatch(dir -> file.startsWith(dir) && !file.equals(dir)) ? file : null;
  }

  /**
   * Creates {@code dir} (and missing parents) readable by its owner only: the home holds the secret key, the database
   * and the configuration, and {@code deploy/} decides which code runs. An existing directory is left as it is.
   */
  static void createOwnerOnly(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException noPosix) {
      Files.createDirectories(dir);
    }
  }

  /**
   * Why the secret key file must not be used, or null: a key file that others may read or write is no secret. Only
   * checked when the key comes from the file ({@code OTTERBOT_SECRET_KEY} unset) and the file exists.
   */
  static String keyFileProblem(String envKey, Path keyFile) {
    if (envKey != null && !envKey.isBlank() || !Files.exists(keyFile)) {
      return null;
    }
    try {
      var permissions = Files.getPosixFilePermissions(keyFile);
      permissions.remove(PosixFilePermission.OWNER_READ);
      permissions.remove(PosixFilePermission.OWNER_WRITE);
      return permissions.isEmpty() ? null : "the secret key file " + keyFile + " is readable or writable by others (mode "
          + PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)) + "); restrict it with: chmod 600 "
          + keyFile;
    } catch (UnsupportedOperationException | IOException noPosix) {
      return null;
    }
  }

  private static void checkPublicPort(BundleContext context, Environment env) {
    boolean hasServer = false;
    for (Bundle b : context.getBundles()) {
      hasServer |= "otterbot.server".equals(b.getSymbolicName());
    }
    if (!hasServer) {
      return;
    }
    long deadline = System.nanoTime() + PORT_CHECK_NANOS;
    try {
      while (System.nanoTime() < deadline) {
        ServiceReference<?>[] refs = context.getServiceReferences(HealthCheck.class.getName(),
            "(" + HealthCheck.SUBSYSTEM + "=socket)");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
          Object check = context.getService(ref);
          try {
            if (check instanceof HealthCheck h && h.check().isUp()) {
              return;
            }
          } finally {
            context.ungetService(ref);
          }
        }
        Thread.sleep(50);
      }
    } catch (InvalidSyntaxException | InterruptedException | IllegalStateException e) {
      return; // stopping anyway
    }
    LOG.error("OtterBot could not open its public port {}:{} (see the errors above); exiting", env.host(), env.port());
    exitSoon(1);
  }

  /** Exits from another thread, so the framework thread that called us is not blocked by the shutdown. */
  private static void exitSoon(int status) {
    new Thread(() -> System.exit(status), "otterbot-exit").start();
  }

  private static void stopFramework(Framework framework) {
    long start = System.nanoTime();
    LOG.info("Stopping OtterBot");
    try {
      framework.stop();
      framework.waitForStop(STOP_TIMEOUT_MILLIS);
      LOG.info("OtterBot stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
    } catch (Exception e) {
      LOG.error("Clean shutdown failed", e);
    }
  }

  @Override
  public void stop(BundleContext context) {
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is already exiting; the hook is what stops us.
      }
    }
    shutdownHook = null;
    if (registration != null) {
      registration.unregister();
      registration = null;
    }
    if (homeLock != null) {
      try {
        homeLock.close();
      } catch (IOException e) {
        LOG.warn("Could not release the home's lock: {}", e.toString());
      }
      homeLock = null;
    }
  }

  private static List<String> arguments(BundleContext context) throws InvalidSyntaxException {
    ServiceReference<?>[] refs = context.getServiceReferences(Object.class.getName(), "(" + LAUNCHER_ARGUMENTS + "=*)");
    // No launcher service when the bundles run in another launcher (a test runtime, a plain Felix): no arguments.
    for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
      Object value = ref.getProperty(LAUNCHER_ARGUMENTS);
      if (value instanceof String[] args) {
        return Arrays.asList(args);
      }
    }
    return List.of();
  }

  private static Map<String, String> systemProperties() {
    var map = new HashMap<String, String>();
    System.getProperties().forEach((k, v) -> map.put(String.valueOf(k), String.valueOf(v)));
    return map;
  }
}
