package otterbot.server.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on a raw socket that misbehaves on purpose, and counts the connections it accepts:
 * <ul>
 * <li>{@code /keep}: answers every request, keep-alive;
 * <li>{@code /once}: answers the first request on a connection, then closes without answering the next one, like a
 *     server whose idle timeout fired just as the request arrived;
 * <li>{@code /truncated}: promises 100 bytes, sends 10, closes;
 * <li>{@code /silent}: closes without answering.
 * </ul>
 */
final class QuirkyBackend implements AutoCloseable {
  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  QuirkyBackend() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 100);
    acceptor = new Thread(this::accept, "quirky-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        Thread worker = new Thread(() -> serve(socket), "quirky-backend-connection");
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      for (int n = 1; ; n++) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        int contentLength = 0;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
          if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            contentLength = Integer.parseInt(header.substring(15).trim());
          }
        }
        in.readNBytes(contentLength);
        String path = requestLine.split(" ")[1];
        if (path.startsWith("/silent") || path.startsWith("/once") && n > 1) {
          return;
        }
        if (path.startsWith("/truncated")) {
          out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n0123456789"
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return;
        }
        byte[] body = ("{\"request\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException e) {
      // the front went away
    }
  }

  private static String line(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        return null;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
