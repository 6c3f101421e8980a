package otterbot.server.internal;

import java.io.IOException;
import java.util.List;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.protocol.AckArgs;
import com.corundumstudio.socketio.protocol.JsonSupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;

/**
 * The port's JSON support: netty-socketio's Jackson support, except that an event whose one argument is a
 * {@link RawJson} ({@code ["name", raw]}, as netty-socketio's packet encoder hands it over) is written by copying the
 * bytes. Same output, without a Jackson generator and a map serialiser per packet on the event loop.
 */
final class RawJsonSupport implements JsonSupport {
  private final JsonSupport jackson;

  RawJsonSupport(JsonSupport jackson) {
    this.jackson = jackson;
  }

  @Override
  public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
    if (value instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String name
        && list.get(1) instanceof RawJson raw && RawJson.plain(name)) {
      // Jackson forgets the binary arguments of the last packet it wrote on this thread only when it writes the next
      // one; the packet encoder asks for them after every write.
      List<byte[]> arrays = jackson.getArrays();
      if (!arrays.isEmpty()) {
        arrays.clear();
      }
      ByteBuf buffer = out.buffer();
      buffer.writeByte('[').writeByte('"');
      buffer.writeCharSequence(name, java.nio.charset.StandardCharsets.UTF_8);
      buffer.writeByte('"').writeByte(',');
      buffer.writeBytes(raw.utf8());
      buffer.writeByte(']');
      return;
    }
    jackson.writeValue(out, value);
  }

  @Override
  public List<byte[]> getArrays() {
    return jackson.getArrays();
  }

  @Override
  public AckArgs readAckArgs(ByteBufInputStream src, AckCallback<?> callback) throws IOException {
    return jackson.readAckArgs(src, callback);
  }

  @Override
  public <T> T readValue(String namespaceName, ByteBufInputStream src, Class<T> valueType) throws IOException {
    return jackson.readValue(namespaceName, src, valueType);
  }

  @Override
  public void addEventMapping(String namespaceName, String eventName, Class<?>... eventClass) {
    jackson.addEventMapping(namespaceName, eventName, eventClass);
  }

  @Override
  public void removeEventMapping(String namespaceName, String eventName) {
    jackson.removeEventMapping(namespaceName, eventName);
  }
}
