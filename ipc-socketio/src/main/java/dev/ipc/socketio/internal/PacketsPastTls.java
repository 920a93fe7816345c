package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Under TLS, first in the pipeline, before the SslHandler: passes netty-socketio's packets on past
 * the SslHandler. netty-socketio 2.0.14's WebSocketTransport fires each frame's packets from the
 * head of the pipeline (its packet handler sits before the transports) and then releases the frame.
 * The head is then the SslHandler, still inside its own decode while it delivers that frame, and
 * Netty's ByteToMessageDecoder queues a message that enters a decoder while it decodes, to deliver
 * it once that decode is done: after the frame, and so its packets, were released. Bytes go on to
 * the SslHandler; everything after it sees what it sees without TLS.
 */
@Sharable
public final class PacketsPastTls extends ChannelInboundHandlerAdapter {
  private final String tlsHandler;

  /** Creates the handler for a pipeline whose SslHandler is named {@code tlsHandler}. */
  public PacketsPastTls(String tlsHandler) {
    this.tlsHandler = tlsHandler;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PacketsMessage) {
      ChannelHandlerContext tls = ctx.pipeline().context(tlsHandler);
      if (tls != null) {
        tls.fireChannelRead(msg);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
