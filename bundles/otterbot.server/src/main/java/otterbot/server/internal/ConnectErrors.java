package otterbot.server.internal;

import java.util.Map;

import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;

/**
 * Socket.IO v5 CONNECT_ERROR packets carry an object, {@code 44/random,{"message":"Invalid namespace"}}; the client
 * reads its {@code message} (and {@code data}). netty-socketio 2.0.14 refuses an unknown namespace with the bare string,
 * {@code 44/random,"Invalid namespace"}, which a v4 client reports as an error without a message. Both encoders pass
 * every packet through {@link #asObject} before encoding it.
 */
final class ConnectErrors {
  private ConnectErrors() {}

  static void asObject(Packet packet) {
    if (packet.getType() == PacketType.MESSAGE && packet.getSubType() == PacketType.ERROR
        && EngineIOVersion.V4.equals(packet.getEngineIOVersion()) && packet.getData() instanceof String message) {
      packet.setData(Map.of("message", message));
    }
  }
}
