package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetsTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/agents", "/api/agents/otter-1/messages?limit=20&before=2026-01-01T00:00:00Z",
      "/api/a%20b", "/api/%C3%A4", "/api/file.txt", "/api/.well-known/x", "/api/..x", "/api/x..", "/api/...",
      "/socket.io/?EIO=4&transport=polling&sid=abc", "/api/x?path=%2F..%2Fetc", "/api/x?q=a/../b", "/api//x",
      "/api/x;v=1", "/api/x?", "/api/x%25y"})
  void acceptsOrdinaryTargets(String target) {
    assertTrue(RequestTargets.isValid(target), target);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "*", "api/x", "http://h/api", "//h/api/..", "/api/agents/%2e%2e/x", "/api/%2E",
      "/api/a%2Fb", "/api/a%2fb", "/api/a%5cb", "/api/a%5Cb", "/api/%00", "/api/x?q=%00", "/api/../etc/passwd",
      "/api/./x", "/..", "/.", "/api/x/..", "/api/x/.?q", "/api/..;/x", "/api/.;v=1/x", "/api/a%zz", "/api/a%2",
      "/api/a%", "/api/x?q=%g0", "/api/a\\b", "/api/a\u0000b", "/api/a b", "/api/\u00e4", "/api/a\u007f",
      "/api/x#frag", "/api/\r\n"})
  void refusesOddTargets(String target) {
    assertFalse(RequestTargets.isValid(target), target);
  }
}
