package otterbot.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import otterbot.api.provider.ToolCall;

/**
 * A fake model server on {@code 127.0.0.1} and a free port, for tests and benchmarks. It serves
 * {@code POST /v1/chat/completions} (OpenAI SSE), {@code POST /v1/messages} (Anthropic SSE), {@code GET /v1/models} and
 * {@code POST /v1/embeddings} (OpenAI, deterministic hashed vectors by default: see {@link Reply#hashedVector}), answers
 * each with the {@link Reply} its responder returns, and records every request.
 *
 * <p>Requests are served in parallel on a thread pool, so many chats can stream at once.
 */
public final class FakeModelServer implements AutoCloseable {
  /** The model the default responder lists. */
  public static final String DEFAULT_MODEL = "fake-model";

  private static final Duration LONGEST_STALL = Duration.ofMinutes(10);

  private final HttpServer server;
  private final ExecutorService pool;
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicInteger clientDisconnects = new AtomicInteger();
  private volatile Function<RecordedRequest, Reply> responder = FakeModelServer::echo;

  private FakeModelServer(HttpServer server, ExecutorService pool) {
    this.server = server;
    this.pool = pool;
  }

  /** Starts a server on a free loopback port. */
  public static FakeModelServer start() throws IOException {
    // Without TCP_NODELAY a token frame can wait ~40 ms for the previous one's acknowledgement (Nagle), which is not
    // how a model server streams. The JDK server reads the property once, when its first instance starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "fake-model-server-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(pool);
    FakeModelServer fake = new FakeModelServer(server, pool);
    server.createContext("/", fake::handle);
    server.start();
    return fake;
  }

  /**
   * The default responder: lists {@link #DEFAULT_MODEL} on {@code GET /v1/models}, answers embeddings with
   * {@link Reply#embeddings()} and streams the last user message back, one word per delta.
   */
  public static Reply echo(RecordedRequest request) {
    if (request.isEmbeddings()) {
      return Reply.embeddings();
    }
    if (!request.isChat()) {
      return Reply.models(DEFAULT_MODEL);
    }
    return Reply.text(request.lastUserText().split("(?<= )"));
  }

  /** The base URL to configure a provider with: {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Answers every later request with what {@code responder} returns for it. Returns this server. */
  public FakeModelServer respond(Function<RecordedRequest, Reply> responder) {
    this.responder = responder;
    return this;
  }

  /** Every request received so far, in arrival order. A request is recorded before its answer starts. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** The newest request; fails when there was none. */
  public RecordedRequest lastRequest() {
    if (requests.isEmpty()) {
      throw new IllegalStateException("the fake model server has received no request");
    }
    return requests.get(requests.size() - 1);
  }

  /** How many streamed answers broke off because the client closed the connection. */
  public int clientDisconnects() {
    return clientDisconnects.get();
  }

  /** Waits until at least {@code count} streamed answers broke off because the client went away. */
  public boolean awaitClientDisconnects(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (clientDisconnects) {
      while (clientDisconnects.get() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(clientDisconnects, left);
      }
      return true;
    }
  }

  /** Stops the server, ending stalled answers and closing every connection. */
  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    RecordedRequest request = record(exchange);
    requests.add(request);
    String path = request.path();
    boolean known = path.equals("/v1/chat/completions") && request.method().equals("POST")
        || path.equals("/v1/messages") && request.method().equals("POST")
        || path.equals("/v1/models") && request.method().equals("GET")
        || path.equals("/v1/embeddings") && request.method().equals("POST");
    WireWriter wire = request.isAnthropic()
        ? new AnthropicWire(exchange.getResponseBody())
        : new OpenAiWire(exchange.getResponseBody());
    if (!known) {
      json(exchange, 404, wire.errorBody("no route for " + request.method() + " " + path));
      return;
    }
    Reply reply;
    try {
      reply = responder.apply(request);
    } catch (RuntimeException e) {
      json(exchange, 500, wire.errorBody("the test's responder failed: " + e));
      return;
    }
    if (reply instanceof Reply.Error error) {
      if (error.retryAfter != null) {
        exchange.getResponseHeaders().set("retry-after", error.retryAfter);
      }
      json(exchange, error.status, wire.errorBody(error.message));
    } else if (reply instanceof Reply.Models models) {
      List<Map<String, Object>> data = new ArrayList<>();
      models.ids.forEach(id -> data.add(Map.of("id", id, "object", "model")));
      json(exchange, 200, Map.of("object", "list", "data", data));
    } else if (reply instanceof Reply.Embeddings embeddings) {
      List<float[]> vectors = embeddings.vectorsFor(request.inputs());
      List<Map<String, Object>> data = new ArrayList<>();
      for (int i = 0; i < vectors.size(); i++) {
        data.add(Map.of("object", "embedding", "index", i, "embedding", vectors.get(i)));
      }
      if (embeddings.reversed) {
        Collections.reverse(data);
      }
      json(exchange, 200, Map.of("object", "list", "model", String.valueOf(request.model()), "data", data,
          "usage", Map.of("prompt_tokens", 0, "total_tokens", 0)));
    } else if (reply instanceof Reply.RawJson raw) {
      byte[] bytes = raw.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(raw.status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } else if (reply instanceof Reply.RawSse raw) {
      startStream(exchange);
      for (String frame : raw.frames) {
        wire.raw(frame);
      }
      exchange.close();
    } else {
      stream(exchange, wire, request, (Reply.Stream) reply);
    }
  }

