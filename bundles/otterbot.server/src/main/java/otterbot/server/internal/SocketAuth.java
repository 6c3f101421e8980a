package otterbot.server.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.AuthorizationListener;
import com.corundumstudio.socketio.AuthorizationResult;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The API token on Socket.IO, when one is required. A client presents it in the {@code auth} payload of its namespace
 * CONNECT ({@code io(url, {auth: {token}})}), or as {@code Authorization: Bearer <token>} on the Engine.IO handshake
 * request (clients with {@code extraHeaders}).
 *
 * <p>netty-socketio's own hooks do not suffice: its {@code AuthTokenListener} is not called for a CONNECT without a
 * payload (the client that simply leaves {@code auth} out), and a session joins the default namespace, and with it
 * every namespace broadcast (which goes to all of the namespace's clients, not to a room), as soon as its transport is
 * bound, before it sends any CONNECT. So, in three places:
 *
 * <ol>
 *   <li>the handshake ({@link AuthorizationListener}): a valid {@code Authorization} header marks the session
 *       authorized in its store; without a token requirement every session is marked;
 *   <li>the packets a session sends ({@link #channelRead}, before netty-socketio's packet handler): until the session
 *       is authorized only Engine.IO control packets and namespace CONNECTs pass; a CONNECT with the right token
 *       authorizes the session, any other CONNECT is answered with CONNECT_ERROR (socket.io-client fires
 *       {@code connect_error}) and dropped, and every other packet (events, acks, attachments) is dropped;
 *   <li>the broadcasts: {@code agent:status} and {@code bus:message} exclude {@link #UNAUTHORIZED} sessions.
 * </ol>
 *
 * Tokens are compared in constant time ({@link Admission#matches}).
 */
@Sharable
public final class SocketAuth extends ChannelInboundHandlerAdapter implements AuthorizationListener {
  /** Store key: present (true) once the session is authorized. */
  static final String AUTHORIZED = "otterbot.authorized";
  static final String REFUSED = "invalid or missing API token";

  /** Broadcast exclusion: sessions that are not authorized (yet) get no broadcast. */
  public static final Predicate<SocketIOClient> UNAUTHORIZED = client -> client.get(AUTHORIZED) == null;

  private static final Logger LOG = LoggerFactory.getLogger(SocketAuth.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Object> MARK = Map.of(AUTHORIZED, Boolean.TRUE);
  private static final byte SEPARATOR = 0x1e;

  private final Admission admission;

  SocketAuth(Admission admission) {
    this.admission = admission;
  }

  @Override
  public AuthorizationResult getAuthorizationResult(HandshakeData data) {
    if (!admission.tokenRequired() || admission.hasToken(data.getHttpHeaders())) {
      return new AuthorizationResult(true, MARK);
    }
    return AuthorizationResult.SUCCESSFUL_AUTHORIZATION; // the token may still come with the CONNECT
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof PacketsMessage packets) || !admission.tokenRequired()
        || packets.getClient().getStore().has(AUTHORIZED)) {
      ctx.fireChannelRead(msg);
      return;
    }
    ClientHead client = packets.getClient();
    ByteBuf content = packets.getContent();
    List<ByteBuf> kept = new ArrayList<>();
    boolean dropped = false;
    boolean polling = packets.getTransport() == com.corundumstudio.socketio.Transport.POLLING;
    int start = content.readerIndex();
    int end = content.writerIndex();
    while (start <= end) {
      int stop = polling ? content.indexOf(start, end, SEPARATOR) : -1;
      if (stop < 0) {
        stop = end;
      }
      ByteBuf record = content.slice(start, stop - start);
      if (client.getStore().has(AUTHORIZED) || admit(client, record)) {
        kept.add(record);
      } else {
        dropped = true;
      }
      start = stop + 1;
    }
    if (!dropped) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (kept.isEmpty()) {
      return; // the creator of the message releases its content
    }
    CompositeByteBuf rebuilt = ctx.alloc().compositeBuffer(kept.size() * 2);
    for (int i = 0; i < kept.size(); i++) {
      if (i > 0) {
        rebuilt.addComponent(true, ctx.alloc().buffer(1).writeByte(SEPARATOR));
      }
      rebuilt.addComponent(true, kept.get(i).retain());
    }
    try {
      ctx.fireChannelRead(new PacketsMessage(client, rebuilt, packets.getTransport()));
    } finally {
      rebuilt.release();
    }
  }

  /** Whether one record of an unauthorized session may pass; answers a refused CONNECT. */
  private boolean admit(ClientHead client, ByteBuf record) {
    if (!record.isReadable()) {
      return false;
    }
    byte type = record.getByte(record.readerIndex());
    switch (type) {
      case '1', '2', '3', '5', '6':
        return true; // Engine.IO close, ping, pong, upgrade, noop
      case '4':
        break;
      default:
        return false; // binary
    }
    if (record.readableBytes() < 2 || record.getByte(record.readerIndex() + 1) != '0') {
      LOG.debug("Dropped a packet of Socket.IO session {}, which has not presented the API token",
          client.getSessionId());
      return false;
    }
    String connect = record.toString(record.readerIndex() + 2, record.readableBytes() - 2, StandardCharsets.UTF_8);
    String namespace = "";
    if (connect.startsWith("/")) {
      int comma = connect.indexOf(',');
      namespace = comma < 0 ? connect : connect.substring(0, comma);
      connect = comma < 0 ? "" : connect.substring(comma + 1);
      if ("/".equals(namespace)) {
        namespace = "";
      }
    }
    if (admission.matches(token(connect))) {
      client.getStore().set(AUTHORIZED, Boolean.TRUE);
      return true;
    }
    LOG.debug("Refused a namespace CONNECT of Socket.IO session {}: {}", client.getSessionId(), REFUSED);
    Packet error = new Packet(PacketType.MESSAGE, client.getEngineIOVersion());
    error.setSubType(PacketType.ERROR);
    error.setNsp(namespace);
    error.setData(Map.of("message", REFUSED));
    client.send(error);
    return false;
  }

  private static String token(String payload) {
    if (payload.isBlank()) {
      return null;
    }
    try {
      JsonNode token = JSON.readTree(payload).get("token");
      return token != null && token.isTextual() ? token.textValue() : null;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
