package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;

/**
 * Tells when a client connects to the main namespace. netty-socketio 2.0.14 joins every Engine.IO
 * session to the main namespace, and runs that namespace's connect listeners, as soon as its transport
 * is bound ({@code AuthorizeHandler#connect}), before the client's Socket.IO {@code CONNECT} packet
 * ({@code 40}); when that packet comes it answers it ({@code 40{"sid":...}}) but, the session being
 * in the namespace already, calls no listener. Socket.IO's own server connects a socket only on its
 * {@code CONNECT}: a host that sends from its connect listener must not reach a client before the
 * client's {@code 40} has been answered. This passes each main-namespace {@code CONNECT} on to
 * netty-socketio, then hands the session to the adapter, which runs its listeners. It looks at two
 * bytes of each incoming packet.
 */
@Sharable
public final class MainNamespaceConnect extends ChannelInboundHandlerAdapter {
  private final Consumer<ClientHead> connected;

  /** Calls {@code connected} on the event loop, after netty-socketio has answered the packet. */
  public MainNamespaceConnect(Consumer<ClientHead> connected) {
    this.connected = connected;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PacketsMessage packets && isMainConnect(packets.getContent())) {
      ClientHead head = packets.getClient();
      super.channelRead(ctx, msg);
      connected.accept(head);
      return;
    }
    super.channelRead(ctx, msg);
  }

  /** {@code 40} or {@code 40{...}}: a CONNECT to the main namespace, bare or with an auth payload. */
  static boolean isMainConnect(ByteBuf p) {
    int i = p.readerIndex();
    int n = p.readableBytes();
    return n >= 2
        && p.getByte(i) == '4'
        && p.getByte(i + 1) == '0'
        && (n == 2 || p.getByte(i + 2) == '{');
  }
}
