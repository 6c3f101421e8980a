package otterbot.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.ClientsBox;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.store.MemoryStoreFactory;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/** The WebSocket writer: every queued packet in order, flushed in batches, and a lone packet flushed at once. */
class WebSocketEncoderTest {
  private final Configuration config = new Configuration();
  private final PacketEncoder packetEncoder = new PacketEncoder(config,
      new RawJsonSupport(OpenPacket.jsonSupport(1_000_000)));
  private final ClientHead client = new ClientHead(UUID.randomUUID(), null, null, new MemoryStoreFactory(),
      new HandshakeData(new DefaultHttpHeaders(), Map.of(), null, "/socket.io/", false),
      new ClientsBox(), Transport.WEBSOCKET, null, config, Map.of("EIO", List.of("4")));
  /** What reached the socket, as batches: one list of frames per flush. */
  private final List<List<String>> flushed = new ArrayList<>();
  private final List<String> pending = new ArrayList<>();
  private EmbeddedChannel channel;

  private EmbeddedChannel channel(int maxFramePayloadLength) {
    channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        WebSocketFrame frame = (WebSocketFrame) msg;
        String kind = frame instanceof TextWebSocketFrame ? "text" : frame instanceof ContinuationWebSocketFrame
            ? "cont" : frame.getClass().getSimpleName();
        pending.add(kind + (frame.isFinalFragment() ? "" : "+") + ":" + frame.content().toString(StandardCharsets.UTF_8));
        frame.release();
        promise.setSuccess();
      }

      @Override
      public void flush(ChannelHandlerContext ctx) {
        if (!pending.isEmpty()) {
          flushed.add(List.copyOf(pending));
          pending.clear();
        }
      }
    }, new WebSocketEncoder(packetEncoder, maxFramePayloadLength));
    return channel;
  }

  @AfterEach
  void close() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  private void queue(String event, String text) {
    Packet packet = new Packet(PacketType.MESSAGE, EngineIOVersion.V4);
    packet.setSubType(PacketType.EVENT);
    packet.setName(event);
    packet.setNsp("");
    packet.setData(List.of(RawJson.object().field("text", text).build()));
    client.getPacketsQueue(Transport.WEBSOCKET).add(packet);
  }

  private ChannelFuture send() {
    return channel.writeOneOutbound(new OutPacketMessage(client, Transport.WEBSOCKET));
  }

  @Test
  void aLonePacketIsFlushedAtOnce() {
    channel(1_000_000);
    queue("chat:stream", "Hello");
    ChannelFuture written = send();
    // No flush asked for by the caller, no timer: the write alone put the frame on the wire.
    assertEquals(List.of(List.of("text:42[\"chat:stream\",{\"text\":\"Hello\"}]")), flushed);
    assertTrue(written.isSuccess());
    assertTrue(client.getPacketsQueue(Transport.WEBSOCKET).isEmpty());

    // And the next one, alone again, too.
    queue("chat:stream", "world");
    send();
    assertEquals(2, flushed.size());
    assertEquals(List.of("text:42[\"chat:stream\",{\"text\":\"world\"}]"), flushed.get(1));
  }

  @Test
  void packetsQueuedTogetherGoOutInOrderWithOneFlush() {
    channel(1_000_000);
    queue("chat:stream", "a");
    queue("agent:status", "b");
    queue("chat:stream", "c");
    send();
    assertEquals(List.of(List.of("text:42[\"chat:stream\",{\"text\":\"a\"}]", "text:42[\"agent:status\",{\"text\":\"b\"}]",
        "text:42[\"chat:stream\",{\"text\":\"c\"}]")), flushed);
    // The messages netty-socketio writes for the packets already sent find an empty queue: nothing more is written.
    assertTrue(send().isSuccess());
    assertEquals(1, flushed.size());
    assertTrue(pending.isEmpty());
  }

  @Test
  void aLongBurstIsFlushedInBatchesAndNothingWaitsAfterTheWrite() {
    channel(1_000_000);
    int packets = WebSocketEncoder.FLUSH_EVERY * 2 + 5;
    for (int i = 0; i < packets; i++) {
      queue("chat:stream", Integer.toString(i));
    }
    send();
    assertEquals(List.of(WebSocketEncoder.FLUSH_EVERY, WebSocketEncoder.FLUSH_EVERY, 5),
        flushed.stream().map(List::size).toList());
    assertTrue(pending.isEmpty());
    List<String> all = flushed.stream().flatMap(List::stream).toList();
    for (int i = 0; i < packets; i++) {
      assertEquals("text:42[\"chat:stream\",{\"text\":\"" + i + "\"}]", all.get(i));
    }
  }

  @Test
  void aPacketLargerThanAFrameIsSentInFragments() {
    channel(10_000);
    String text = "x".repeat(20_000);
    queue("chat:stream", text);
    send();
    assertEquals(1, flushed.size());
    List<String> frames = flushed.get(0);
    assertEquals(3, frames.size(), "8 KiB fragments");
    assertTrue(frames.get(0).startsWith("text+:42[\"chat:stream\""));
    assertTrue(frames.get(1).startsWith("cont+:"));
    assertTrue(frames.get(2).startsWith("cont:"));
    String joined = frames.stream().map(f -> f.substring(f.indexOf(':') + 1)).reduce("", String::concat);
    assertEquals("42[\"chat:stream\",{\"text\":\"" + text + "\"}]", joined);
  }

  @Test
  void otherMessagesPassThrough() {
    channel(1_000_000);
    channel.writeOutbound(new TextWebSocketFrame("3"));
    assertEquals(List.of(List.of("text:3")), flushed);
  }
}
