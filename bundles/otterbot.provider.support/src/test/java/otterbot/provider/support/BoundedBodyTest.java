package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** An answer within the bound is read whole; a larger one fails instead of filling the heap. */
class BoundedBodyTest {
  HttpServer server;
  HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      int size = Integer.parseInt(exchange.getRequestURI().getPath().substring(1));
      exchange.sendResponseHeaders(200, 0); // chunked: the client cannot know the size in advance
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] block = "é".repeat(512).getBytes(java.nio.charset.StandardCharsets.UTF_8); // 1 KiB
        for (int sent = 0; sent < size; sent += block.length) {
          out.write(block);
        }
      } catch (IOException clientLeft) {
        // the client cancelled past its bound
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String get(int size, int bound) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + size);
    return client.send(HttpRequest.newBuilder(uri).build(), BoundedBody.ofString(bound)).body();
  }

  @Test
  void anAnswerWithinTheBoundIsReadWholeAsUtf8() throws Exception {
    assertEquals("é".repeat(512 * 64), get(64 * 1024, 64 * 1024));
  }

  @Test
  void aLargerAnswerFailsSayingSo() {
    IOException e = assertThrows(IOException.class, () -> get(10 * 1024 * 1024, 64 * 1024));
    assertTrue(e.getMessage().contains("larger than 65536 bytes"), e.getMessage());
  }
}
