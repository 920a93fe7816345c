package dev.ipc.socketio.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Ends WebSocket connections as Node's engine.io does, with a Close frame (1000, normal closure):
 *
 * <ul>
 *   <li>one whose client sent Engine.IO's close packet ({@code 1}): netty-socketio 2.0.14 ends the
 *       session then but leaves the connection open, so the client waits for a close that never
 *       comes;
 *   <li>one whose session the server ends: netty-socketio writes the disconnect packet ({@code 41})
 *       and closes the TCP connection without the Close frame RFC 6455 wants, so clients report
 *       1006 (abnormal closure). A Close frame follows the {@code 41} here.
 * </ul>
 *
 * Next to netty-socketio's WebSocket transport, inside any compression; a length test per text
 * frame.
 */
@Sharable
public final class EngineIoClose extends ChannelDuplexHandler {
  /** Creates the handler; it keeps no state. */
  public EngineIoClose() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof TextWebSocketFrame frame && isClose(frame.content())) {
      super.channelRead(ctx, msg);
      closeWebSocket(ctx.channel());
      return;
    }
    super.channelRead(ctx, msg);
  }

  // The Close frame's write reports nowhere: the connection's close follows it regardless.
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof TextWebSocketFrame frame && isDisconnect(frame.content())) {
      // The session ends: its close follows this write; a Close frame goes just before it.
      ctx.write(msg, promise);
      ctx.write(closeFrame(), ctx.voidPromise());
      return;
    }
    ctx.write(msg, promise);
  }

  /** Returns whether {@code packet} is Engine.IO's close packet. */
  public static boolean isClose(ByteBuf packet) {
    return packet.readableBytes() == 1 && packet.getByte(packet.readerIndex()) == '1';
  }

  /**
   * Returns whether {@code frame}, written by netty-socketio, is the main namespace's disconnect
   * packet ({@code 41}), which it writes when it ends a session (a ping timeout, a refused or
   * dropped client, the server's close).
   */
  public static boolean isDisconnect(ByteBuf frame) {
    int i = frame.readerIndex();
    return frame.readableBytes() == 2 && frame.getByte(i) == '4' && frame.getByte(i + 1) == '1';
  }

  /** Returns a Close frame with status 1000 (normal closure). */
  public static CloseWebSocketFrame closeFrame() {
    return new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
  }

  /** Sends a Close frame (1000) on {@code ch}, then closes it. */
  // The close ends the connection whether or not the frame went; nothing to do with its future.
  @SuppressWarnings("FutureReturnValueIgnored")
  public static void closeWebSocket(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }
}
