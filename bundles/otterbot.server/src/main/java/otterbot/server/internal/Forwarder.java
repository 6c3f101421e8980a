package otterbot.server.internal;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_GATEWAY;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import otterbot.server.internal.BackendPool.BackendConnection;

/**
 * Forwards every request that is not for Socket.IO to the internal HTTP service and streams the answer back.
 *
 * <p>One instance per front connection, holding the state of the one exchange the {@link RequestSequencer} lets
 * through at a time; the backend connection runs on the same event loop, so nothing here is shared or locked.
 * Response parts are written as they arrive and flushed at the end of each backend read, so server-sent events reach
 * the client one by one. The final part goes out with {@code writeAndFlush}, and only then does the sequencer
 * dispatch the next request: two responses can never interleave on one connection.
 *
 * <p>Sits after netty-socketio's {@code AuthorizeHandler} (which must see every connection's first request, or it
 * closes the connection after five seconds) and before its transports, which get the Socket.IO requests.
 */
final class Forwarder extends ChannelInboundHandlerAdapter implements ChannelFutureListener {
  private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

  private final Backend backendService;
  private final String socketIoPath;

  private ChannelHandlerContext ctx;
  private BackendPool pool;
  private String clientAddress;
  private String localAuthority;

  // The exchange in progress. Plain fields rather than an object per request: this is the hot path.
  /** Jetty's in-process connector, or its TCP address ({@link Backend#target()}). */
  private Object target;
  /** The request until it is sent; kept (as a retry copy) while sent on a reused connection and not yet answered. */
  private FullHttpRequest request;
  private boolean retried;
  private ChannelFuture connecting;
  private BackendConnection backend;
  private boolean closeFront;
  private boolean http10Client;
  private boolean headRequest;
  private boolean apiRequest;
  private boolean backendKeepAlive;
  private boolean headWritten;
  private boolean skippingInformational;
  private boolean backendPaused;
  private boolean flushPending;
  /** A non-JSON error head from Jetty; its body is dropped and replaced by JSON at the end. */
  private HttpResponse errorHead;

