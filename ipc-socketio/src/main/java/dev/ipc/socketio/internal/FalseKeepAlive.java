package dev.ipc.socketio.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;

/**
 * Answers every HTTP response but the WebSocket upgrade with {@code Connection: close}, and closes
 * the connection once it is sent. netty-socketio 2.0.14 closes each long-polling connection after
 * its answer while claiming keep-alive; clients that reuse the connection (aiohttp, Node's agent)
 * then lose the request they sent on it. Next to the HTTP encoder; a flag test per write.
 */
@Sharable
public final class FalseKeepAlive extends ChannelDuplexHandler {
  private static final AttributeKey<Boolean> CLOSE_AFTER = AttributeKey.valueOf("ipc.closeAfter");

  /** Creates the handler; it keeps no state. */
  public FalseKeepAlive() {}

  // The close ends the connection whether or not the write went; nothing to do with its future.
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    Channel ch = ctx.channel();
    if (msg instanceof HttpResponse res
        && res.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      HttpUtil.setKeepAlive(res, false);
      ch.attr(CLOSE_AFTER).set(Boolean.TRUE);
    }
    if (msg instanceof LastHttpContent
        && Boolean.TRUE.equals(ch.attr(CLOSE_AFTER).getAndSet(null))) {
      ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.write(msg, promise);
  }
}
