package otterbot.provider.support;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import otterbot.api.provider.ChatCall;

/**
 * One streamed HTTP exchange: reads the response line by line as it arrives ({@link LineSplitter}), parses SSE and
 * hands every event to the decoder at once, so tokens reach the sink without buffering. A non-2xx answer, a transport
 * error, a cut stream and an idle stream each end the step with a failure.
 */
final class StreamingCall implements ChatCall, HttpResponse.BodySubscriber<Void> {
  private static final System.Logger LOG = System.getLogger(StreamingCall.class.getName());
  /** The longest SSE line accepted (a model's events are small; this only bounds a broken or hostile stream). */
  static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

  private final ProviderRuntime runtime;
  private final GuardedSink sink;
  private final StreamDecoder decoder;
  private final Failures failures;
  private final SseParser parser = new SseParser();
  private final LineSplitter splitter = new LineSplitter(MAX_LINE_BYTES);
  /** Completes when the body ends, however it ends: the exchange's future follows it. */
  private final CompletableFuture<Void> body = new CompletableFuture<>();

  private volatile long lastActivity = System.nanoTime();
  private volatile boolean aborted;
  private volatile boolean responded;
  private volatile Flow.Subscription subscription;
  private volatile CompletableFuture<?> exchange;

  StreamingCall(ProviderRuntime runtime, GuardedSink sink, StreamDecoder decoder, Failures failures) {
    this.runtime = runtime;
    this.sink = sink;
    this.decoder = decoder;
    this.failures = failures;
  }

  void start(HttpRequest request) {
    HttpClient client = runtime.client();
    if (client == null) {
      // The provider stopped after this call was registered; stopping has already failed it.
      return;
    }
    CompletableFuture<HttpResponse<Void>> future = client.sendAsync(request, this::bodySubscriber);
    exchange = future;
    // On a provider thread: a request that fails at once would otherwise complete on the caller's thread, inside chat(),
    // where no sink may hear from it (the stream itself is delivered on the client's selector thread).
    future.whenCompleteAsync((response, error) -> {
      if (error != null) {
        transportFailed(error);
      }
      runtime.forget(this);
    }, runtime::report);
    if (aborted) {
      future.cancel(true);
    }
  }

  @Override
  public void cancel() {
    sink.close();
    abort();
  }

  /** Ends the call because its provider is going away. */
  void stop(String message) {
    sink.failed(message);
    abort();
  }

  /** Called by the watchdog: ends the call when nothing arrived for longer than the idle timeout. */
  void checkIdle(long now) {
    if (now - lastActivity >= runtime.idleTimeout().toNanos()) {
      // A completed step whose stream never ends is dropped silently: the sink is done, only the connection remains.
      sink.failed(failures.idle(runtime.idleTimeout()));
      abort();
    }
  }

  private BodySubscriber<Void> bodySubscriber(ResponseInfo info) {
    responded = true;
    lastActivity = System.nanoTime();
    if (info.statusCode() / 100 == 2) {
      return this;
    }
    return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
      sink.failed(failures.status(info.statusCode(), info.headers(), body));
      return null;
    });
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (aborted) {
      subscription.cancel();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public CompletionStage<Void> getBody() {
    return body;
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    try {
      for (ByteBuffer buffer : buffers) {
        splitter.feed(buffer, this::line, this::stopped);
        if (stopped()) {
          break;
        }
      }
    } catch (LineSplitter.LineTooLong e) {
      sink.failed(failures.malformed());
    }
    if (stopped()) {
      abort();
    } else {
      // One body part at a time, each handled to the end before the next is asked for: the connection is only read as
      // fast as the sink takes the deltas.
      subscription.request(1);
    }
  }

  /** The call is over for us: aborted, or the sink is done without having completed (failed, closed). */
  private boolean stopped() {
    return aborted || sink.isDone() && !sink.isCompleted();
  }

  private void line(String line) {
    // Only data counts as activity: a model that sends nothing but SSE comments (": ping" heartbeats) and blank lines
    // is as stuck as a silent one, and must hit the idle timeout.
    if (!line.isEmpty() && line.charAt(0) != ':') {
      lastActivity = System.nanoTime();
    }
    try {
      SseEvent event = parser.line(line);
      if (event != null) {
        decoder.onEvent(event);
      }
    } catch (IOException e) {
      sink.failed(failures.malformed());
    } catch (RuntimeException e) {
      sinkBroke(e);
    }
  }

  @Override
  public void onError(Throwable error) {
    if (!aborted) {
      sink.failed(failures.streamCut());
    }
    body.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    try {
      String unterminated = splitter.finish();
      if (unterminated != null) {
        line(unterminated);
      }
      SseEvent last = parser.finish();
      if (last != null) {
        decoder.onEvent(last);
      }
      decoder.onEnd();
    } catch (IOException e) {
      sink.failed(failures.malformed());
    } catch (RuntimeException e) {
      sinkBroke(e);
    }
    sink.failed(failures.streamCut());
    body.complete(null);
  }

  private void transportFailed(Throwable error) {
    if (aborted) {
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    sink.failed(responded ? failures.streamCut() : failures.unreachable(cause));
  }

  /** The server's sink threw: a bug on its side. The call is abandoned rather than fed into a broken sink. */
  private void sinkBroke(RuntimeException e) {
    LOG.log(System.Logger.Level.ERROR, "A chat sink threw; the provider call was abandoned", e);
    sink.close();
  }

  /** Closes the exchange and its connection. Idempotent. */
  private void abort() {
    aborted = true;
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
    // Cancelling the body subscription closes the connection but never completes the exchange's future, so the
    // future is cancelled too; before the response arrives, that alone aborts the exchange.
    CompletableFuture<?> future = exchange;
    if (future != null) {
      future.cancel(true);
    }
    runtime.forget(this);
  }
}
