package dev.ipc.socketio.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Closes a WebSocket whose client sent Engine.IO's close packet ({@code 1}). netty-socketio 2.0.14
 * ends the session then but leaves the connection open, so the client waits for a close that never
 * comes; Node's engine.io closes it, with a WebSocket Close frame (1000, normal closure).
 */
public final class EngineIoClose {
  private EngineIoClose() {}

  /** Returns whether {@code packet} is Engine.IO's close packet. */
  public static boolean isClose(ByteBuf packet) {
    return packet.readableBytes() == 1 && packet.getByte(packet.readerIndex()) == '1';
  }

  /**
   * Returns whether {@code frame}, written by netty-socketio, is the main namespace's disconnect
   * packet ({@code 41}). netty-socketio 2.0.14 writes it when it ends a session (a ping timeout, a
   * refused or dropped client, the server's close) and then closes the TCP connection without a
   * WebSocket Close frame, which RFC 6455 wants and Node's server sends: clients report 1006
   * (abnormal closure). Followed by {@link #closeFrame}, the connection ends as Node's does.
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
