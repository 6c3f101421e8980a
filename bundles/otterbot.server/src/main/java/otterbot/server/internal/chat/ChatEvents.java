package otterbot.server.internal.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.listener.DataListener;
import com.fasterxml.jackson.databind.ObjectMapper;

import otterbot.api.OtterbotException;
import otterbot.api.chat.ChatListener;
import otterbot.api.chat.ChatService;
import otterbot.api.chat.ChatTurn;
import otterbot.api.chat.ConversationListener;
import otterbot.api.chat.Conversation;
import otterbot.api.chat.StreamChunk;
import otterbot.server.internal.RawJson;
import otterbot.server.internal.SocketAuth;

/**
 * The chat events of the Socket.IO protocol (upstream-behaviour §5) on a netty-socketio server, driving a
 * {@link ChatService}. A plain object: the {@link SocketChat} component creates and closes it, tests use it directly.
 *
 * <p>Client to server: {@code chat:join {agentId?, conversationId?}}, {@code chat:message {agentId?, text}},
 * {@code chat:close {agentId?}}. Server to client: {@code chat:joined {agentId, conversationId, resumed}},
 * {@code chat:stream {agentId, chunk}}, {@code chat:done {agentId, conversationId}}, and {@code agent:status
 * {agentId, status}} to every socket. An agentId that is missing, null or not a string means {@code "coo"}.
 *
 * <p>Threads: netty-socketio calls the listeners on its event loops, which must not wait for anything. The event is
 * handed to the socket's own serial queue on {@code executor}, so the events of one socket are handled one after the
 * other, in the order they came (a join before the message that follows it), while {@link ChatService#join} may take
 * its time (the database). A {@code chat:message} to a conversation the socket has joined, while nothing of the
 * socket's is queued or running, is handled right on the event loop instead: it only calls {@link ChatService#send},
 * which returns at once, and the hand-off to the executor was one thread wake-up more before the model call (issue
 * 12, time to first token). The turn's chunks come on the
 * service's threads and are emitted right there, one by one as they come: emitting only queues the packet for the
 * socket's connection, in call order, so the chunks of a turn go out in order and before its {@code chat:done}.
 */
public final class ChatEvents implements AutoCloseable {
  static final String JOIN = "chat:join";
  static final String MESSAGE = "chat:message";
  static final String CLOSE = "chat:close";
  static final String JOINED = "chat:joined";
  static final String STREAM = "chat:stream";
  static final String DONE = "chat:done";
  static final String STATUS = "agent:status";

  static final String DEFAULT_AGENT = "coo";
  static final String NOT_AVAILABLE = "chat is not available yet, try again in a moment";
  static final String NOT_AN_OBJECT = "chat:message expects an object: {agentId?, text}";
  static final String BAD_AGENT_ID = "agentId must be an agent id: 1 to 128 lower-case letters, digits, '_' or '-'";
  /** The form of agent ids (the core's rule): anything else is refused before it is used as a key. */
  static final Pattern AGENT_ID = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?");
  /** Agents one socket may have joined; a socket that joins more is refused. */
  static final int MAX_JOINED_AGENTS = 100;
  /** How much of an invalid agentId is echoed back. */
  private static final int MAX_ECHOED_ID = 128;

  /**
   * Per-socket bounds: turns running at once and events waiting to be handled. An event beyond them is answered at
   * once with an error chunk and {@code chat:done}, never queued.
   */
  public record Limits(int maxTurnsPerSocket, int maxQueuedEventsPerSocket) {
    public static final int DEFAULT_MAX_TURNS_PER_SOCKET = 4;
    public static final int DEFAULT_MAX_QUEUED_EVENTS_PER_SOCKET = 16;
    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_TURNS_PER_SOCKET,
        DEFAULT_MAX_QUEUED_EVENTS_PER_SOCKET);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ChatEvents.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SocketIOServer server;
  private final Supplier<ChatService> chat;
  private final Executor executor;
  private final Limits limits;
  private final Map<UUID, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Adds the chat listeners to {@code server}.
   *
   * @param chat the chat service, or null while there is none (then messages are answered with an error chunk)
   * @param executor runs the handling of the events, one socket's at a time; must not run tasks on the caller's thread
   */
  public ChatEvents(SocketIOServer server, Supplier<ChatService> chat, Executor executor) {
    this(server, chat, executor, Limits.DEFAULTS);
  }

