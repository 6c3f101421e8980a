package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParseException;

class PortExceptionsTest {
  @Test
  void aClientThatWentAwayIsToldApartFromABadPacket() {
    assertTrue(PortExceptions.goneAway(new SocketException("Connection reset")), "NIO read");
    assertTrue(PortExceptions.goneAway(new IOException("Broken pipe")), "NIO write");
    assertTrue(PortExceptions.goneAway(new IOException("recvAddress(..) failed: Connection reset by peer")), "epoll");
    assertTrue(PortExceptions.goneAway(new ClosedChannelException()));
    assertFalse(PortExceptions.goneAway(new JsonParseException(null, "Unexpected character")), "a bad packet's JSON");
    assertFalse(PortExceptions.goneAway(new IOException("Unknown packet type")), "another I/O failure");
    assertFalse(PortExceptions.goneAway(new IllegalStateException("connection reset")), "not an I/O failure");
  }
}
