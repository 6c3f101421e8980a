package otterbot.server.internal;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.listener.DefaultExceptionListener;
import com.fasterxml.jackson.core.JacksonException;

import io.netty.channel.ChannelHandlerContext;

/**
 * What netty-socketio's handlers hear go wrong on a connection. A read or write that fails because the client went
 * away without closing (a browser tab killed, a laptop that lost its network, a load client stopped: connection
 * reset, broken pipe) is how connections end, not a server error: netty-socketio's default listener logged each one
 * as an error with a stack trace. Those go to the debug log, and the channel is closed (netty closes it after such a
 * read already). Anything else, a bad packet's JSON included, is handled as before.
 */
final class PortExceptions extends DefaultExceptionListener {
  private static final Logger LOG = LoggerFactory.getLogger(PortExceptions.class);
  /** The words of the JDK's and netty's native transport's messages for a connection the peer ended. */
  private static final Pattern GONE = Pattern.compile("(?i).*(connection.*(reset|closed|abort)|broken.*pipe).*");

  @Override
  public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) throws Exception {
    if (goneAway(e)) {
      LOG.debug("Connection from {} ended by its client: {}", ctx.channel().remoteAddress(), e.getMessage());
      ctx.close();
      return true;
    }
    return super.exceptionCaught(ctx, e);
  }

  static boolean goneAway(Throwable e) {
    if (!(e instanceof IOException) || e instanceof JacksonException) {
      return false;
    }
    if (e instanceof SocketException || e instanceof ClosedChannelException) {
      return true;
    }
    String message = e.getMessage();
    return message != null && GONE.matcher(message).matches();
  }
}
