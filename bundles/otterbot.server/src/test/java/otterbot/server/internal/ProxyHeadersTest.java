package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class ProxyHeadersTest {

  private static HttpHeaders contentType(String type) {
    return new DefaultHttpHeaders().set("Content-Type", type);
  }

  @Test
  void recognisesJsonContentTypes() {
    assertTrue(ProxyHeaders.isJson(contentType("application/json")));
    assertTrue(ProxyHeaders.isJson(contentType("Application/JSON; charset=utf-8")));
    assertTrue(ProxyHeaders.isJson(contentType("application/problem+json")));
    assertFalse(ProxyHeaders.isJson(contentType("text/html;charset=iso-8859-1")));
    assertFalse(ProxyHeaders.isJson(contentType("application/jsonx")));
    assertFalse(ProxyHeaders.isJson(contentType("text/x+json")));
    assertFalse(ProxyHeaders.isJson(new DefaultHttpHeaders()));
  }

  @Test
  void clientForwardingHeadersAreReplacedNotTrusted() {
    var headers = new DefaultHttpHeaders()
        .set("Host", "otter.example")
        .set("X-Forwarded-For", "6.6.6.6")
        .set("X-Forwarded-Port", "1")
        .set("Expect", "100-continue");
    ProxyHeaders.prepareRequest(headers, "127.0.0.1", "127.0.0.1:3001", null);
    assertEquals("127.0.0.1", headers.get("X-Forwarded-For"));
    assertEquals("otter.example", headers.get("X-Forwarded-Host"));
    assertEquals("http", headers.get("X-Forwarded-Proto"));
    assertNull(headers.get("X-Forwarded-Port"));
    assertNull(headers.get("Expect"));
  }

  @Test
  void onlyTheFrontSaysThatARequestCameThroughIt() {
    var forged = new DefaultHttpHeaders().set(InternalPortGuard.HEADER, "guessed");
    ProxyHeaders.prepareRequest(forged, "127.0.0.1", "127.0.0.1:3001", "the-key");
    assertEquals(List.of("the-key"), forged.getAll(InternalPortGuard.HEADER));

    var withoutGuard = new DefaultHttpHeaders().set(InternalPortGuard.HEADER, "guessed");
    ProxyHeaders.prepareRequest(withoutGuard, "127.0.0.1", "127.0.0.1:3001", null);
    assertNull(withoutGuard.get(InternalPortGuard.HEADER), "a client's value never crosses");
  }

  @Test
  void aMissingHostIsTheFrontsAddress() {
    var headers = new DefaultHttpHeaders();
    ProxyHeaders.prepareRequest(headers, "10.0.0.7", "127.0.0.1:3001", null);
    assertEquals("127.0.0.1:3001", headers.get("Host"));
    assertEquals("127.0.0.1:3001", headers.get("X-Forwarded-Host"));
  }

  @Test
  void jsonErrorsEscapeTheirMessage() {
    assertEquals("{\"error\":\"a \\\"b\\\" \\\\ c\\n\\u0001\"}",
        new String(JsonErrors.body("a \"b\" \\ c\n\u0001"), java.nio.charset.StandardCharsets.UTF_8));
  }
}
