package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.handler.ClientHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * Passes a client's upgrade packet ({@code 5}) to netty-socketio under its session's lock, which
 * every send of the adapter takes too (the {@link ClientHead}). netty-socketio 2.0.14 moves the
 * packets queued for polling to the WebSocket when the client upgrades, while a packet sent
 * meanwhile from another thread can land in the polling queue after the move and stay there, never
 * delivered. Before netty-socketio's WebSocket transport; a two-byte look per text frame.
 */
@Sharable
public final class UpgradeUnderSessionLock extends ChannelInboundHandlerAdapter {
  private final NettySocketIo.Sessions sessions;

  /** Creates the handler for the sessions of {@code sessions}. */
  public UpgradeUnderSessionLock(NettySocketIo.Sessions sessions) {
    this.sessions = sessions;
  }

  /** Whether {@code content} is Engine.IO's upgrade packet. */
  static boolean isUpgrade(ByteBuf content) {
    return content.readableBytes() == 1 && content.getByte(content.readerIndex()) == '5';
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    String sid = EngineIoMarks.session(ctx.channel());
    if (sid != null && msg instanceof TextWebSocketFrame frame && isUpgrade(frame.content())) {
      ClientHead head = sessions.get(sid);
      if (head != null) {
        synchronized (head) {
          super.channelRead(ctx, msg);
        }
        return;
      }
    }
    super.channelRead(ctx, msg);
  }
}
