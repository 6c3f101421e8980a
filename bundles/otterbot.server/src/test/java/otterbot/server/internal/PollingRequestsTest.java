package otterbot.server.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The close packet found in a polling POST decides whether a session that kept going after it is ended. */
class PollingRequestsTest {

  @Test
  void aCloseIsOnlyThePacketOfTheOneCharacterOne() {
    assertTrue(PollingRequests.holdsClosePacket(payload("1")));
    assertTrue(PollingRequests.holdsClosePacket(payload("41\u001e1")));
    assertTrue(PollingRequests.holdsClosePacket(payload("1\u001e42[\"x\"]")));
    assertFalse(PollingRequests.holdsClosePacket(payload("41")));
    assertFalse(PollingRequests.holdsClosePacket(payload("42[\"1\"]\u001e11")));
    assertFalse(PollingRequests.holdsClosePacket(payload("")));
    assertFalse(PollingRequests.holdsClosePacket(payload("\u001e")));
  }

  @Test
  void readingLeavesTheBufferForNettySocketIo() {
    ByteBuf buffer = payload("xx41\u001e1");
    buffer.readerIndex(2);
    assertTrue(PollingRequests.holdsClosePacket(buffer));
    assertEquals(2, buffer.readerIndex());
    assertEquals("41\u001e1", buffer.toString(UTF_8));
  }

  private static ByteBuf payload(String text) {
    return Unpooled.copiedBuffer(text, UTF_8);
  }
}
