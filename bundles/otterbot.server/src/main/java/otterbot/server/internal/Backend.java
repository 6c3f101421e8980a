package otterbot.server.internal;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.netty.channel.EventLoop;

/** The internal HTTP service as the front sees it: where it is right now, and the connections to it. */
final class Backend {
  private final Supplier<URI> address;
  private final int connectTimeoutMillis;
  private final ConcurrentHashMap<EventLoop, BackendPool> pools = new ConcurrentHashMap<>();

  /**
   * @param address read once per forwarded request, so it must be cheap (an atomic read); {@code null} while the HTTP
   *     service is not running
   */
  Backend(Supplier<URI> address, int connectTimeoutMillis) {
    this.address = address;
    this.connectTimeoutMillis = connectTimeoutMillis;
  }

  URI address() {
    return address.get();
  }

  /** The pool of the loop serving a front connection; looked up once per connection. */
  BackendPool pool(EventLoop loop) {
    return pools.computeIfAbsent(loop, l -> new BackendPool(l, connectTimeoutMillis));
  }

  void close() {
    pools.values().forEach(BackendPool::close);
  }
}
