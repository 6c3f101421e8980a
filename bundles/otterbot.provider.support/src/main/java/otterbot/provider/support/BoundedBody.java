package otterbot.provider.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as UTF-8 text of at most a given number of bytes. The JDK's {@code ofString} reads whatever a
 * server sends; the small answers providers and issuers give (model lists, tokens) are kilobytes, and a server that
 * sends gigabytes must not fill the heap. Past the bound the exchange is cancelled and the body fails with an
 * {@link IOException} that says so.
 */
public final class BoundedBody {
  /** Bound of the small answers {@link ProviderRuntime#fetch} reads: model lists are tens of KiB. */
  public static final int SMALL_ANSWER = 4 * 1024 * 1024;

  private BoundedBody() {}

  /** A handler reading the body as UTF-8, failing once it exceeds {@code maxBytes}. */
  public static HttpResponse.BodyHandler<String> ofString(int maxBytes) {
    return info -> new Subscriber(maxBytes);
  }

  private static final class Subscriber implements HttpResponse.BodySubscriber<String> {
    private final int maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<String> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    Subscriber(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    @Override
    public CompletionStage<String> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > maxBytes) {
          subscription.cancel();
          body.completeExceptionally(new IOException("the answer is larger than " + maxBytes + " bytes"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
