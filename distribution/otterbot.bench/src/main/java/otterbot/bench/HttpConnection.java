package otterbot.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal HTTP/1.1 client on one raw {@link Socket}: keep-alive, {@code Content-Length}, {@code chunked} and
 * read-until-close bodies. It allocates almost nothing per request, so a load generator built from it costs little
 * CPU next to the server it measures. Not thread-safe: one connection per thread.
 *
 * <p>Every socket operation is bounded by {@link #TIMEOUT_MS}. Only loopback addresses are accepted.
 */
final class HttpConnection implements Closeable {
  static final int TIMEOUT_MS = 10_000;
  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_BODY = 64 * 1024 * 1024;

  private final InetSocketAddress address;
  private final String hostHeader;

  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final byte[] buf = new byte[32 * 1024];
  private int pos;
  private int lim;
  private byte[] body = new byte[16 * 1024];
  private int bodyLength;
  private long requestsOnConnection;

  // Last response.
  private int status;
  private boolean closeAfter;
  private boolean chunked;
  private String contentType;

  // Statistics.
  private long connects;
  private long staleRetries;

  HttpConnection(String host, int port) throws IOException {
    InetAddress ip = InetAddress.getByName(host);
    if (!ip.isLoopbackAddress()) {
      throw new IOException("refusing a non-loopback address: " + host + " (" + ip + ")");
    }
    this.address = new InetSocketAddress(ip, port);
    this.hostHeader = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code Host} header value for requests on this connection. */
  String hostHeader() {
    return hostHeader;
  }

  /** The bytes of a complete request; build once, send many times. */
  byte[] request(String method, String path, String contentType, byte[] requestBody, boolean close) {
    var sb = new StringBuilder(160);
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(hostHeader).append("\r\n");
    sb.append("User-Agent: otterbot-bench\r\n");
    sb.append("Accept: application/json\r\n");
    if (close) {
      sb.append("Connection: close\r\n");
    }
    if (requestBody != null) {
      if (contentType != null) {
        sb.append("Content-Type: ").append(contentType).append("\r\n");
      }
      sb.append("Content-Length: ").append(requestBody.length).append("\r\n");
    }
    sb.append("\r\n");
    byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (requestBody == null || requestBody.length == 0) {
      return head;
    }
    byte[] all = Arrays.copyOf(head, head.length + requestBody.length);
    System.arraycopy(requestBody, 0, all, head.length, requestBody.length);
    return all;
  }

  void connect() throws IOException {
    close();
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setSoTimeout(TIMEOUT_MS);
      s.connect(address, TIMEOUT_MS);
      in = s.getInputStream();
      out = s.getOutputStream();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    socket = s;
    pos = 0;
    lim = 0;
    requestsOnConnection = 0;
    connects++;
  }

  boolean isOpen() {
    return socket != null;
  }

  /**
   * Sends {@code request} (connecting first if needed) and reads the whole response. A keep-alive connection the
   * server closed while idle (EOF before the first byte of the answer) is reopened and the request sent once more;
   * {@link #staleRetries()} counts that. Any other failure closes the connection and throws.
   *
   * @return the status code
   */
  int exchange(byte[] request) throws IOException {
    boolean reused = socket != null && requestsOnConnection > 0;
    if (socket == null) {
      connect();
    }
    try {
      send(request);
      readResponse();
    } catch (StaleConnection e) {
      if (!reused) {
        close();
        throw new EOFException("connection closed by the server before any response byte");
      }
      staleRetries++;
      connect();
      try {
        send(request);
        readResponse();
      } catch (IOException | RuntimeException e2) {
        close();
        throw e2;
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    requestsOnConnection++;
    if (closeAfter) {
      close();
    }
    return status;
  }

  private void send(byte[] request) throws IOException {
    try {
      out.write(request);
      out.flush();
    } catch (IOException e) {
      // A broken pipe on a reused connection is the same situation as EOF before the answer.
      if (requestsOnConnection > 0) {
        throw new StaleConnection();
      }
      throw e;
    }
  }

  int status() {
    return status;
  }

  boolean chunked() {
    return chunked;
  }

  String contentType() {
    return contentType;
  }

  byte[] body() {
    return body;
  }

  int bodyLength() {
    return bodyLength;
  }

  String bodyText() {
    return new String(body, 0, bodyLength, StandardCharsets.UTF_8);
  }

  long connects() {
    return connects;
  }

  long staleRetries() {
    return staleRetries;
  }

  /** Whether the body, ignoring surrounding whitespace, starts with '[' and ends with ']'. Cheap; no parsing. */
  boolean bodyLooksLikeJsonArray() {
    int a = 0;
    int b = bodyLength - 1;
    while (a <= b && isWs(body[a])) {
      a++;
    }
    while (b >= a && isWs(body[b])) {
      b--;
    }
    return a < b && body[a] == '[' && body[b] == ']';
  }

  private static boolean isWs(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    in = null;
    out = null;
    pos = 0;
    lim = 0;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** EOF or broken pipe before the first byte of a response on a connection that already served requests. */
  private static final class StaleConnection extends IOException {
    private static final long serialVersionUID = 1L;

    StaleConnection() {
      super("stale keep-alive connection", null);
    }
  }

  private void readResponse() throws IOException {
    boolean first = true;
    while (true) {
      String statusLine;
      try {
        statusLine = readLine();
      } catch (EOFException e) {
        if (first && requestsOnConnection > 0) {
          throw new StaleConnection();
        }
        throw e;
      } catch (java.net.SocketException e) {
        if (first && requestsOnConnection > 0 && String.valueOf(e.getMessage()).contains("reset")) {
          throw new StaleConnection();
        }
        throw e;
      }
      first = false;
      // "HTTP/1.1 200 OK"
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new IOException("bad status line: " + abbreviate(statusLine));
      }
      boolean http10 = statusLine.charAt(7) == '0';
      int code;
      try {
        code = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("bad status line: " + abbreviate(statusLine));
      }
      long contentLength = -1;
      boolean isChunked = false;
      boolean connClose = http10;
      String type = null;
      while (true) {
        String line = readLine();
        if (line.isEmpty()) {
          break;
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new IOException("bad header line: " + abbreviate(line));
        }
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          try {
            contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + abbreviate(value));
          }
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          isChunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        } else if (name.equalsIgnoreCase("Connection")) {
          String v = value.toLowerCase(java.util.Locale.ROOT);
          if (v.contains("close")) {
            connClose = true;
          } else if (v.contains("keep-alive")) {
            connClose = false;
          }
        } else if (name.equalsIgnoreCase("Content-Type")) {
          type = value;
        }
      }
      if (code >= 100 && code < 200 && code != 101) {
        continue; // interim response (100 Continue, 103 Early Hints): the real one follows
      }
      status = code;
      chunked = isChunked;
      contentType = type;
      bodyLength = 0;
      if (code == 204 || code == 304) {
        closeAfter = connClose;
      } else if (isChunked) {
        readChunked();
        closeAfter = connClose;
      } else if (contentLength >= 0) {
        if (contentLength > MAX_BODY) {
          throw new IOException("body too large: " + contentLength);
        }
        readBody((int) contentLength);
        closeAfter = connClose;
      } else {
        readToEof();
        closeAfter = true;
      }
      return;
    }
  }

  private void readChunked() throws IOException {
    while (true) {
      String sizeLine = readLine();
      int semi = sizeLine.indexOf(';');
      String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
      int size;
      try {
        size = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + abbreviate(sizeLine));
      }
      if (size < 0 || (long) bodyLength + size > MAX_BODY) {
        throw new IOException("bad chunk size: " + size);
      }
      if (size == 0) {
        // trailers until the empty line
        while (!readLine().isEmpty()) {
          // skip
        }
        return;
      }
      readBody(size);
      if (!readLine().isEmpty()) {
        throw new IOException("missing CRLF after a chunk");
      }
    }
  }

  /** Appends exactly {@code n} bytes to the body. */
  private void readBody(int n) throws IOException {
    ensureBody(bodyLength + n);
    int fromBuf = Math.min(n, lim - pos);
    System.arraycopy(buf, pos, body, bodyLength, fromBuf);
    pos += fromBuf;
    bodyLength += fromBuf;
    int remaining = n - fromBuf;
    while (remaining > 0) {
      int r = in.read(body, bodyLength, remaining);
      if (r < 0) {
        throw new EOFException("connection closed in the middle of a body (" + remaining + " bytes missing)");
      }
      bodyLength += r;
      remaining -= r;
    }
  }

  private void readToEof() throws IOException {
    int fromBuf = lim - pos;
    ensureBody(bodyLength + fromBuf);
    System.arraycopy(buf, pos, body, bodyLength, fromBuf);
    bodyLength += fromBuf;
    pos = lim;
    while (true) {
      ensureBody(bodyLength + 8192);
      int r = in.read(body, bodyLength, body.length - bodyLength);
      if (r < 0) {
        return;
      }
      bodyLength += r;
      if (bodyLength > MAX_BODY) {
        throw new IOException("body too large");
      }
    }
  }

  private void ensureBody(int capacity) {
    if (capacity > body.length) {
      body = Arrays.copyOf(body, Math.max(capacity, body.length * 2));
    }
  }

  /** One line without its CRLF (or LF), as ISO-8859-1. */
  private String readLine() throws IOException {
    int start = pos;
    while (true) {
      for (int i = start; i < lim; i++) {
        if (buf[i] == '\n') {
          int end = i;
          if (end > pos && buf[end - 1] == '\r') {
            end--;
          }
          String line = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
          pos = i + 1;
          return line;
        }
      }
      if (pos == lim) {
        pos = 0;
        lim = 0;
      }
      start = lim;
      if (lim - pos >= MAX_LINE) {
        throw new IOException("line longer than " + MAX_LINE + " bytes");
      }
      if (pos > 0 && lim == buf.length) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        start -= pos;
        lim -= pos;
        pos = 0;
      }
      int r = in.read(buf, lim, buf.length - lim);
      if (r < 0) {
        throw new EOFException(lim == pos ? "connection closed by the server" : "connection closed in the middle of a line");
      }
      lim += r;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }
}