  /** @param limits the per-socket bounds */
  public ChatEvents(SocketIOServer server, Supplier<ChatService> chat, Executor executor, Limits limits) {
    this.server = server;
    this.chat = chat;
    this.executor = executor;
    this.limits = limits;
    server.addEventListener(JOIN, Object.class, listener(this::join, true, null));
    server.addEventListener(MESSAGE, Object.class, listener(this::message, true, ChatEvents::sendsAtOnce));
    server.addEventListener(CLOSE, Object.class, listener(this::closeConversation, false, null));
    server.addDisconnectListener(this::disconnected);
  }

  /** Removes the listeners and cancels every running turn. Sockets stay connected. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (String event : List.of(JOIN, MESSAGE, CLOSE)) {
        server.removeAllListeners(event);
      }
      // netty-socketio cannot remove a disconnect listener; ours does nothing once closed.
      for (Session session : sessions.values()) {
        session.close();
      }
      sessions.clear();
    }
  }

  /** {@code agent:status {agentId, status}} to every connected socket. */
  public void statusChanged(String agentId, String status) {
    if (!closed.get()) {
      // Not to sessions that have not presented a required API token (SocketAuth).
      server.getBroadcastOperations().sendEvent(STATUS, SocketAuth.UNAUTHORIZED, statusJson(agentId, status));
    }
  }

  private interface Handler {
    void handle(Session session, Object payload);
  }

  /**
   * @param answered whether a refused event gets an error chunk and {@code chat:done} (chat:close expects nothing)
   * @param immediate whether the event can be handled on the event loop, as nothing in its handling waits (see
   *     {@link Session#run}); null for never
   */
  private DataListener<Object> listener(Handler handler, boolean answered, BiPredicate<Session, Object> immediate) {
    return (client, payload, ack) -> {
      Session session = session(client);
      if (session != null && !session.run(() -> handler.handle(session, payload),
          () -> immediate != null && immediate.test(session, payload)) && answered) {
        Map<?, ?> fields = payload instanceof Map<?, ?> map ? map : Map.of();
        String agentId = echoedAgentId(fields);
        Joined joined = AGENT_ID.matcher(agentId).matches() ? session.joinedNow(agentId) : null;
        session.fail(agentId, joined != null ? joined.conversationId() : null, "too many chat events at once on this"
            + " connection (at most " + limits.maxQueuedEventsPerSocket() + " waiting, maxQueuedEventsPerSocket in"
            + " otterbot.chat.socket.cfg); this one was not handled, wait for chat:done");
      }
    };
  }

  /** The socket's state, created with its first chat event; null once the socket (or this object) is gone. */
  private Session session(SocketIOClient client) {
    if (closed.get()) {
      return null;
    }
    Session session = sessions.computeIfAbsent(client.getSessionId(), id -> new Session(client));
    // netty-socketio forgets a socket before it calls the disconnect listeners. If that happened before the state was
    // created, disconnected() has already run and would never close it; the same for close() of this object.
    if (server.getClient(client.getSessionId()) == null || closed.get()) {
      sessions.remove(client.getSessionId(), session);
      session.close();
      return null;
    }
    return session;
  }

  /**
   * On the event loop: cancels the socket's running turns, so their provider streams are aborted. Cancelling only
   * asks the turn to stop ({@link ChatTurn#cancel()}); it does not wait for it.
   */
  private void disconnected(SocketIOClient client) {
    Session session = sessions.remove(client.getSessionId());
    if (session != null) {
      session.close();
      // The end of the session for every conversation it joined: the agents learn from them (in the background).
      ChatService service = chat.get();
      if (service != null && !closed.get()) {
        session.joined.forEach((agentId, joined) -> closeQuietly(service, agentId, joined.conversationId(),
            ConversationListener.DISCONNECTED));
      }
    }
  }

  /**
   * {@code chat:close {agentId?}}: ends the socket's conversation with the agent (the agent learns from it); nothing
   * is emitted and the conversation stays joined, so the next message continues it.
   */
  private void closeConversation(Session session, Object payload) {
    Map<?, ?> fields = payload instanceof Map<?, ?> map ? map : Map.of();
    String agentId = agentId(fields);
    Joined joined = AGENT_ID.matcher(agentId).matches() ? session.joined.get(agentId) : null;
    ChatService service = chat.get();
    if (joined != null && service != null) {
      closeQuietly(service, agentId, joined.conversationId(), ConversationListener.CLOSED_BY_CLIENT);
    }
  }

