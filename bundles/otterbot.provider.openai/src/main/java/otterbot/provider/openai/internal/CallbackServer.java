package otterbot.provider.openai.internal;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import otterbot.api.OtterbotException;

/**
 * The loopback listener the browser is redirected to: {@code GET /auth/callback} on {@code 127.0.0.1:<port>}, every
 * other path 404. It lives for one sign-in: it closes after the callback was handled (whatever the outcome) or when
 * the sign-in times out.
 *
 * <p>Netty rather than the JDK's {@code com.sun.net.httpserver}: Netty is already in the distribution (the public
 * port runs on it), while the JDK server would have to be exported by the system bundle in every run file. One event
 * loop thread, named, ended by {@link #close()}.
 *
 * <p>The Host header must name localhost or 127.0.0.1: a page on another site cannot then reach the listener through
 * a DNS-rebound name.
 */
final class CallbackServer {
  static final String PATH = "/auth/callback";
  private static final System.Logger LOG = System.getLogger(CallbackServer.class.getName());
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /**
   * An answer page.
   *
   * @param ends whether this callback ended the sign-in (the listener then closes); false for one that did not belong
   *     to it (a wrong state), so that a page which merely navigates to the listener cannot cancel the sign-in
   */
  record Page(int status, String html, boolean ends) {
    Page(int status, String html) {
      this(status, html, false);
    }
  }

  private final EventLoopGroup group;
  private final Channel channel;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CallbackServer(EventLoopGroup group, Channel channel, int port) {
    this.group = group;
    this.channel = channel;
    this.port = port;
  }

  /**
   * Listens on {@code 127.0.0.1:port}; {@code handler} gets the callback's query parameters and answers the page.
   * The listener closes itself after a callback and after {@code timeout}, then runs {@code onTimeout}.
   *
   * @throws OtterbotException {@code CONFLICT} when the port is taken
   */
  static CallbackServer start(int port, Duration timeout, Function<Map<String, String>, Page> handler,
      Runnable onTimeout) {
    int instance = INSTANCES.incrementAndGet();
    EventLoopGroup group = new NioEventLoopGroup(1, task -> {
      Thread thread = new Thread(task, "otterbot-chatgpt-callback-" + instance);
      thread.setDaemon(true);
      return thread;
    });
    CallbackServer[] self = new CallbackServer[1];
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(8192, 16 * 1024, 8192), new HttpObjectAggregator(16 * 1024),
                new Handler(self, port, handler));
          }
        });
    Channel channel;
    try {
      channel = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      if (e instanceof BindException) {
        throw OtterbotException.conflict("127.0.0.1:" + port + " is in use by another program (another sign-in, or "
            + "the Codex CLI?); close it and try again, or complete the sign-in by pasting the redirected URL");
      }
      throw OtterbotException.unavailable("the sign-in callback listener could not start on 127.0.0.1:" + port + ": "
          + e.getClass().getSimpleName(), null);
    }
    CallbackServer server = new CallbackServer(group, channel, port);
    self[0] = server;
    group.schedule(() -> {
      if (!server.closed.get()) {
        server.close();
        onTimeout.run();
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    LOG.log(System.Logger.Level.INFO, "ChatGPT sign-in: waiting for the browser on http://127.0.0.1:{0}{1}",
        String.valueOf(port), PATH);
    return server;
  }

  int port() {
    return port;
  }

  /** Stops listening and ends the thread; returns at once (safe from the listener's own thread). Idempotent. */
  void close() {
    if (closed.compareAndSet(false, true)) {
      channel.close();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Waits until the listener's thread has ended, for deactivation; at most a few seconds. */
  void awaitClosed() {
    close();
    group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final CallbackServer[] server;
    private final int port;
    private final Function<Map<String, String>, Page> handler;

    Handler(CallbackServer[] server, int port, Function<Map<String, String>, Page> handler) {
      this.server = server;
      this.port = port;
      this.handler = handler;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      if (!request.decoderResult().isSuccess()) {
        respond(ctx, new Page(400, page("Bad request")));
        return;
      }
      if (!hostAllowed(request.headers().get(HttpHeaderNames.HOST))) {
        respond(ctx, new Page(403, page("This address only answers requests for localhost.")));
        return;
      }
      if (!uri.path().equals(PATH)) {
        respond(ctx, new Page(404, page("Not found")));
        return;
      }
      if (!HttpMethod.GET.equals(request.method())) {
        respond(ctx, new Page(405, page("Method not allowed")));
        return;
      }
      Map<String, String> params = new java.util.LinkedHashMap<>();
      uri.parameters().forEach((name, values) -> {
        if (!values.isEmpty()) {
          params.put(name, values.get(0));
        }
      });
      Page page = null;
      try {
        page = handler.apply(params);
      } finally {
        // One callback per sign-in, whatever its outcome (upstream: "always close the server afterwards"), except one
        // with the wrong state, which was not the issuer's redirect for this sign-in.
        CallbackServer self = server[0];
        if (self != null && (page == null || page.ends())) {
          ctx.executor().execute(self::close);
        }
      }
      respond(ctx, page);
    }

    private boolean hostAllowed(String host) {
      if (host == null) {
        return false;
      }
      String h = host.strip().toLowerCase(Locale.ROOT);
      return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("localhost:" + port)
          || h.equals("127.0.0.1:" + port);
    }

    private static void respond(ChannelHandlerContext ctx, Page page) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(page.status()), Unpooled.copiedBuffer(page.html(), StandardCharsets.UTF_8));
      response.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
          .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
          .set("X-Content-Type-Options", "nosniff")
          .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
          .set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** A small page; {@code text} is escaped here. */
  static String page(String text) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>OtterBot</title></head><body><p>"
        + escape(text) + "</p></body></html>";
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
