package dev.ipc.socketio.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.util.List;

/**
 * Not a fix: notes on each connection the Engine.IO session its request names ({@code sid}), which
 * the fixes that see only WebSocket frames later ({@link ProbeEndsPolls}, {@link
 * UpgradeUnderSessionLock}) need. Next to the HTTP decoder; looks at request heads only.
 */
@Sharable
public final class EngineIoMarks extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<String> SESSION = AttributeKey.valueOf("ipc.session");

  /** Creates the handler; it keeps no state. */
  public EngineIoMarks() {}

  /** Returns the session id the request of {@code ch} named, or null (a handshake). */
  public static String session(Channel ch) {
    return ch.attr(SESSION).get();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest req) {
      List<String> sid = new QueryStringDecoder(req.uri()).parameters().get("sid");
      if (sid != null && !sid.isEmpty()) {
        ctx.channel().attr(SESSION).set(sid.get(0));
      }
    }
    super.channelRead(ctx, msg);
  }
}
