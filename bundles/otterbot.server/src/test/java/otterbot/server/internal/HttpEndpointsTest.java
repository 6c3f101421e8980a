package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

class HttpEndpointsTest {

  @Test
  void takesTheHostAndPortOfTheFirstHttpUrl() {
    assertEquals(URI.create("http://127.0.0.1:38211"), HttpEndpoints.backend("http://127.0.0.1:38211/"));
    assertEquals(URI.create("http://127.0.0.1:38211"),
        HttpEndpoints.backend(new String[] {"https://127.0.0.1:8443/", "http://127.0.0.1:38211/"}));
    assertEquals(URI.create("http://127.0.0.1:38211"), HttpEndpoints.backend(List.of("http://127.0.0.1:38211/ctx/")));
    assertEquals(URI.create("http://example.test:80"), HttpEndpoints.backend("http://example.test/"));
  }

  @Test
  void prefersLoopbackWhenJettyListsSeveralInterfaces() {
    assertEquals(URI.create("http://127.0.0.1:8080"),
        HttpEndpoints.backend(new String[] {"http://192.168.1.5:8080/", "http://127.0.0.1:8080/"}));
    assertEquals(URI.create("http://[::1]:8080"),
        HttpEndpoints.backend(new String[] {"http://10.0.0.2:8080/", "http://[::1]:8080/"}));
    assertEquals(URI.create("http://10.0.0.2:8080"),
        HttpEndpoints.backend(new String[] {"http://10.0.0.2:8080/", "http://10.0.0.3:8080/"}));
  }

  @Test
  void nothingUsableMeansNoBackend() {
    assertNull(HttpEndpoints.backend(null));
    assertNull(HttpEndpoints.backend(42));
    assertNull(HttpEndpoints.backend("https://127.0.0.1:8443/"));
    assertNull(HttpEndpoints.backend(new String[] {"not a url", "/relative"}));
  }
}