  private void stream(HttpExchange exchange, WireWriter wire, RecordedRequest request, Reply.Stream reply)
      throws IOException {
    startStream(exchange);
    try {
      Steps steps = new Steps(reply, wire);
      wire.begin(request.model());
      for (int i = 0; i < reply.tokenCount; i++) {
        steps.next();
        wire.text(reply.token.apply(i));
      }
      for (int index = 0; index < reply.toolCalls.size(); index++) {
        ToolCall call = reply.toolCalls.get(index);
        steps.next();
        wire.toolCallStart(index, call);
        for (String fragment : fragments(call.arguments())) {
          steps.next();
          wire.toolCallArguments(index, fragment);
        }
      }
      steps.beforeEnd();
      wire.end(reply.effectiveFinishReason());
    } catch (IOException e) {
      // Writing failed: the client closed the connection (a cancelled call).
      synchronized (clientDisconnects) {
        clientDisconnects.incrementAndGet();
        clientDisconnects.notifyAll();
      }
    }
    exchange.close();
  }

  /** Counts the steps of a streamed reply and applies its delay, stall and drop. */
  private final class Steps {
    private final Reply.Stream reply;
    private final WireWriter wire;
    private int sent;

    Steps(Reply.Stream reply, WireWriter wire) {
      this.reply = reply;
      this.wire = wire;
    }

    void next() throws IOException {
      interruptAt();
      pause(reply.tokenDelay);
      sent++;
    }

    void beforeEnd() throws IOException {
      interruptAt();
    }

    private void interruptAt() throws IOException {
      if (sent == reply.dropAfter) {
        // An exception out of the handler makes HttpServer close the socket without the final chunk, which the
        // client sees as a connection dropped mid-response.
        throw new DroppedConnection();
      }
      if (sent == reply.stallAfter) {
        if (reply.commentEvery != null) {
          long end = System.nanoTime() + LONGEST_STALL.toNanos();
          while (System.nanoTime() < end && !await(closing, reply.commentEvery)) {
            wire.raw(": ping");
          }
        } else {
          await(closing, LONGEST_STALL);
        }
        throw new DroppedConnection();
      }
    }
  }

  /** Thrown out of a handler to make HttpServer drop the connection. */
  private static final class DroppedConnection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DroppedConnection() {
      super("connection dropped on purpose by the fake model server", null, false, false);
    }
  }

  /** Splits tool-call arguments into up to three non-empty pieces, as real providers stream them. */
  private static List<String> fragments(String arguments) {
    List<String> pieces = new ArrayList<>();
    int size = Math.max(1, (arguments.length() + 2) / 3);
    for (int start = 0; start < arguments.length(); start += size) {
      pieces.add(arguments.substring(start, Math.min(arguments.length(), start + size)));
    }
    return pieces;
  }

  private static RecordedRequest record(HttpExchange exchange) throws IOException {
    String raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode body;
    try {
      body = raw.isBlank() ? MissingNode.getInstance() : WireWriter.JSON.readTree(raw);
    } catch (JsonProcessingException e) {
      body = MissingNode.getInstance();
    }
    Map<String, List<String>> headers = new HashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body, raw);
  }

  private static void startStream(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("content-type", "text/event-stream");
    exchange.getResponseHeaders().set("cache-control", "no-cache");
    // Length 0 selects chunked encoding, so every flushed frame goes out at once.
    exchange.sendResponseHeaders(200, 0);
  }

  private static void json(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = WireWriter.JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void pause(Duration delay) {
    try {
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DroppedConnection();
    }
  }

  /** @return whether the latch opened */
  private static boolean await(CountDownLatch latch, Duration timeout) {
    try {
      return latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DroppedConnection();
    }
  }
}
