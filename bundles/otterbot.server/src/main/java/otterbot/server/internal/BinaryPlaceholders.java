package otterbot.server.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Binary arguments of Socket.IO events and acks arrive as binary: as {@code byte[]} in a listener's arguments, so they
 * can be told from strings and sent back as binary.
 *
 * <p>A Socket.IO v5 client sends an event with binary arguments as a text packet with placeholders,
 * {@code 452-["message",{"_placeholder":true,"num":0},...]}, followed by one binary WebSocket message per attachment.
 * netty-socketio 2.0.14 replaces each placeholder with the attachment's base64 as a JSON string before it parses the
 * arguments, so a listener declared with {@code Object} gets a string that cannot be told from a string the client
 * sent, and echoes it as text. So before netty-socketio sees such a packet, {@link #channelRead} wraps each placeholder
 * in a marker object ({@code {"_otterbot_binary":{"_placeholder":true,"num":0}}}); netty-socketio still finds and
 * replaces the placeholder inside it, and the {@link #module() JSON module} turns the marked base64 into {@code byte[]},
 * both for untyped ({@code Object}) arguments, at any depth, and for arguments declared as {@code byte[]} (which also
 * still take a plain base64 string, as before). netty-socketio writes {@code byte[]} back as attachments.
 *
 * <p>It sits before netty-socketio's {@code packetHandler}, where the transports' {@link PacketsMessage}s pass.
 */
@Sharable
final class BinaryPlaceholders extends ChannelInboundHandlerAdapter {
  static final BinaryPlaceholders INSTANCE = new BinaryPlaceholders();
  static final String MARKER = "_otterbot_binary";

  /** A binary event (5) or binary ack (6) of Engine.IO message packet (4): {@code 45<n>-} or {@code 46<n>-}. */
  private static final Pattern BINARY_HEADER = Pattern.compile("^4[56]\\d+-");
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{\"_placeholder\":true,\"num\":\\d+\\}|\\{\"num\":\\d+,\"_placeholder\":true\\}");

  private BinaryPlaceholders() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof PacketsMessage packets) || packets.getTransport() != Transport.WEBSOCKET
        || !isBinaryHeader(packets.getContent())) {
      ctx.fireChannelRead(msg);
      return;
    }
    String text = packets.getContent().toString(StandardCharsets.UTF_8);
    Matcher placeholders = PLACEHOLDER.matcher(text);
    String marked = placeholders.replaceAll(match -> Matcher.quoteReplacement("{\"" + MARKER + "\":" + match.group() + "}"));
    ByteBuf content = Unpooled.copiedBuffer(marked, StandardCharsets.UTF_8);
    try {
      ctx.fireChannelRead(new PacketsMessage(packets.getClient(), content, Transport.WEBSOCKET));
    } finally {
      content.release(); // netty-socketio copies what it keeps until the attachments arrive
    }
  }

  private static boolean isBinaryHeader(ByteBuf content) {
    int start = content.readerIndex();
    int length = Math.min(content.readableBytes(), 16);
    if (length < 4 || content.getByte(start) != '4') {
      return false;
    }
    return BINARY_HEADER.matcher(content.toString(start, length, StandardCharsets.US_ASCII)).find();
  }

  /** Jackson deserializers for {@code Object} and {@code byte[]} that read marked attachments as {@code byte[]}. */
  static SimpleModule module() {
    return new SimpleModule("otterbot-binary-arguments")
        .addDeserializer(Object.class, new UntypedDeserializer())
        .addDeserializer(byte[].class, new BytesDeserializer());
  }

  /** What Jackson's untyped deserializer makes of JSON, except that marked attachments become {@code byte[]}. */
  private static final class UntypedDeserializer extends StdDeserializer<Object> {
    private static final long serialVersionUID = 1L;

    UntypedDeserializer() {
      super(Object.class);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      return toJava(context.readTree(parser));
    }

    @Override
    public Object getNullValue(DeserializationContext context) {
      return null;
    }

    private static Object toJava(JsonNode node) {
      if (node.isObject()) {
        byte[] attachment = attachment(node);
        if (attachment != null) {
          return attachment;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          map.put(field.getKey(), toJava(field.getValue()));
        }
        return map;
      }
      if (node.isArray()) {
        List<Object> list = new ArrayList<>(node.size());
        node.forEach(element -> list.add(toJava(element)));
        return list;
      }
      if (node.isTextual()) {
        return node.textValue();
      }
      if (node.isBoolean()) {
        return node.booleanValue();
      }
      if (node.isIntegralNumber()) {
        return node.canConvertToInt() ? (Object) node.intValue()
            : node.canConvertToLong() ? (Object) node.longValue() : (BigInteger) node.bigIntegerValue();
      }
      if (node.isNumber()) {
        return node.doubleValue();
      }
      return null;
    }
  }

  private static final class BytesDeserializer extends StdDeserializer<byte[]> {
    private static final long serialVersionUID = 1L;

    BytesDeserializer() {
      super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        return decode(parser.getText());
      }
      JsonNode node = context.readTree(parser);
      byte[] attachment = attachment(node);
      if (attachment == null) {
        return (byte[]) context.handleUnexpectedToken(byte[].class, parser);
      }
      return attachment;
    }
  }

  /** The bytes of a marked attachment, or null when the node is something else. */
  private static byte[] attachment(JsonNode node) {
    JsonNode marked = node.size() == 1 ? node.get(MARKER) : null;
    return marked != null && marked.isTextual() ? decode(marked.textValue()) : null;
  }

  /** netty-socketio's base64 breaks lines every 76 characters; the MIME decoder skips them. */
  private static byte[] decode(String base64) {
    return Base64.getMimeDecoder().decode(base64);
  }
}
