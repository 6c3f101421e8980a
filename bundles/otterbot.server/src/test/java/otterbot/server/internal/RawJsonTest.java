package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.protocol.JsonSupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;

/** Pre-encoded event arguments come out byte for byte as netty-socketio's Jackson writes the same map. */
class RawJsonTest {
  private final JsonSupport jackson = OpenPacket.jsonSupport(1_000_000);
  private final JsonSupport port = new RawJsonSupport(OpenPacket.jsonSupport(1_000_000));

  private static String write(JsonSupport json, Object value) throws IOException {
    ByteBuf buf = Unpooled.buffer();
    json.writeValue(new ByteBufOutputStream(buf), value);
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void plainStringsAreWrittenAsJacksonWritesThem() throws IOException {
    for (String text : List.of("", "Hello", " world", "1234567890", "é à ü ß", "中文字符", "tab-free ~ \u007f",
        "slash / and 'quote'", "\u2028 \u00a0 \uffff", "<script>")) {
      RawJson raw = RawJson.object().field("agentId", "coo").startObject("chunk").field("kind", "text")
          .field("text", text).end().build();
      assertNotNull(raw, text);
      var chunk = new LinkedHashMap<String, Object>();
      chunk.put("kind", "text");
      chunk.put("text", text);
      var map = new LinkedHashMap<String, Object>();
      map.put("agentId", "coo");
      map.put("chunk", chunk);
      assertEquals(write(jackson, List.of("chat:stream", map)), write(port, List.of("chat:stream", raw)), text);
      // Jackson itself, should a RawJson ever reach it, writes the same.
      assertEquals(write(jackson, List.of("chat:stream", map)), write(jackson, List.of("chat:stream", raw)), text);
    }
  }

  @Test
  void stringsThatNeedEscapingAreLeftToJackson() {
    for (String text : List.of("a\"b", "back\\slash", "line\nbreak", "\t", "\u0000", "\u001f", "emoji \ud83d\ude00",
        "lone \ud83d")) {
      assertNull(RawJson.object().field("text", text).build(), text);
    }
    assertNull(RawJson.object().field("text", null).build());
  }

  @Test
  void fieldsBooleansAndNesting() throws IOException {
    RawJson raw = RawJson.object().field("a", "1").fieldIfPresent("skipped", null).startObject("b").field("c", true)
        .field("d", "x").end().field("e", false).build();
    assertEquals("{\"a\":\"1\",\"b\":{\"c\":true,\"d\":\"x\"},\"e\":false}", raw.toString());
    assertEquals(write(jackson, List.of("ev", Map.of("a", "1"))),
        write(port, List.of("ev", RawJson.object().field("a", "1").build())));
  }

  @Test
  void anythingElseGoesToJackson() throws IOException {
    Object[] values = {List.of("ev", Map.of("a", 1)), Map.of("k", "v"), List.of("a", "b"), "x"};
    for (Object value : values) {
      assertEquals(write(jackson, value), write(port, value));
    }
    // A byte[] argument makes Jackson note a binary attachment; the next pre-encoded event has none.
    write(port, List.of("bin", new byte[] {1, 2}));
    assertEquals(1, port.getArrays().size());
    write(port, List.of("ev", RawJson.object().field("a", "1").build()));
    assertEquals(0, port.getArrays().size());
  }
}
