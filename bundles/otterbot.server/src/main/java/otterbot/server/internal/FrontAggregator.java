package otterbot.server.internal;

import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Replaces netty-socketio's aggregator. Netty's version writes {@code 100 Continue} and its empty {@code 413} straight
 * to the channel from here, which is (a) not JSON and (b) out of order when a pipelined request is still being
 * answered further up. This one never writes: it passes {@link FrontSignal}s up to the {@link RequestSequencer},
 * which answers them in request order.
 *
 * <p>It must stay a subclass of {@link HttpObjectAggregator}: the WebSocket handshake finds and removes the aggregator
 * by that type when a Socket.IO client upgrades.
 */
final class FrontAggregator extends HttpObjectAggregator {
  private FrontSignal rejection;

  FrontAggregator(int maxRequestBytes) {
    super(maxRequestBytes);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
    if (msg instanceof HttpRequest request && !(msg instanceof FullHttpMessage)
        && HttpUtil.is100ContinueExpected(request) && !isContentLengthInvalid(request, maxContentLength())) {
      // The client waits for a go-ahead before sending the body; the sequencer gives it when this request's turn
      // comes. (Too large a Content-Length skips this and ends in handleOversizedMessage below.)
      out.add(FrontSignal.CONTINUE);
    }
    super.decode(ctx, msg, out);
    if (rejection != null) {
      out.add(rejection);
      rejection = null;
    }
  }

  /** Always none here: {@link #decode} emits {@link FrontSignal#CONTINUE} instead of writing a response. */
  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    return null;
  }

  /**
   * Same keep-alive rule as Netty's: once body bytes were read the rest of the stream cannot be trusted, so close;
   * with only the head seen (Content-Length or {@code Expect} too large) the aggregator discards the body and the
   * connection stays usable if the client wants it.
   */
  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    boolean keepAlive = !(oversized instanceof FullHttpMessage)
        && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
    rejection = keepAlive ? FrontSignal.TOO_LARGE : FrontSignal.TOO_LARGE_CLOSE;
  }
}
