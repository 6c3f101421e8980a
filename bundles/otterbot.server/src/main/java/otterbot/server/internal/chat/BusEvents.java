package otterbot.server.internal.chat;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import otterbot.api.orchestration.AgentMessage;
import otterbot.api.orchestration.BusTransport;
import otterbot.server.internal.SocketAuth;

/**
 * The bus on Socket.IO (upstream-behaviour §5.2, §6.3): every stored {@link AgentMessage} goes to every connected
 * socket as {@code bus:message}. A plain object: the {@link SocketBus} component registers it as the
 * {@link BusTransport} {@code socket.io}; tests use it directly.
 *
 * <p>The JSON has upstream's fields in upstream's order: {@code id, seq, kind, from, to, threadId, correlationId,
 * rootSpawnId, body, payload?, status?, transport, createdAt}; {@code to}, {@code correlationId} and
 * {@code rootSpawnId} are written as null when they are, {@code payload} and {@code status} are left out when null,
 * and {@code createdAt} is an ISO-8601 UTC instant ({@link java.time.Instant#toString()}, as the REST API writes it).
 *
 * <p>Called on the publishing thread: the message is turned into plain JSON values here (a payload Jackson cannot
 * write would otherwise fail on netty's event loop, with every packet queued with it), then emitting only queues the
 * packet for each socket. Nothing is thrown.
 */
public final class BusEvents implements BusTransport {
  static final String EVENT = "bus:message";
  static final String ID = "socket.io";

  private static final Logger LOG = LoggerFactory.getLogger(BusEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SocketIOServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  public BusEvents(SocketIOServer server) {
    this.server = server;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void send(AgentMessage message) {
    if (closed.get() || message == null) {
      return;
    }
    try {
      // Not to sessions that have not presented a required API token (SocketAuth).
      server.getBroadcastOperations().sendEvent(EVENT, SocketAuth.UNAUTHORIZED, json(message));
    } catch (RuntimeException e) {
      LOG.warn("bus:message {} (seq {}) could not be sent to the sockets", message.id(), message.seq(), e);
    }
  }

  /** Stops sending; sockets stay connected. */
  public void close() {
    closed.set(true);
  }

  /**
   * The message as upstream's JSON object, in upstream's field order. A Jackson tree, not a map: netty-socketio's
   * mapper leaves out null map values and bean properties, but writes a tree's null fields.
   */
  static ObjectNode json(AgentMessage m) {
    ObjectNode json = JSON.createObjectNode();
    json.put("id", m.id());
    json.put("seq", m.seq());
    json.put("kind", m.kind());
    json.put("from", m.from());
    json.put("to", m.to());
    json.put("threadId", m.threadId());
    json.put("correlationId", m.correlationId());
    json.put("rootSpawnId", m.rootSpawnId());
    json.put("body", m.body());
    if (m.payload() != null) {
      json.set("payload", plain(m.payload()));
    }
    if (m.status() != null) {
      json.put("status", m.status());
    }
    json.put("transport", m.transport());
    json.put("createdAt", m.createdAt() == null ? null : m.createdAt().toString());
    return json;
  }

  private static JsonNode plain(Object value) {
    try {
      return JSON.valueToTree(value);
    } catch (IllegalArgumentException e) {
      return TextNode.valueOf(String.valueOf(value));
    }
  }
}
