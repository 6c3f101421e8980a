package otterbot.server.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback standing in for Jetty: the JDK's {@link HttpServer}, which (like Jetty) answers
 * unknown paths with an HTML 404 page.
 */
final class TestBackend implements AutoCloseable {
  static final String JSON = "{\"ok\":true,\"text\":\"ünïcödé ✓\"}";
  static final int LARGE_SIZE = 1024 * 1024;
  static final int SSE_EVENTS = 5;
  static final long SSE_GAP_MILLIS = 200;

  static {
    // The JDK server leaves Nagle on by default, which would delay the small SSE writes, not the front.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor;
  /** Exchanges the server has handled (the JDK server runs one executor task per exchange). */
  private static final java.util.Map<HttpServer, AtomicInteger> EXCHANGES = new java.util.concurrent.ConcurrentHashMap<>();

  private TestBackend(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static TestBackend start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    var count = new AtomicInteger();
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "test-backend-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    var exchanges = new AtomicInteger();
    EXCHANGES.put(server, exchanges);
    server.setExecutor(task -> {
      exchanges.incrementAndGet();
      executor.execute(task);
    });
    server.createContext("/api/json", exchange -> respond(exchange, 200, "application/json; charset=utf-8", JSON));
    server.createContext("/api/problem",
        exchange -> respond(exchange, 422, "application/problem+json", "{\"error\":\"custom problem\"}"));
    // What Jetty answers outside the REST application to a client that accepts JSON: its own JSON error shape.
    server.createContext("/static", exchange -> respond(exchange, 404, "application/json",
        "{\"message\":\"Not Found\",\"url\":\"/static/x\",\"status\":\"404\"}"));
    server.createContext("/api/html404", exchange -> respond(exchange, 404, "text/html",
        "<html><body><h2>HTTP ERROR 404 Not Found</h2></body></html>"));
    server.createContext("/api/html405", exchange -> {
      exchange.getResponseHeaders().set("Allow", "GET");
      respond(exchange, 405, "text/html;charset=iso-8859-1", "<html><body>Method Not Allowed</body></html>");
    });
    // A page outside the REST API, which the front forwards whether or not the API is ready.
    server.createContext("/other", exchange -> respond(exchange, 200, "text/plain; charset=utf-8", "other"));
    server.createContext("/api/echo", TestBackend::echo);
    server.createContext("/echo", TestBackend::echo); // outside /api: any content type
    server.createContext("/api/health", TestBackend::echo);
    server.createContext("/api/sse", TestBackend::sse);
    server.createContext("/api/chunked", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0); // 0 = chunked
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("{\"parts\":[".getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.write("1,2,3]}".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.createContext("/api/large", exchange -> {
      byte[] body = large();
      exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
      boolean chunked = "chunked".equals(exchange.getRequestURI().getQuery());
      exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return new TestBackend(server, executor);
  }

  static byte[] large() {
    byte[] body = new byte[LARGE_SIZE];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i % 251);
    }
    return body;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** How many requests reached this backend so far. */
  int requests() {
    return EXCHANGES.get(server).get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Answers with the request body and, in headers, what arrived: method, target, and every header name. */
  private static void echo(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    var request = exchange.getRequestHeaders();
    var response = exchange.getResponseHeaders();
    response.set("X-Echo-Method", exchange.getRequestMethod());
    response.set("X-Echo-Target", exchange.getRequestURI().toString());
    response.set("X-Echo-Header-Names", request.keySet().stream()
        .map(name -> name.toLowerCase(Locale.ROOT)).sorted().collect(Collectors.joining(",")));
    for (String name : new String[] {"Host", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
        "X-Otterbot-Authorized"}) {
      String value = request.getFirst(name);
      if (value != null) {
        response.set("X-Echo-" + name, value);
      }
    }
    String type = request.getFirst("Content-Type");
    response.set("Content-Type", type != null ? type : "application/octet-stream");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void sse(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (int i = 1; i <= SSE_EVENTS; i++) {
        out.write(("data: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (i < SSE_EVENTS) {
          Thread.sleep(SSE_GAP_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
