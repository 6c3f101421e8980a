package otterbot.server.internal;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;

import otterbot.server.internal.InProcessJetty.FrontConnector;

/**
 * The internal HTTP service as the front sees it: where it is right now, whether its REST API is served yet, and the
 * connections to it.
 */
final class Backend {
  private final Supplier<URI> address;
  private final Supplier<FrontConnector> inProcess;
  private final BooleanSupplier apiReady;
  private final int connectTimeoutMillis;
  private final String key;
  private final ConcurrentHashMap<EventLoop, BackendPool> pools = new ConcurrentHashMap<>();

  /**
   * @param address read once per forwarded request, so it must be cheap (an atomic read); {@code null} while the HTTP
   *     service is not running
   * @param apiReady read once per {@code /api} request, so it must be cheap too (a volatile read); {@code false} while
   *     the REST application is not built yet, which the front answers with 503
   * @param inProcess Jetty's in-process connector ({@link InProcessJetty}), read once per forwarded request (a
   *     volatile read); {@code null} while it is not running, and then requests go to {@code address} over TCP
   * @param key what Jetty's {@link InternalPortGuard} lets in, or {@code null} (tests with a Jetty of their own)
   */
  Backend(Supplier<URI> address, Supplier<FrontConnector> inProcess, BooleanSupplier apiReady,
      int connectTimeoutMillis, String key) {
    this.address = address;
    this.inProcess = inProcess;
    this.apiReady = apiReady;
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.key = key;
  }

  /** The key sent with every forwarded request ({@link InternalPortGuard}); {@code null} sends none. */
  String key() {
    return key;
  }

  /** Where to forward a request now: Jetty's in-process connector, else its TCP address, else {@code null}. */
  Object target() {
    FrontConnector connector = inProcess.get();
    return connector != null ? connector : address.get();
  }

  boolean apiReady() {
    return apiReady.getAsBoolean();
  }

  /** The pool of the loop serving a front connection; looked up once per connection. */
  BackendPool pool(EventLoop loop) {
    return pools.computeIfAbsent(loop, l -> new BackendPool(l, connectTimeoutMillis));
  }

  void close() {
    pools.values().forEach(BackendPool::close);
  }
}
