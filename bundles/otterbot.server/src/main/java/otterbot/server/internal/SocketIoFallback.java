package otterbot.server.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The end of the pipeline, in place of netty-socketio's {@code WrongUrlHandler}: a {@code /socket.io/} request that no
 * transport took gets the port's JSON error instead of an empty 400, and an exception nobody handled closes the
 * connection instead of leaving a request unanswered forever (which would stall the {@link RequestSequencer}).
 */
@Sharable
final class SocketIoFallback extends ChannelInboundHandlerAdapter {
  static final SocketIoFallback INSTANCE = new SocketIoFallback();
  private static final Logger LOG = LoggerFactory.getLogger(SocketIoFallback.class);

  private SocketIoFallback() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof FullHttpRequest request) {
      request.release();
      FullHttpResponse response = JsonErrors.response(HttpResponseStatus.BAD_REQUEST, "invalid socket.io request");
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      super.channelRead(ctx, msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      LOG.warn("Closing the connection from {} after an unexpected error", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}
