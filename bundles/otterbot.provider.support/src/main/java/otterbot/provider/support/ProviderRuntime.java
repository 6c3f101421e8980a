package otterbot.provider.support;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import otterbot.api.provider.ChatCall;
import otterbot.api.provider.ChatSink;
import otterbot.api.provider.ProviderException;

/**
 * What one provider component owns: an HTTP client (whose selector thread also delivers the streams), an executor
 * for the watchdog and for failures reported off the caller's thread (daemon threads named
 * {@code otterbot-provider-<id>-N}), the calls in flight and the watchdog that fails silent ones. {@link #close()}
 * ends all of it, so stopping or uninstalling a provider bundle leaves no call and no thread of ours behind.
 */
public final class ProviderRuntime {
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Model lists are small; a server that takes longer than this is not going to answer. */
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
  /** The watchdog checks at least this often, so an idle call fails at most this late. */
  private static final Duration LONGEST_TICK = Duration.ofSeconds(1);

  private final String providerId;
  private final Duration idleTimeout;
  private final ThreadPoolExecutor executor;
  private final Set<StreamingCall> inFlight = new HashSet<>();
  private HttpClient client;
  private boolean watching;
  private boolean closed;

  /**
   * @param idleTimeout how long a stream may stay silent before the call fails
   */
  public ProviderRuntime(String providerId, Duration idleTimeout) {
    this.providerId = providerId;
    this.idleTimeout = idleTimeout;
    AtomicInteger threads = new AtomicInteger();
    // Unbounded like a cached pool: a slow sink must not hold up the other chats of the provider. Idle threads end
    // after a while, so a provider nobody uses has none.
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
      Thread thread = new Thread(task, "otterbot-provider-" + providerId + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  public String providerId() {
    return providerId;
  }

  /** The configured idle timeout; at least one second. */
  public static Duration idleTimeout(ProviderConfiguration config) {
    return Duration.ofSeconds(Math.max(1, config.idleTimeoutSeconds()));
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Starts a streamed call: sends the request and feeds the response to the decoder, which reports to the sink.
   *
   * @param sink the guard in front of the server's sink, also given to the decoder
   */
  public ChatCall stream(HttpRequest request, GuardedSink sink, StreamDecoder decoder, Failures failures) {
    StreamingCall call = new StreamingCall(this, sink, decoder, failures);
    synchronized (this) {
      if (closed) {
        // No provider thread is left to report from; the caller hears it at once.
        sink.failed(Failures.stopped(providerId));
        return sink::close;
      }
      inFlight.add(call);
      if (!watching) {
        watching = true;
        executor.execute(this::watch);
      }
    }
    call.start(request);
    return call;
  }

  /**
   * Fails a call that cannot start (a missing key, a bad base URL). The sink hears it from a provider thread, as the
   * {@link otterbot.api.provider.ModelProvider#chat} contract promises, never from inside {@code chat}.
   */
  public ChatCall fail(ChatSink sink, String message) {
    GuardedSink guarded = new GuardedSink(sink);
    try {
      executor.execute(() -> guarded.failed(message));
    } catch (RejectedExecutionException stopped) {
      guarded.failed(Failures.stopped(providerId));
    }
    return guarded::close;
  }

  /**
   * Runs preparatory work of a call (such as refreshing a token) on the provider's threads, so it stops with them.
   *
   * @throws RejectedExecutionException when the runtime is closed
   */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /** Runs {@code task} on a provider thread, or here once the runtime is closed (its calls have all been failed then). */
  void report(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException closed) {
      task.run();
    }
  }

  /**
   * Sends a small request and returns its answer (at most {@link BoundedBody#SMALL_ANSWER} bytes), whatever the
   * status.
   *
   * @throws ProviderException when the provider cannot be reached or does not answer in time
   */
  public HttpResponse<String> fetch(HttpRequest request, Failures failures) throws ProviderException {
    return fetch(request, failures, FETCH_TIMEOUT);
  }

  /** Like {@link #fetch(HttpRequest, Failures)}, waiting at most {@code timeout} for the whole answer. */
  public HttpResponse<String> fetch(HttpRequest request, Failures failures, Duration timeout)
      throws ProviderException {
    HttpClient client = client();
    if (client == null) {
      throw new ProviderException(Failures.stopped(providerId));
    }
    CompletableFuture<HttpResponse<String>> answer =
        client.sendAsync(request, BoundedBody.ofString(BoundedBody.SMALL_ANSWER));
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new ProviderException(failures.unreachable(e.getCause()));
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new ProviderException(failures.unreachable(
          new TimeoutException("no answer within " + timeout.toSeconds() + " s")));
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new ProviderException("interrupted while waiting for the provider");
    }
  }

  /**
   * The HTTP client, created on first use (a server with several providers installed but unused then starts no client
   * threads for them); null once the runtime is closed.
   */
  synchronized HttpClient client() {
    if (closed) {
      return null;
    }
    if (client == null) {
      client = HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          // HTTP/1.1 throughout: a cancelled stream then closes its own connection (with HTTP/2 it would only reset a
          // stream on a shared one), and plain-http local servers get no h2c upgrade attempt they may mishandle.
          .version(HttpClient.Version.HTTP_1_1)
          // The client's own selector thread runs what it would hand to an executor: reading a stream's bytes, the
          // decoder and the sink. Each token used to cross to a provider thread first, one wake-up per token (issue
          // 12, measured: 50 chats 29-30k -> 31-40k tokens/s, 41-42 -> 29-38 ms CPU per 1,000 tokens). Nothing on
          // that path blocks: the sinks only append and hand chunks to netty, and waits (a fetch's join, a turn's
          // await) happen on the callers' threads.
          .executor(Runnable::run)
          .build();
    }
    return client;
  }

  synchronized void forget(StreamingCall call) {
    inFlight.remove(call);
  }

  /**
   * Fails every call in flight with "provider &lt;id&gt; was stopped" (calls already cancelled stay silent), closes
   * their connections and stops the threads. Later calls fail at once.
   */
  public void close() {
    List<StreamingCall> calls;
    synchronized (this) {
      closed = true;
      calls = List.copyOf(inFlight);
      // On Java 17 an HttpClient cannot be shut down; its selector thread ends once the client is unreachable.
      client = null;
    }
    for (StreamingCall call : calls) {
      call.stop(Failures.stopped(providerId));
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The watchdog: one loop per runtime, on the executor, alive only while calls are in flight. One loop for all calls
   * keeps a fast stream from rescheduling a timer per token.
   */
  private void watch() {
    long tick = Math.max(10, Math.min(LONGEST_TICK.toMillis(), idleTimeout.toMillis() / 4));
    try {
      while (true) {
        Thread.sleep(tick);
        List<StreamingCall> calls;
        synchronized (this) {
          if (inFlight.isEmpty() || closed) {
            watching = false;
            return;
          }
          calls = List.copyOf(inFlight);
        }
        long now = System.nanoTime();
        for (StreamingCall call : calls) {
          call.checkIdle(now);
        }
      }
    } catch (InterruptedException e) {
      synchronized (this) {
        watching = false;
      }
    }
  }
}
