package otterbot.server.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 client on a raw socket, so tests control keep-alive, pipelining and the exact request bytes, and see
 * the exact response bytes. Anything that is not an {@code HTTP/1.x} status line where a response must start fails
 * the test: that is how interleaved responses show (curl calls it {@code Received HTTP/0.9}).
 */
final class RawHttp implements Closeable {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})( .*)?");

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(InetSocketAddress address) throws IOException {
    this(address, -1);
  }

  RawHttp(InetSocketAddress address, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(address, 2000);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(5000);
    in = new BufferedInputStream(socket.getInputStream(), 65536);
    out = socket.getOutputStream();
  }

  record Response(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  RawHttp send(String request) throws IOException {
    return send(request.getBytes(StandardCharsets.UTF_8));
  }

  RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** A GET with the usual headers. */
  RawHttp get(String target) throws IOException {
    return send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
  }

  /** A POST of a JSON body (ASCII) with the usual headers and its length. */
  RawHttp postJson(String target, String json) throws IOException {
    return send("POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + json.length() + "\r\n\r\n" + json);
  }

  Response read() throws IOException {
    return read(false);
  }

  /** Reads the next response, a {@code 1xx} included; {@code head} for the answer to a HEAD request. */
  Response read(boolean head) throws IOException {
    String statusLine = line();
    var matcher = STATUS_LINE.matcher(statusLine);
    if (!matcher.matches()) {
      throw new AssertionError("not an HTTP/1.x status line: '" + statusLine + "'");
    }
    int status = Integer.parseInt(matcher.group(1));
    var headers = new LinkedHashMap<String, String>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    byte[] body;
    if (head || status < 200 || status == 204 || status == 304) {
      body = new byte[0];
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = chunked();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes(); // delimited by the server closing
    }
    return new Response(status, headers, body);
  }

  /** Whether the server closes the connection within {@code millis} (reading nothing else). */
  boolean closedByServer(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } finally {
      socket.setSoTimeout(5000);
    }
  }

  private byte[] chunked() throws IOException {
    var body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      if (!line().isEmpty()) {
        throw new AssertionError("chunk not followed by CRLF");
      }
    }
  }

  private String line() throws IOException {
    var line = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed; line so far: '" + line.toString(StandardCharsets.ISO_8859_1) + "'");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
