package otterbot.server.internal;

import java.io.IOException;

import com.corundumstudio.socketio.protocol.AuthPacket;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * The Engine.IO v4 open packet in full. netty-socketio 2.0.14 writes
 * {@code {"sid","upgrades","pingInterval","pingTimeout"}}; the protocol also requires {@code maxPayload}, the largest
 * payload the server accepts, which the client uses to split what it sends over polling into requests it knows will be
 * taken. netty-socketio serialises the packet with its JSON support, so ours is its Jackson support with a serializer
 * for the packet that adds the field.
 */
final class OpenPacket extends StdSerializer<AuthPacket> {
  private static final long serialVersionUID = 1L;

  private final int maxPayload;

  private OpenPacket(int maxPayload) {
    super(AuthPacket.class);
    this.maxPayload = maxPayload;
  }

  /**
   * netty-socketio's Jackson JSON support, writing open packets that announce {@code maxPayload} and reading binary
   * arguments as {@code byte[]} ({@link BinaryPlaceholders}).
   */
  static JsonSupport jsonSupport(int maxPayload) {
    return new JacksonJsonSupport(new SimpleModule("otterbot-open-packet").addSerializer(new OpenPacket(maxPayload)),
        BinaryPlaceholders.module());
  }

  @Override
  public void serialize(AuthPacket packet, JsonGenerator json, SerializerProvider provider) throws IOException {
    json.writeStartObject();
    json.writeStringField("sid", packet.getSid().toString());
    json.writeArrayFieldStart("upgrades");
    for (String upgrade : packet.getUpgrades()) {
      json.writeString(upgrade);
    }
    json.writeEndArray();
    json.writeNumberField("pingInterval", packet.getPingInterval());
    json.writeNumberField("pingTimeout", packet.getPingTimeout());
    json.writeNumberField("maxPayload", maxPayload);
    json.writeEndObject();
  }
}