  /** @param socketIoPath requests for exactly this path go to netty-socketio, e.g. {@code /socket.io/} */
  Forwarder(Backend backend, String socketIoPath) {
    this.backendService = backend;
    this.socketIoPath = socketIoPath;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.pool = backendService.pool(ctx.channel().eventLoop());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest request && !isSocketIo(request.uri(), socketIoPath)) {
      forward(request);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  /** {@code /api} or below it, ignoring the query. */
  static boolean isApi(String uri) {
    return uri.startsWith("/api/") || uri.equals("/api") || uri.startsWith("/api?");
  }

  /** Only the exact path: netty-socketio's transports dispatch on the query alone and would take any path. */
  static boolean isSocketIo(String uri, String socketIoPath) {
    int length = socketIoPath.length();
    return uri.startsWith(socketIoPath) && (uri.length() == length || uri.charAt(length) == '?');
  }

  private void forward(FullHttpRequest request) {
    closeFront = !HttpUtil.isKeepAlive(request);
    http10Client = !request.protocolVersion().isKeepAliveDefault();
    headRequest = HttpMethod.HEAD.equals(request.method());
    apiRequest = isApi(request.uri());
    Object jetty = backendService.target();
    if (jetty == null) {
      request.release();
      fail(SERVICE_UNAVAILABLE, JsonErrors.NOT_RUNNING);
      return;
    }
    if (apiRequest && !backendService.apiReady()) {
      // Jetty runs but the REST application does not hold our resources yet: it would answer 404 for routes that
      // exist. Health pollers and clients get a retryable answer instead.
      request.release();
      failRetryable(SERVICE_UNAVAILABLE, JsonErrors.STARTING);
      return;
    }
    ProxyHeaders.prepareRequest(request.headers(), clientAddress(), localAuthority(), backendService.key());
    request.setProtocolVersion(HTTP_1_1); // also for 1.0 clients, so the backend connection stays reusable
    this.target = jetty;
    this.request = request;
    BackendConnection idle = pool.acquire(jetty);
    if (idle != null) {
      send(idle, true);
    } else {
      connect();
    }
  }

  private void connect() {
    connecting = pool.connect(target);
    connecting.addListener(this);
  }

  /** The backend connection attempt finished. */
  @Override
  public void operationComplete(ChannelFuture future) {
    if (future != connecting) {
      // The client left while we were connecting: keep the fresh connection for somebody else.
      if (future.isSuccess()) {
        pool.release((BackendConnection) future.channel().pipeline().last(), true);
      }
      return;
    }
    connecting = null;
    if (future.isSuccess()) {
      send((BackendConnection) future.channel().pipeline().last(), false);
    } else {
      LOG.warn("Cannot reach the HTTP service at {}: {}", target, future.cause().toString());
      releaseRequest();
      fail(BAD_GATEWAY, JsonErrors.UNREACHABLE);
    }
  }

  private void send(BackendConnection connection, boolean reused) {
    backend = connection;
    connection.owner = this;
    FullHttpRequest outgoing = request;
    if (reused && !retried && isIdempotent(outgoing.method())) {
      // Jetty may have closed this idle connection a moment ago; keep the request to send it once more on a new one.
      // Writing consumes the body buffer, so send a view of it (sharing the headers: retainedDuplicate() copies them).
      ByteBuf body = outgoing.content();
      outgoing = new DefaultFullHttpRequest(outgoing.protocolVersion(), outgoing.method(), outgoing.uri(),
          body.isReadable() ? body.retainedDuplicate() : Unpooled.EMPTY_BUFFER, outgoing.headers(),
          outgoing.trailingHeaders());
    } else {
      request = null;
    }
    connection.channel().writeAndFlush(outgoing, connection.channel().voidPromise());
  }

  private static boolean isIdempotent(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.PUT
        || method == HttpMethod.DELETE || method == HttpMethod.OPTIONS || method == HttpMethod.TRACE;
  }

  /** A response part from the backend connection this exchange owns. */
  void backendRead(Object msg) {
    if (msg instanceof HttpResponse head) {
      if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        skippingInformational = true; // 1xx interim answers are for us, not for the client
      } else {
        responseHead(head);
      }
    }
    if (msg instanceof HttpContent content) {
      responseContent(content);
    }
  }

  void backendReadComplete() {
    if (flushPending) {
      flushPending = false;
      ctx.flush();
    }
  }

