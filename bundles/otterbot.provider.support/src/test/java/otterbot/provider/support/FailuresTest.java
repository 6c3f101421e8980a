package otterbot.provider.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FailuresTest {
  static final String KEY = "sk-secret-4f9a1c";
  final Failures failures = new Failures("Test AI", new Endpoint("http://user:pw@host:1/v1").display(),
      Redactor.of(Map.of("TEST_API_KEY", KEY, "EMPTY", " ")));

  static HttpHeaders headers(Map<String, List<String>> map) {
    return HttpHeaders.of(map, (name, value) -> true);
  }

  @Test
  void statusMessageQuotesTheProviderWithoutTheSecret() {
    String message = failures.status(401, headers(Map.of()),
        "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}");
    assertEquals("provider returned 401 Unauthorized: Incorrect API key provided: [redacted]", message);
  }

  @Test
  void readsTheUsualErrorBodyShapes() {
    assertEquals("provider returned 400 Bad Request: a", failures.status(400, headers(Map.of()), "{\"error\":\"a\"}"));
    assertEquals("provider returned 404 Not Found: b", failures.status(404, headers(Map.of()), "{\"detail\":\"b\"}"));
    assertEquals("provider returned 529 Overloaded: c",
        failures.status(529, headers(Map.of()), "{\"type\":\"error\",\"error\":{\"type\":\"x\",\"message\":\"c\"}}"));
    assertEquals("provider returned 404 Not Found: 404 page not found",
        failures.status(404, headers(Map.of()), "404 page not found\n"));
  }

  @Test
  void leavesOutHtmlAndEmptyBodiesAndUnknownReasons() {
    assertEquals("provider returned 502 Bad Gateway",
        failures.status(502, headers(Map.of()), "<html><body>nginx</body></html>"));
    assertEquals("provider returned 599", failures.status(599, headers(Map.of()), ""));
  }

  @Test
  void mentionsRetryAfterOnATooManyRequests() {
    assertEquals("provider returned 429 Too Many Requests: slow down (retry-after: 20)",
        failures.status(429, headers(Map.of("retry-after", List.of("20"))), "{\"error\":{\"message\":\"slow down\"}}"));
  }

  @Test
  void cutsLongMessagesAfterRemovingSecrets() {
    // The secret straddles the cut: cutting first would leave a prefix of it in the message.
    String body = "x".repeat(Failures.MAX_PROVIDER_MESSAGE - 5) + KEY + "y".repeat(100);
    String message = failures.providerError(body);
    assertFalse(message.contains(KEY.substring(0, 5)), message);
    assertTrue(message.endsWith("…"), message);
  }

  @Test
  void namesTheProviderAndUrlWithoutUserInfoWhenUnreachable() {
    assertEquals("cannot reach Test AI at http://host:1/v1: connection refused",
        failures.unreachable(new ConnectException("Connection refused")));
    assertEquals("cannot reach Test AI at http://host:1/v1: unknown host",
        failures.unreachable(new ConnectException().initCause(new UnresolvedAddressException())));
  }
}
