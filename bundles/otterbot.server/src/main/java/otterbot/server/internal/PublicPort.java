package otterbot.server.internal;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;
import org.osgi.service.metatype.annotations.Designate;

import com.corundumstudio.socketio.SocketIOServer;

import otterbot.api.runtime.ServerEnvironment;

/**
 * Runs the {@link Front} on the address from the {@link ServerEnvironment} for as long as the component is active.
 *
 * <p>Registered as a service of this (private) type so the components of this bundle can reach it: the health checks,
 * and the Socket.IO chat adapter, which adds its event listeners to {@link #socketIo()}.
 */
@Component(service = PublicPort.class, immediate = true, configurationPid = PublicPort.PID)
@Designate(ocd = PublicPortConfiguration.class)
public final class PublicPort {
  static final String PID = "otterbot.server";

  private final Front front;
  /** The internal HTTP service ({@code http://host:port}), read by the forwarder on every request. */
  private final AtomicReference<URI> backend = new AtomicReference<>();
  /** {@code service.id} of the HttpServiceRuntime the backend address came from. */
  private Object boundRuntime;

  /**
   * @param apiGate holds {@code /api} requests back while the REST application is being built
   * @param guard lets only the front into Jetty; its key goes with every forwarded request
   * @param jetty Jetty's in-process connector, used whenever it runs (over TCP otherwise)
   */
  @Activate
  public PublicPort(@Reference ServerEnvironment environment, @Reference ApiGate apiGate,
      @Reference InternalPortGuard guard, @Reference InProcessJetty jetty, PublicPortConfiguration config) {
    var settings = new FrontSettings(environment.host(), environment.port(), config.maxRequestBytes(),
        config.backendConnectTimeoutMillis(), config.workerThreads(), config.idleTimeoutSeconds(),
        config.maxConnections(), config.maxSessions(), access(environment, config),
        new EngineIoTimings(config.pingIntervalMillis(), config.pingTimeoutMillis(), config.connectTimeoutMillis()));
    this.front = Front.start(settings, backend::get, jetty::current, apiGate::isOpen, guard.key());
  }

  /** The token is read or generated only when it is required: off loopback, or on loopback with requireToken. */
  static Access access(ServerEnvironment environment, PublicPortConfiguration config) {
    var access = new Access(Access.list(config.allowedHosts()), Access.list(config.allowedOrigins()), null);
    if (config.requireToken() || !Admission.isLoopback(environment.host())) {
      access = access.withToken(ApiToken.resolve(System.getenv(ApiToken.ENV), environment.home()));
    }
    return access;
  }

  /*
   * The HTTP service is a dynamic reference, bound through methods rather than the constructor: Jetty restarts when
   * its configuration changes, and the public port must not go down with it (that would drop every Socket.IO client).
   * While it is away the forwarder answers 503. Only the endpoint property is needed, so the methods take the
   * properties, not the service object.
   */
  @Reference(
      service = HttpServiceRuntime.class,
      cardinality = ReferenceCardinality.OPTIONAL,
      policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  synchronized void bindHttpServiceRuntime(Map<String, Object> properties) {
    boundRuntime = properties.get(Constants.SERVICE_ID);
    backend.set(HttpEndpoints.backend(properties.get(HttpEndpoints.ENDPOINT_PROPERTY)));
  }

  /** Jetty publishes its endpoint again when its port changes. */
  synchronized void updatedHttpServiceRuntime(Map<String, Object> properties) {
    if (Objects.equals(boundRuntime, properties.get(Constants.SERVICE_ID))) {
      backend.set(HttpEndpoints.backend(properties.get(HttpEndpoints.ENDPOINT_PROPERTY)));
    }
  }

  /** With a greedy reference a better service is bound before the old one is unbound: only forget our own. */
  synchronized void unbindHttpServiceRuntime(Map<String, Object> properties) {
    if (Objects.equals(boundRuntime, properties.get(Constants.SERVICE_ID))) {
      boundRuntime = null;
      backend.set(null);
    }
  }

  @Deactivate
  void deactivate() {
    front.close();
  }

  Front front() {
    return front;
  }

  /** The Socket.IO server on the public port, for event listeners (netty-socketio takes them while it runs). */
  public SocketIOServer socketIo() {
    return front.socketIo();
  }

  /** The internal HTTP service's address, or {@code null} while it is not running. */
  URI backend() {
    return backend.get();
  }
}
