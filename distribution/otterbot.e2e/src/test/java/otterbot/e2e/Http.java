package otterbot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A tiny JSON-over-HTTP client for one server, on {@link HttpClient} (HTTP/1.1). A body given as a {@link String} is
 * sent verbatim (so tests can send broken JSON); any other object is serialised with Jackson. {@link #raw} writes the
 * request line by hand on a socket for paths {@code HttpClient} would refuse or normalise.
 */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private final URI base;
  private final Supplier<String> logTail;
  /** Sent with every request of {@link #send} (an {@code Authorization}, an {@code Origin}). */
  private final Map<String, String> headers;

  Http(URI base, Supplier<String> logTail) {
    this(base, logTail, Map.of());
  }

  private Http(URI base, Supplier<String> logTail, Map<String, String> headers) {
    this.base = base;
    this.logTail = logTail;
    this.headers = Map.copyOf(headers);
  }

  /** The same server, with {@code name: value} added to every request. */
  Http withHeader(String name, String value) {
    var more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Http(base, logTail, more);
  }

  /** The same server with {@code Authorization: Bearer <token>} on every request. */
  Http withToken(String token) {
    return withHeader("Authorization", "Bearer " + token);
  }

  URI base() {
    return base;
  }

  Response get(String path) {
    return send("GET", path, null, null);
  }

  Response post(String path, Object jsonBody) {
    return send("POST", path, jsonBody, "application/json");
  }

  Response put(String path, Object jsonBody) {
    return send("PUT", path, jsonBody, "application/json");
  }

  Response patch(String path, Object jsonBody) {
    return send("PATCH", path, jsonBody, "application/json");
  }

  Response delete(String path) {
    return send("DELETE", path, null, null);
  }

  /**
   * Sends one request.
   *
   * @param body null for no body, a String or byte[] sent as is, anything else as JSON
   * @param contentType sent only with a body
   */
  Response send(String method, String path, Object body, String contentType) {
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(bytes(body));
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .method(method, publisher);
    if (body != null && contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<byte[]> answer = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      var headers = new LinkedHashMap<String, List<String>>();
      answer.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      return new Response(method + " " + path, answer.statusCode(), headers,
          new String(answer.body(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + path, e);
    }
  }

  /**
   * Writes {@code <method> <rawTarget> HTTP/1.1} on a plain socket, exactly as given (no encoding, no
   * normalisation), and reads the answer until the server closes the connection.
   */
  Response raw(String method, String rawTarget) {
    return raw(method, rawTarget, "application/json");
  }

  /** {@link #raw(String, String)} with the given Accept header, for example a browser's. */
  Response raw(String method, String rawTarget, String accept) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
      String request = method + " " + rawTarget + " HTTP/1.1\r\n"
          + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
          + "Accept: " + accept + "\r\n"
          + "Connection: close\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return parse(method + " " + rawTarget + " (raw, Accept: " + accept + ")", socket.getInputStream().readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + rawTarget + " (raw) failed: " + e, e);
    }
  }

  /**
   * Writes {@code head} (request line and headers, each ending in CRLF, {@code Host} included: nothing is added) and
   * an empty line on a plain socket, then {@code body}, and reads one answer: its head, and its body by
   * {@code Content-Length} (none after a {@code 101}, whose connection is then closed).
   */
  Response exchange(String head, String body) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout((int) REQUEST_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write((head + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body.getBytes(StandardCharsets.UTF_8));
      out.flush();
      var in = new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      var received = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        received.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      Response answer = parse(head.lines().findFirst().orElse(head) + " (raw)", received.toByteArray());
      String length = answer.header("content-length");
      if (answer.status() == 101 || length == null) {
        return answer;
      }
      byte[] content = new byte[Integer.parseInt(length)];
      in.readFully(content);
      return new Response(answer.request(), answer.status(), answer.headers(), new String(content, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(head + " (raw) failed: " + e, e);
    }
  }

  private static Response parse(String request, byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String[] lines = head.split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
    var headers = new LinkedHashMap<String, List<String>>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
    List<String> te = headers.getOrDefault("transfer-encoding", List.of());
    if (te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
      body = dechunk(body);
    }
    return new Response(request, status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] chunked) {
    var out = new ByteArrayOutputStream();
    int pos = 0;
    while (pos < chunked.length) {
      int lineEnd = indexOf(chunked, pos);
      if (lineEnd < 0) {
        break;
      }
      String sizeLine = new String(chunked, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      pos = lineEnd + 2;
      if (size == 0) {
        break;
      }
      out.write(chunked, pos, Math.min(size, chunked.length - pos));
      pos += size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static byte[] bytes(Object body) {
    if (body instanceof byte[] b) {
      return b;
    }
    if (body instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialise " + body, e);
    }
  }

  /** Parses JSON text written in a test (fails the test if it is not JSON). */
  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + text, e);
    }
  }

  /**
   * Asserts the status and that the answer is JSON, and returns the parsed body. The failure message has the
   * response and the server log tail.
   */
  JsonNode expect(Response response, int status) {
    assertEquals(status, response.status(), () -> "unexpected status\n" + response + "\n" + logTail.get());
    assertEquals("application/json", response.mediaType(),
        () -> "Content-Type is not application/json\n" + response + "\n" + logTail.get());
    JsonNode json = response.json();
    assertNotNull(json, () -> "the body is not JSON\n" + response + "\n" + logTail.get());
    return json;
  }

  /** One answer: status, headers (names in lower case), raw body and the body parsed as JSON when it is JSON. */
  record Response(String request, int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The media type of Content-Type without parameters, in lower case, or null. */
    String mediaType() {
      String type = header("content-type");
      if (type == null) {
        return null;
      }
      int semi = type.indexOf(';');
      return (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /** The parsed body, or null when the body is not JSON. */
    JsonNode json() {
      if (body.isEmpty()) {
        return null;
      }
      try {
        return JSON.readTree(body);
      } catch (JsonProcessingException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      String shown = body.length() > 2000 ? body.substring(0, 2000) + "... (" + body.length() + " chars)" : body;
      return request + " -> HTTP " + status + " [Content-Type: " + header("content-type") + "]\n" + shown;
    }
  }
}