  private void responseHead(HttpResponse head) {
    releaseRequest(); // answered: no retry from here on
    HttpHeaders headers = head.headers();
    backendKeepAlive = HttpUtil.isKeepAlive(head);
    int status = head.status().code();
    // A JSON error is trusted only under /api, where the REST layer writes {"error": ...}. Everywhere else only
    // Jetty answers, and its error pages (HTML, text, or its own JSON shape for Accept: application/json) are
    // replaced, so every error a client sees has the one shape.
    if (status >= 400 && (!apiRequest || !ProxyHeaders.isJson(headers))) {
      errorHead = head; // answered as JSON once the body is drained
      return;
    }
    ProxyHeaders.stripHopByHop(headers);
    if (!headRequest && status != 204 && status != 304 && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      // Streamed (SSE, chunked JSON): re-chunk for HTTP/1.1; an HTTP/1.0 client reads until we close.
      if (http10Client) {
        closeFront = true;
      } else {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
    setConnection(headers);
    head.setProtocolVersion(HTTP_1_1);
    headWritten = true;
    ctx.write(head, ctx.voidPromise());
    flushPending = true;
  }

  private void responseContent(HttpContent content) {
    if (skippingInformational || errorHead != null) {
      content.release();
      if (content instanceof LastHttpContent) {
        if (skippingInformational) {
          skippingInformational = false;
        } else {
          finish(jsonInsteadOf(errorHead));
        }
      }
      return;
    }
    if (content instanceof LastHttpContent) {
      finish(content);
      return;
    }
    ctx.write(content, ctx.voidPromise());
    flushPending = true;
    if (!backendPaused && !ctx.channel().isWritable()) {
      // Slow client: stop reading from Jetty until our outbound buffer drains (channelWritabilityChanged).
      backendPaused = true;
      backend.pauseReading(true);
    }
  }

  /** Ends the exchange with its final part, which the sequencer takes as the signal to dispatch the next request. */
  private void finish(Object last) {
    BackendConnection connection = backend;
    backend = null;
    connection.owner = null;
    pool.release(connection, backendKeepAlive);
    boolean close = closeFront;
    endExchange();
    if (close) {
      ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(last, ctx.voidPromise());
    }
  }

  private FullHttpResponse jsonInsteadOf(HttpResponse head) {
    String reason = head.status().reasonPhrase();
    if (reason == null || reason.isBlank()) {
      reason = HttpResponseStatus.valueOf(head.status().code()).reasonPhrase();
    }
    byte[] body = JsonErrors.body(reason.toLowerCase(Locale.ROOT));
    HttpHeaders headers = head.headers(); // keep what still applies (Allow, WWW-Authenticate, Retry-After, ...)
    ProxyHeaders.stripHopByHop(headers);
    headers.remove(HttpHeaderNames.CONTENT_ENCODING);
    headers.remove(HttpHeaderNames.CONTENT_MD5);
    headers.set(HttpHeaderNames.CONTENT_TYPE, JsonErrors.JSON_UTF8);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    setConnection(headers);
    return new DefaultFullHttpResponse(HTTP_1_1, head.status(),
        headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body), headers, EmptyHttpHeaders.INSTANCE);
  }

  /** The backend connection this exchange owns closed. */
  void backendClosed(BackendConnection connection) {
    backend = null;
    backendPaused = false;
    if (headWritten) {
      // Part of the answer is out; the client can only learn it is truncated by the connection closing.
      LOG.debug("The HTTP service closed the connection in the middle of a response to {}", clientAddress);
      endExchange();
      ctx.close();
      return;
    }
    errorHead = null;
    skippingInformational = false;
    if (request != null && !retried) {
      retried = true;
      connect();
      return;
    }
    releaseRequest();
    LOG.warn("The HTTP service at {} closed the connection without answering", target);
    fail(BAD_GATEWAY, JsonErrors.NO_ANSWER);
  }

  private void fail(HttpResponseStatus status, String message) {
    answer(JsonErrors.response(status, message));
  }

  /** A 503 the client should simply repeat in a second. */
  private void failRetryable(HttpResponseStatus status, String message) {
    FullHttpResponse response = JsonErrors.response(status, message);
    response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
    answer(response);
  }

  /** Ends the exchange with an answer of our own. */
  private void answer(FullHttpResponse response) {
    if (headRequest) {
      // Content-Length stays, the body goes: the encoder does not know the request was HEAD, the client does.
      FullHttpResponse head = response.replace(Unpooled.EMPTY_BUFFER);
      response.release();
      response = head;
    }
    setConnection(response.headers());
    boolean close = closeFront;
    endExchange();
    if (close) {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response, ctx.voidPromise());
    }
  }

  private void setConnection(HttpHeaders headers) {
    if (closeFront) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10Client) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (backendPaused && backend != null && ctx.channel().isWritable()) {
      backendPaused = false;
      backend.pauseReading(false);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    connecting = null; // operationComplete hands a late connection to the pool
    releaseRequest();
    if (backend != null) {
      // Mid-response: the rest of Jetty's answer has nowhere to go, and the connection cannot be reused.
      BackendConnection connection = backend;
      backend = null;
      connection.owner = null;
      connection.channel().close();
    }
    endExchange();
    ctx.fireChannelInactive();
  }

  private void endExchange() {
    headWritten = false;
    errorHead = null;
    skippingInformational = false;
    backendPaused = false;
    flushPending = false;
    retried = false;
  }

  private void releaseRequest() {
    if (request != null) {
      request.release();
      request = null;
    }
  }

  private String clientAddress() {
    if (clientAddress == null) {
      clientAddress = hostLiteral(ctx.channel().remoteAddress());
    }
    return clientAddress;
  }

  private String localAuthority() {
    if (localAuthority == null) {
      SocketAddress local = ctx.channel().localAddress();
      String host = hostLiteral(local);
      int port = local instanceof InetSocketAddress inet ? inet.getPort() : 0;
      localAuthority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
    return localAuthority;
  }

  private static String hostLiteral(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return String.valueOf(address);
  }
}
