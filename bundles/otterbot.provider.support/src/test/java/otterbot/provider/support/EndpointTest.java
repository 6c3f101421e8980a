package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EndpointTest {
  @Test
  void usesTheSecretElseTheDefaultAndToleratesTrailingSlashes() {
    assertEquals(URI.create("http://h:1/v1/models"),
        Endpoint.resolve(Map.of("URL", " http://h:1/v1// "), "URL", "http://d/v1").uri("/models"));
    assertEquals(URI.create("http://d/v1/models"), Endpoint.resolve(Map.of("URL", ""), "URL", "http://d/v1/").uri("/models"));
  }

  @Test
  void refusesWhatIsNotAnHttpUrl() {
    assertThrows(IllegalArgumentException.class, () -> new Endpoint("ftp://h/v1").uri("/models"));
    assertThrows(IllegalArgumentException.class, () -> new Endpoint("localhost:1234").uri("/models"));
    assertThrows(IllegalArgumentException.class, () -> new Endpoint("http://bad host/v1").uri("/models"));
  }

  @Test
  void displaysWithoutUserInfo() {
    assertEquals("https://proxy.example/v1", new Endpoint("https://me:pa55@proxy.example/v1").display());
    assertEquals("not a url", new Endpoint("not a url").display());
  }
}