  private static void closeQuietly(ChatService service, String agentId, String conversationId, String reason) {
    try {
      service.close(agentId, conversationId, reason);
    } catch (RuntimeException e) {
      LOG.warn("Closing conversation {} of agent {} failed: {}", conversationId, agentId, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------- the events

  private void join(Session session, Object payload) {
    Map<?, ?> fields = payload instanceof Map<?, ?> map ? map : Map.of();
    String agentId = agentId(fields);
    if (refused(session, agentId)) {
      return;
    }
    String conversationId = fields.get("conversationId") instanceof String id ? id : null;
    ChatService service = chat.get();
    Conversation conversation = null;
    if (service != null) {
      try {
        conversation = service.join(agentId, conversationId);
      } catch (RuntimeException e) {
        LOG.warn("Joining a conversation of agent {} failed", agentId, e);
      }
    }
    if (conversation == null) {
      // No chat service right now: the client still gets its conversation id, and the service is asked for it with
      // the next message.
      String id = conversationId != null ? conversationId : ChatService.newConversationId(agentId);
      session.joined.put(agentId, new Joined(id, false));
      session.emit(JOINED, fields("agentId", agentId, "conversationId", id, "resumed", false));
      return;
    }
    session.joined.put(agentId, new Joined(conversation.conversationId(), true));
    session.emit(JOINED, joined(agentId, conversation));
  }

  /**
   * Whether {@link #message} would only call {@link ChatService#send} (which returns at once, by its contract) and
   * emit: a message to an agent whose conversation the socket has joined with the service. Anything else may join
   * first, which reads the database.
   */
  private static boolean sendsAtOnce(Session session, Object payload) {
    if (!(payload instanceof Map<?, ?> fields)) {
      return false;
    }
    String agentId = agentId(fields);
    Joined joined = AGENT_ID.matcher(agentId).matches() ? session.joined.get(agentId) : null;
    return joined != null && joined.confirmed();
  }

  private void message(Session session, Object payload) {
    if (!(payload instanceof Map<?, ?> fields)) {
      Joined joined = session.joined.get(DEFAULT_AGENT);
      session.fail(DEFAULT_AGENT, joined != null ? joined.conversationId() : null, NOT_AN_OBJECT);
      return;
    }
    String agentId = agentId(fields);
    if (refused(session, agentId)) {
      return;
    }
    // Not a string: the service answers as for a missing text.
    String text = fields.get("text") instanceof String value ? value : null;
    ChatService service = chat.get();
    Joined joined = session.joined.get(agentId);
    if (service == null) {
      session.fail(agentId, joined != null ? joined.conversationId() : null, NOT_AVAILABLE);
      return;
    }
    String conversationId;
    try {
      conversationId = conversation(session, service, agentId, joined);
    } catch (RuntimeException e) {
      LOG.warn("Joining a conversation of agent {} failed", agentId, e);
      session.fail(agentId, joined != null ? joined.conversationId() : null, message(e));
      return;
    }
    Turn turn = new Turn(session, agentId, conversationId);
    Boolean started = session.started(turn, limits.maxTurnsPerSocket());
    if (started == null) {
      return; // the socket went away meanwhile
    }
    if (!started) {
      session.fail(agentId, conversationId, "too many turns running on this connection (at most "
          + limits.maxTurnsPerSocket() + ", maxTurnsPerSocket in otterbot.chat.socket.cfg); wait for chat:done");
      return;
    }
    ChatTurn running;
    try {
      running = service.send(agentId, conversationId, text, turn);
    } catch (RuntimeException e) {
      LOG.warn("Starting a turn of agent {} failed", agentId, e);
      turn.chunk(StreamChunk.error(message(e)));
      turn.done();
      return;
    }
    turn.running(running);
  }

  /** The conversation to send to: joined (auto-joining first, as upstream), or confirmed with the service now. */
  private String conversation(Session session, ChatService service, String agentId, Joined joined) {
    if (joined != null && joined.confirmed()) {
      return joined.conversationId();
    }
    Conversation conversation = service.join(agentId, joined != null ? joined.conversationId() : null);
    session.joined.put(agentId, new Joined(conversation.conversationId(), true));
    if (joined == null || !joined.conversationId().equals(conversation.conversationId())) {
      session.emit(JOINED, joined(agentId, conversation));
    }
    return conversation.conversationId();
  }

  private static String agentId(Map<?, ?> fields) {
    return fields.get("agentId") instanceof String id ? id : DEFAULT_AGENT;
  }

  /** The agentId to name in an answer: as given, cut to a sane length. */
  private static String echoedAgentId(Map<?, ?> fields) {
    String id = agentId(fields);
    return id.length() > MAX_ECHOED_ID ? id.substring(0, MAX_ECHOED_ID) : id;
  }

  /**
   * Answers (error chunk and done) an event whose agentId is not an agent id, or that would make the socket join more
   * than {@link #MAX_JOINED_AGENTS} agents: a client's string is not used as a key before it is checked.
   */
  private static boolean refused(Session session, String agentId) {
    String problem = null;
    if (!AGENT_ID.matcher(agentId).matches()) {
      problem = BAD_AGENT_ID;
    } else if (!session.joined.containsKey(agentId) && session.joined.size() >= MAX_JOINED_AGENTS) {
      problem = "this connection has joined " + MAX_JOINED_AGENTS + " agents, the most allowed";
    }
    if (problem == null) {
      return false;
    }
    session.fail(agentId.length() > MAX_ECHOED_ID ? agentId.substring(0, MAX_ECHOED_ID) : agentId, null, problem);
    return true;
  }

  /** Our own refusals say what is wrong; anything else failed inside the server and is only logged. */
  private static String message(RuntimeException e) {
    return e instanceof OtterbotException && e.getMessage() != null ? e.getMessage()
        : "internal error (the server log has the details)";
  }

  private static Map<String, Object> joined(String agentId, Conversation conversation) {
    return fields("agentId", agentId, "conversationId", conversation.conversationId(), "resumed",
        conversation.resumed());
  }

  /** A JSON object with its fields in the order given (null values included). */
  static Map<String, Object> fields(Object... namesAndValues) {
    var map = new LinkedHashMap<String, Object>(namesAndValues.length);
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }

  /**
   * {@code {agentId, status}}, encoded once for every socket it goes to when it can be ({@link RawJson}), else the
   * map that netty-socketio encodes per socket.
   */
  static Object statusJson(String agentId, String status) {
    RawJson raw = RawJson.object().field("agentId", agentId).field("status", status).build();
    return raw != null ? raw : fields("agentId", agentId, "status", status);
  }

  /**
   * {@code {agentId, chunk}}: encoded here on the turn's thread ({@link RawJson}) when every field is a string that
   * needs no escaping, which is what nearly every streamed token is; else the map that netty-socketio encodes.
   */
  static Object streamJson(String agentId, StreamChunk chunk) {
    if (chunk.args() == null && chunk.result() == null) {
      RawJson raw = RawJson.object().field("agentId", agentId)
          .startObject("chunk")
          .field("kind", chunk.kind())
          .fieldIfPresent("text", chunk.text())
          .fieldIfPresent("id", chunk.id())
          .fieldIfPresent("name", chunk.name())
          .fieldIfPresent("message", chunk.message())
          .end()
          .build();
      if (raw != null) {
        return raw;
      }
    }
    return fields("agentId", agentId, "chunk", chunkJson(chunk));
  }

  /** A chunk as JSON: kind first, the fields that are not null, nothing else. */
  static Map<String, Object> chunkJson(StreamChunk chunk) {
    var json = new LinkedHashMap<String, Object>(4);
    json.put("kind", chunk.kind());
    putIfPresent(json, "text", chunk.text());
    putIfPresent(json, "id", chunk.id());
    putIfPresent(json, "name", chunk.name());
    putIfPresent(json, "args", plain(chunk.args()));
    putIfPresent(json, "result", plain(chunk.result()));
    putIfPresent(json, "message", chunk.message());
    return json;
  }

  private static void putIfPresent(Map<String, Object> json, String name, Object value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  /**
   * Tool arguments and results as a JSON tree, made here on the turn's thread: netty-socketio serialises packets on
   * the event loop, where a value Jackson cannot write would fail the write of every packet queued with it.
   */
  private static Object plain(Object value) {
    if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    try {
      return JSON.valueToTree(value);
    } catch (IllegalArgumentException e) {
      return String.valueOf(value);
    }
  }

  // ---------------------------------------------------------------------------------------------- state

  /** A joined conversation; not confirmed when it was joined while there was no chat service. */
  private record Joined(String conversationId, boolean confirmed) {}

  /** One socket's chat state. */
  private final class Session {
    private final SocketIOClient client;
    /** agentId to conversation; written only by the socket's serial tasks, read by refusals on the event loop. */
    final Map<String, Joined> joined = new ConcurrentHashMap<>();
    /** Running turns and whether the socket is gone: guarded by {@code this}. */
    private final List<Turn> turns = new ArrayList<>(2);
    private boolean gone;
    /** The socket's serial queue: guarded by {@code this}. */
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    Session(SocketIOClient client) {
      this.client = client;
    }

    void emit(String event, Object data) {
      client.sendEvent(event, data);
    }

    /** An error chunk and done, for a message that is not handed to the service. */
    void fail(String agentId, String conversationId, String message) {
      emit(STREAM, fields("agentId", agentId, "chunk", chunkJson(StreamChunk.error(message))));
      emit(DONE, fields("agentId", agentId, "conversationId", conversationId));
    }

    Joined joinedNow(String agentId) {
      return joined.get(agentId);
    }

    /**
     * Runs {@code task} after the socket's earlier tasks, on the executor; false when it was refused because
     * {@link Limits#maxQueuedEventsPerSocket()} events are already waiting (true when the socket is gone: nothing to
     * answer). When nothing of the socket's is queued or running and {@code mayRunHere} says that the task waits for
     * nothing (asked then, under the lock, so no other of the socket's tasks can change what it depends on), the task
     * runs on this thread; the order stays, as whatever comes meanwhile queues behind it.
     */
    boolean run(Runnable task, BooleanSupplier mayRunHere) {
      boolean here;
      synchronized (this) {
        if (gone) {
          return true;
        }
        if (queue.size() >= limits.maxQueuedEventsPerSocket()) {
          return false;
        }
        here = !draining && mayRunHere.getAsBoolean();
        if (!here) {
          queue.add(task);
          if (draining) {
            return true;
          }
        }
        draining = true;
      }
      if (here) {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("A chat event of socket {} failed", client.getSessionId(), e);
        }
        synchronized (this) {
          if (gone || queue.isEmpty()) {
            queue.clear();
            draining = false;
            return true;
          }
        }
      }
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        LOG.debug("Chat event of {} dropped: shutting down", client.getSessionId());
        synchronized (this) {
          queue.clear();
          draining = false;
        }
      }
      return true;
    }

    private void drain() {
      while (true) {
        Runnable task;
        synchronized (this) {
          task = gone ? null : queue.poll();
          if (task == null) {
            queue.clear();
            draining = false;
            return;
          }
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("A chat event of socket {} failed", client.getSessionId(), e);
        }
      }
    }

    /** Registers a turn about to start: null when the socket is gone, false when {@code max} turns run already. */
    synchronized Boolean started(Turn turn, int max) {
      if (gone) {
        return null;
      }
      if (turns.size() >= max) {
        return false;
      }
      turns.add(turn);
      return true;
    }

    synchronized void finished(Turn turn) {
      turns.remove(turn);
    }

    void close() {
      List<Turn> running;
      synchronized (this) {
        gone = true;
        queue.clear();
        running = new ArrayList<>(turns);
        turns.clear();
      }
      for (Turn turn : running) {
        turn.cancel();
      }
    }
  }

  /** One turn of one socket: emits what the service streams, and can be cancelled before or after it started. */
  private static final class Turn implements ChatListener {
    private final Session session;
    private final String agentId;
    private final String conversationId;
    private final AtomicBoolean done = new AtomicBoolean();
    /** Guarded by {@code this}. */
    private ChatTurn running;
    private boolean cancelled;

    Turn(Session session, String agentId, String conversationId) {
      this.session = session;
      this.agentId = agentId;
      this.conversationId = conversationId;
    }

    @Override
    public void chunk(StreamChunk chunk) {
      if (!done.get() && chunk != null) {
        session.emit(STREAM, streamJson(agentId, chunk));
      }
    }

    @Override
    public void done() {
      if (done.compareAndSet(false, true)) {
        // No longer counted before chat:done goes out: a client that waits for it may send its next message at once,
        // and must not be told that too many turns run.
        session.finished(this);
        session.emit(DONE, fields("agentId", agentId, "conversationId", conversationId));
      }
    }

    void running(ChatTurn turn) {
      boolean cancelNow;
      synchronized (this) {
        running = turn;
        cancelNow = cancelled;
      }
      if (cancelNow && turn != null) {
        cancel(turn);
      }
    }

    void cancel() {
      ChatTurn turn;
      synchronized (this) {
        cancelled = true;
        turn = running;
      }
      if (turn != null) {
        cancel(turn);
      }
    }

    private void cancel(ChatTurn turn) {
      try {
        turn.cancel();
      } catch (RuntimeException e) {
        LOG.warn("Cancelling a turn of agent {} failed", agentId, e);
      }
    }
  }
}
