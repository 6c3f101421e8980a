package otterbot.server.internal;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_URI_TOO_LONG;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;
import static java.util.concurrent.TimeUnit.NANOSECONDS;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;

import com.corundumstudio.socketio.Transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets exactly one request per connection be answered at a time, in arrival order, whoever answers it: the
 * {@link Forwarder}, netty-socketio, or this handler itself for requests that must not go further.
 *
 * <p>Why it exists: the HTTP decoder emits every pipelined request of a read at once, and netty-socketio answers
 * immediately, so without this a Socket.IO response could be written into the middle of a streamed REST response on
 * the same connection (seen in the prototype as {@code Received HTTP/0.9}). Turning {@code autoRead} off is not enough
 * on its own, because requests already decoded from the current read still arrive; they wait in {@link #pending}.
 *
 * <p>It sits before netty-socketio's {@code AuthorizeHandler}, closest to the HTTP codec, so that every response part
 * written by anybody passes through {@link #write}; a request is done when the final part of its response
 * ({@link LastHttpContent}, not a {@code 1xx}) passes. That is also why it may sit there at all: it hands every request
 * it accepts on, so the {@code AuthorizeHandler} still sees the first read and cancels its five-second "first data"
 * timer.
 */
final class RequestSequencer extends ChannelDuplexHandler {
  /** More pipelined requests than this behind one in flight is abuse, not a browser. */
  private static final int MAX_PENDING = 32;
  private static final FullHttpResponse CONTINUE =
      new DefaultFullHttpResponse(HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);

  private final int maxRequestBytes;
  private final long idleTimeoutNanos;
  private final String socketIoPath;
  private final Runnable resumeTask = this::resume;
  private final Runnable idleTask = this::checkIdle;

  private ChannelHandlerContext ctx;
  /** A request was passed on and the final part of its response has not been written yet. */
  private boolean busy;
  /** ... and that request is for netty-socketio. */
  private boolean socketIoExchange;
  /** A close was requested after the current answer; nothing more is dispatched. */
  private boolean closing;
  /** The connection switched to WebSocket: no more HTTP, and idle checks are netty-socketio's (pings). */
  private boolean upgraded;
  private boolean resumeScheduled;
  private ArrayDeque<Object> pending;
  private long lastActivity;
  private ScheduledFuture<?> idleCheck;

  /**
   * The transport a live Engine.IO session is on, null for an unknown or closed one (netty-socketio's session registry),
   * for {@link EngineIoChecks}.
   */
  private final Function<UUID, Transport> sessions;
  /** Host, Origin, token and content type rules, for every request. */
  private final Admission admission;
  private final Limits limits;

  RequestSequencer(int maxRequestBytes, long idleTimeoutNanos, String socketIoPath,
      Function<UUID, Transport> sessions, Admission admission, Limits limits) {
    this.sessions = sessions;
    this.admission = admission;
    this.limits = limits;
    this.maxRequestBytes = maxRequestBytes;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.socketIoPath = socketIoPath;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lastActivity = System.nanoTime();
    idleCheck = ctx.executor().schedule(idleTask, idleTimeoutNanos, NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    releasePending();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest || msg instanceof FrontSignal)) {
      ctx.fireChannelRead(msg); // WebSocket frames after an upgrade
      return;
    }
    if (closing) {
      ReferenceCountUtil.release(msg);
    } else if (busy || pending != null && !pending.isEmpty()) {
      if (pending == null) {
        pending = new ArrayDeque<>(4);
      }
      pending.add(msg);
      if (pending.size() > MAX_PENDING) {
        closing = true;
        releasePending();
        ctx.close();
      }
    } else {
      dispatch(msg);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (socketIoExchange && msg instanceof HttpResponse response && isFinal(msg)
        && response.status().code() != 101) {
      // netty-socketio closes the connection after every HTTP answer, yet announces keep-alive; a client that
      // believes it sends its next request into a closed connection (Java's HttpClient then fails a POST).
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (busy && msg instanceof LastHttpContent && isFinal(msg)) {
      busy = false;
      socketIoExchange = false;
      lastActivity = System.nanoTime();
      if (msg instanceof HttpResponse response && response.status().code() == 101) {
        upgraded = true;
      }
      ctx.write(msg, promise);
      // Not inline: the writer may still be in the middle of its own bookkeeping (netty-socketio adds a close
      // listener after writing, the WebSocket handshake swaps codecs), and pipelined requests must not recurse.
      if (!resumeScheduled) {
        resumeScheduled = true;
        ctx.executor().execute(resumeTask);
      }
      return;
    }
    ctx.write(msg, promise);
  }

  private static boolean isFinal(Object msg) {
    return !(msg instanceof HttpResponse response)
        || response.status().codeClass() != HttpStatusClass.INFORMATIONAL
        || response.status().code() == 101;
  }

  private void resume() {
    resumeScheduled = false;
    if (!ctx.channel().isActive()) {
      releasePending();
      return;
    }
    Object next;
    while (!busy && !closing && pending != null && (next = pending.poll()) != null) {
      dispatch(next);
    }
    if (!busy && !closing) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void dispatch(Object msg) {
    lastActivity = System.nanoTime();
    if (msg instanceof FrontSignal signal) {
      switch (signal) {
        case CONTINUE -> ctx.writeAndFlush(CONTINUE.retainedDuplicate(), ctx.voidPromise());
        case TOO_LARGE -> answer(REQUEST_ENTITY_TOO_LARGE, JsonErrors.tooLarge(maxRequestBytes), true, false);
        case TOO_LARGE_CLOSE -> answer(REQUEST_ENTITY_TOO_LARGE, JsonErrors.tooLarge(maxRequestBytes), false, false);
      }
      return;
    }
    FullHttpRequest request = (FullHttpRequest) msg;
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      request.release();
      // The decoder discards everything after a malformed request, so the connection cannot continue.
      if (cause instanceof TooLongHttpLineException) {
        answer(REQUEST_URI_TOO_LONG, "request line too long", false, false);
      } else if (cause instanceof TooLongHttpHeaderException) {
        answer(REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large", false, false);
      } else if (cause instanceof TooLongFrameException) {
        answer(BAD_REQUEST, "request too large", false, false);
      } else {
        answer(BAD_REQUEST, "malformed request", false, false);
      }
      return;
    }
    if (!RequestTargets.isValid(request.uri())) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      boolean http10 = !request.protocolVersion().isKeepAliveDefault();
      request.release();
      answer(BAD_REQUEST, JsonErrors.INVALID_PATH, keepAlive, http10);
      return;
    }
    boolean socketIo = Forwarder.isSocketIo(request.uri(), socketIoPath);
    FullHttpResponse refused = admission.check(request, socketIo, localPort());
    if (refused == null && socketIo) {
      String problem = EngineIoChecks.problem(request, sessions);
      if (problem != null) {
        refused = JsonErrors.raw(BAD_REQUEST, problem);
      } else if (isHandshake(request) && !limits.admitsSession()) {
        refused = JsonErrors.response(SERVICE_UNAVAILABLE, Limits.TOO_MANY_SESSIONS);
        refused.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
      }
    }
    if (refused != null) {
      if (HttpMethod.HEAD.equals(request.method())) {
        // Content-Length stays, the body goes (the client knows it asked HEAD, the encoder does not).
        FullHttpResponse head = refused.replace(Unpooled.EMPTY_BUFFER);
        refused.release();
        refused = head;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      boolean http10 = !request.protocolVersion().isKeepAliveDefault();
      request.release();
      answer(refused, keepAlive, http10);
      return;
    }
    busy = true;
    socketIoExchange = socketIo;
    // Stop reading until this request is answered; resume() turns reading back on. Not for Socket.IO: netty-socketio
    // parks a long-poll for up to the ping interval, and keeps it parked for ever when the client went away before it
    // was answered; without reading, the client's FIN is never seen and the connection stays in CLOSE-WAIT (a file
    // descriptor leaked per vanished polling client). Requests that arrive meanwhile still queue in `pending`.
    if (!socketIo) {
      ctx.channel().config().setAutoRead(false);
    }
    ctx.fireChannelRead(request);
  }

  /** The port this connection came in on, which a Host or Origin with a port must name. */
  private int localPort() {
    return ctx.channel().localAddress() instanceof InetSocketAddress local ? local.getPort() : -1;
  }

  /** An Engine.IO handshake: a Socket.IO request without a session id (EngineIoChecks passed it). */
  private static boolean isHandshake(FullHttpRequest request) {
    return !new QueryStringDecoder(request.uri()).parameters().containsKey("sid");
  }

  /** Answers here, without passing the request on; {@link #write} does not see this, so nothing becomes busy. */
  private void answer(HttpResponseStatus status, String message, boolean keepAlive, boolean http10) {
    answer(JsonErrors.response(status, message), keepAlive, http10);
  }

  private void answer(FullHttpResponse response, boolean keepAlive, boolean http10) {
    if (keepAlive) {
      if (http10) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      closing = true;
      releasePending();
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void checkIdle() {
    if (!ctx.channel().isActive() || upgraded) {
      return;
    }
    long idleFor = System.nanoTime() - lastActivity;
    if (!busy && (pending == null || pending.isEmpty()) && idleFor >= idleTimeoutNanos) {
      ctx.close();
      return;
    }
    long next = busy ? idleTimeoutNanos : Math.max(idleTimeoutNanos - idleFor, 1_000_000L);
    idleCheck = ctx.executor().schedule(idleTask, next, NANOSECONDS);
  }

  private void releasePending() {
    if (pending != null) {
      Object msg;
      while ((msg = pending.poll()) != null) {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
