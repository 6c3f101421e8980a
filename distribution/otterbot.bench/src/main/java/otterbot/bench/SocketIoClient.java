package otterbot.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A minimal Socket.IO v5 client over Engine.IO v4, websocket transport only, on {@link java.net.http.WebSocket}. It
 * speaks just what the chat benchmarks need: the open packet {@code 0{...}}, ping {@code 2} answered with pong
 * {@code 3}, connect {@code 40} to the default namespace and its answer {@code 40{...}}, and events
 * {@code 42["name",{...}]} both ways. Many clients share one {@link HttpClient} (one selector thread and a small
 * executor), so thousands of idle sockets cost this JVM little.
 *
 * <p>Every message is stamped with {@link System#nanoTime()} when the WebSocket delivers its last fragment, before
 * any parsing; the stamp is handed to the {@link Events} callback. Callbacks of one client never overlap (the
 * WebSocket delivers one message at a time and asks for the next only after the callback returned).
 */
final class SocketIoClient implements WebSocket.Listener {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What the client hears. Runs on the HttpClient's threads: must not block. */
  interface Events {
    void event(SocketIoClient client, String name, JsonNode data, long receivedNanos);

    /** The connection ended (closed by either side, or failed); {@code why} is for reports. */
    default void closed(SocketIoClient client, String why) {}
  }

  private static final AtomicInteger EXECUTOR_THREADS = new AtomicInteger();

  private final Events events;
  private final CompletableFuture<SocketIoClient> connected = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicLong pings = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  /** Sends are chained: java.net.http allows one outstanding send per WebSocket. Guarded by {@code this}. */
  private CompletableFuture<WebSocket> sendChain;
  private volatile WebSocket ws;
  private volatile String openPacket;
  private volatile String closedWhy;
  /** Free for the benchmark's own per-client state. */
  volatile Object attachment;

  private SocketIoClient(Events events) {
    this.events = events;
  }

  /** One HttpClient for many sockets: HTTP/1.1 (the upgrade), a small fixed daemon executor, loopback only. */
  static HttpClient httpClient(int executorThreads, ExecutorService[] executorOut) {
    ExecutorService executor = Executors.newFixedThreadPool(executorThreads, r -> {
      Thread t = new Thread(r, "bench-ws-" + EXECUTOR_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executorOut[0] = executor;
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .proxy(HttpClient.Builder.NO_PROXY)
        .executor(executor)
        .build();
  }

  static void shutdown(ExecutorService executor) {
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static URI uri(int port) {
    return URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket");
  }

  /**
   * Opens the WebSocket and connects to the default namespace. The future completes when the server has answered
   * {@code 40{...}}, and fails if the WebSocket could not open, the server refused the namespace ({@code 44}) or the
   * connection closed first.
   */
  static CompletableFuture<SocketIoClient> connect(HttpClient http, int port, Events events) {
    var client = new SocketIoClient(events);
    http.newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(uri(port), client)
        .whenComplete((w, e) -> {
          if (e != null) {
            client.connected.completeExceptionally(e);
          }
        });
    return client.connected;
  }

  /** Emits {@code 42["name",data]}. Never blocks; a failed send closes the client (reported via Events#closed). */
  void emit(String name, Object data) {
    String payload;
    try {
      payload = "42" + JSON.writeValueAsString(List.of(name, data));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
    send(payload);
  }

  private void send(String text) {
    synchronized (this) {
      if (sendChain == null) {
        throw new IllegalStateException("not open");
      }
      sendChain = sendChain.thenCompose(w -> w.sendText(text, true));
      sendChain.whenComplete((w, e) -> {
        if (e != null) {
          ended("send failed: " + LoadTest.label(unwrap(e)));
        }
      });
    }
  }

  /** Closes from our side (a normal WebSocket close); {@link #abort} if the server does not answer. */
  void close() {
    WebSocket w = ws;
    if (w == null || closedWhy != null) {
      return;
    }
    synchronized (this) {
      if (sendChain == null) {
        return;
      }
      sendChain = sendChain.thenCompose(x -> x.sendClose(WebSocket.NORMAL_CLOSURE, ""));
    }
  }

  void abort() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
    ended("aborted by the benchmark");
  }

  boolean isOpen() {
    return closedWhy == null && ws != null && !ws.isInputClosed();
  }

  /** Whether the namespace connect succeeded (whatever happened afterwards). */
  boolean wasConnected() {
    return connected.isDone() && !connected.isCompletedExceptionally();
  }

  String closedWhy() {
    return closedWhy;
  }

  /** The Engine.IO open packet's JSON (after the {@code 0}), or null before it came. */
  String openPacket() {
    return openPacket;
  }

  long pings() {
    return pings.get();
  }

  long messagesReceived() {
    return received.get();
  }

  // ---- WebSocket.Listener ---------------------------------------------------------------------------------------

  @Override
  public void onOpen(WebSocket webSocket) {
    this.ws = webSocket;
    synchronized (this) {
      sendChain = CompletableFuture.completedFuture(webSocket);
    }
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    long now = System.nanoTime();
    if (!last) {
      partial.append(data);
      webSocket.request(1);
      return null;
    }
    String message;
    if (partial.length() > 0) {
      message = partial.append(data).toString();
      partial.setLength(0);
    } else {
      message = data.toString();
    }
    received.incrementAndGet();
    try {
      handle(message, now);
    } catch (RuntimeException e) {
      System.out.println("[bench] socket.io client: cannot handle '" + abbreviate(message) + "': " + e);
    }
    webSocket.request(1);
    return null;
  }

  private void handle(String message, long now) {
    if (message.isEmpty()) {
      return;
    }
    char type = message.charAt(0);
    switch (type) {
      case '0' -> { // Engine.IO open: connect to the default namespace
        openPacket = message.substring(1);
        send("40");
      }
      case '2' -> { // Engine.IO ping from the server (v4: the server pings)
        pings.incrementAndGet();
        send("3" + message.substring(1));
      }
      case '1' -> ended("the server sent an Engine.IO close packet");
      case '4' -> handleSocketIo(message, now);
      default -> { } // 3 (pong), 5/6 (upgrade, noop): nothing to do over a plain websocket
    }
  }

  private void handleSocketIo(String message, long now) {
    if (message.length() < 2) {
      return;
    }
    switch (message.charAt(1)) {
      case '0' -> connected.complete(this);
      case '1' -> ended("the server disconnected the namespace (41)");
      case '4' -> {
        var e = new IllegalStateException("namespace connect refused: " + message.substring(2));
        connected.completeExceptionally(e);
        ended(e.getMessage());
      }
      case '2' -> {
        // 42[<ack id>]["name",data]; no namespace prefix on the default namespace.
        int start = 2;
        while (start < message.length() && Character.isDigit(message.charAt(start))) {
          start++;
        }
        JsonNode array;
        try {
          array = JSON.readTree(message.substring(start));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("not a JSON array", e);
        }
        if (array.isArray() && array.size() >= 1) {
          events.event(this, array.get(0).asText(), array.size() > 1 ? array.get(1) : JSON.nullNode(), now);
        }
      }
      default -> { }
    }
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    ended("closed by the server (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    ended("error: " + LoadTest.label(unwrap(error)));
  }

  private void ended(String why) {
    boolean first;
    synchronized (this) {
      first = closedWhy == null;
      if (first) {
        closedWhy = why;
      }
    }
    if (first) {
      connected.completeExceptionally(new IllegalStateException(why));
      events.closed(this, why);
    }
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String abbreviate(String s) {
    return s.length() <= 160 ? s : s.substring(0, 160) + "...";
  }
}
