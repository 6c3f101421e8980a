package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class EngineIoChecksTest {
  static final UUID LIVE = UUID.fromString("11111111-2222-3333-4444-555555555555");

  static String check(String uri) {
    return EngineIoChecks.problem(uri, LIVE::equals);
  }

  @Test
  void onlyEngineIoVersionFourIsServed() {
    assertNull(check("/socket.io/?EIO=4&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=3&transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?transport=polling"));
    assertEquals(EngineIoChecks.UNSUPPORTED_VERSION, check("/socket.io/?EIO=4&EIO=3&transport=polling"));
  }

  @Test
  void aSessionIdMustBeLive() {
    assertNull(check("/socket.io/?EIO=4&transport=polling&sid=" + LIVE));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=polling&sid=" + UUID.randomUUID()));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=polling&sid=unknown"));
    assertEquals(EngineIoChecks.UNKNOWN_SESSION, check("/socket.io/?EIO=4&transport=websocket&sid=" + LIVE + "&sid=x"));
  }
}
