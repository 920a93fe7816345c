package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Ends the connection of a client that sends a Socket.IO packet of unknown type ({@code 4abc}).
 * netty-socketio 2.0.14 decodes such a packet as nothing and goes on, where Node's server closes
 * the connection as the protocol says. Over WebSocket the connection closes with a Close frame (and
 * the session with it); over long-polling the session ends. Two bytes looked at per incoming
 * packet.
 */
@Sharable
public final class UnknownPacketType extends ChannelInboundHandlerAdapter {
  /** Creates the handler; it keeps no state. */
  public UnknownPacketType() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PacketsMessage packets && unknownType(packets.getContent())) {
      ReferenceCountUtil.release(msg);
      ClientHead head = packets.getClient();
      if (packets.getTransport() == Transport.WEBSOCKET) {
        EngineIoClose.closeWebSocket(ctx.channel());
      } else {
        synchronized (head) {
          head.disconnect();
        }
      }
      return;
    }
    super.channelRead(ctx, msg);
  }

  /** A message packet ({@code 4}) whose Socket.IO type is not one of 0-6. */
  static boolean unknownType(ByteBuf p) {
    int i = p.readerIndex();
    if (p.readableBytes() < 2 || p.getByte(i) != '4') {
      return false;
    }
    byte type = p.getByte(i + 1);
    return type < '0' || type > '6';
  }
}
