package otterbot.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import otterbot.testsupport.FakeModelServer;
import otterbot.testsupport.RecordedRequest;
import otterbot.testsupport.Reply;

/**
 * The OpenAI-compatible {@link FakeModelServer} (otterbot.testsupport) answering every chat request with a stream of
 * tokens whose text is the {@link System#nanoTime()} at which the fake produced it. The token supplier runs right
 * before the fake serialises and flushes the token's SSE frame, so "emitted" here is a few microseconds before the
 * bytes reach the socket: relay figures err on the high side, never the low one.
 *
 * <p>The fake and the Socket.IO clients live in this JVM and share its monotonic clock, so {@code received - text}
 * is the relay time through the server with no clock skew. Each chat message the benchmark sends carries a
 * {@code #<id>} tag; the fake notes the {@code nanoTime} at which a request with that tag arrived (after its body was
 * read), for the time-to-first-token overhead.
 */
final class StampingFake implements AutoCloseable {
  private static final Pattern TAG = Pattern.compile("#(\\d+)");

  private final FakeModelServer server;
  private volatile int tokensPerReply = 100;
  private volatile Duration spacing = Duration.ZERO;
  private final Map<Long, Long> arrivals = new ConcurrentHashMap<>();
  private final AtomicLong chatRequests = new AtomicLong();
  private final AtomicLong otherRequests = new AtomicLong();
  private volatile boolean keepArrivals = true;

  private StampingFake(FakeModelServer server) {
    this.server = server;
  }

  static StampingFake start() throws IOException {
    // FakeModelServer turns Nagle's algorithm off itself (sun.net.httpserver.nodelay), as real providers stream.
    var fake = new StampingFake(FakeModelServer.start());
    fake.server.respond(fake::answer);
    return fake;
  }

  private Reply answer(RecordedRequest request) {
    long arrived = System.nanoTime();
    if (!request.isChat()) {
      otherRequests.incrementAndGet();
      return Reply.models(FakeModelServer.DEFAULT_MODEL);
    }
    chatRequests.incrementAndGet();
    if (keepArrivals) {
      Matcher m = TAG.matcher(request.lastUserText());
      if (m.find()) {
        arrivals.put(Long.parseLong(m.group(1)), arrived);
      }
    }
    Reply.Stream reply = Reply.tokens(tokensPerReply, i -> Long.toString(System.nanoTime()));
    Duration d = spacing;
    return d.isZero() ? reply : reply.delayEachStep(d);
  }

  /** Every later reply: {@code tokens} stamped tokens, each after a pause of {@code spacing} (zero: back to back). */
  void configure(int tokens, Duration spacing, boolean keepArrivals) {
    this.tokensPerReply = tokens;
    this.spacing = spacing;
    this.keepArrivals = keepArrivals;
    arrivals.clear();
  }

  /** When the chat request tagged {@code #id} arrived, or -1. */
  long arrivalNanos(long id) {
    Long t = arrivals.get(id);
    return t == null ? -1 : t;
  }

  long chatRequests() {
    return chatRequests.get();
  }

  long otherRequests() {
    return otherRequests.get();
  }

  int clientDisconnects() {
    return server.clientDisconnects();
  }

  /** {@code http://127.0.0.1:<port>/v1}. */
  String baseUrl() {
    return server.baseUrl();
  }

  @Override
  public void close() {
    server.close();
  }
}
