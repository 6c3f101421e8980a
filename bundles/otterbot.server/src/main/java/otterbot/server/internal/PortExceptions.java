package otterbot.server.internal;

import java.io.IOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.listener.DefaultExceptionListener;

import io.netty.channel.ChannelHandlerContext;

/**
 * What netty-socketio's handlers hear go wrong on a connection. A read or write that fails with an {@link IOException}
 * (connection reset, broken pipe) is a client that went away without closing: a browser tab killed, a laptop that
 * lost its network, a load client stopped. netty-socketio's default logged each one as an error with a stack trace;
 * they are how connections end, so they go to the debug log, and the channel, which netty closes after such a read,
 * is closed here too for a write. Anything else is still an error.
 */
final class PortExceptions extends DefaultExceptionListener {
  private static final Logger LOG = LoggerFactory.getLogger(PortExceptions.class);

  @Override
  public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) throws Exception {
    if (e instanceof IOException) {
      LOG.debug("Connection from {} ended by its client: {}", ctx.channel().remoteAddress(), e.getMessage());
      ctx.close();
      return true;
    }
    return super.exceptionCaught(ctx, e);
  }
}
