package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
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
 *
 * <p>Before passing a {@code CONNECT} on, it asks the adapter whether to admit it ({@link Admission},
 * given the packet's {@code auth} payload as JSON text): a refused one goes no further, so
 * netty-socketio never answers it, and the adapter has sent the client its connect error.
 */
@Sharable
public final class MainNamespaceConnect extends ChannelInboundHandlerAdapter {
  /** Decides, on the event loop, whether a main-namespace {@code CONNECT} goes on. */
  @FunctionalInterface
  public interface Admission {
    /**
     * Returns whether {@code head}'s {@code CONNECT} goes on to netty-socketio; when it does not, this
     * has sent the client its connect error. {@code auth} is the packet's payload as JSON text
     * ({@code {"token":"..."}}), or null when it has none.
     */
    boolean admit(ClientHead head, String auth);
  }

  private final Admission admission;
  private final Consumer<ClientHead> connected;

  /** Calls {@code connected} on the event loop, after netty-socketio has answered the packet. */
  public MainNamespaceConnect(Consumer<ClientHead> connected) {
    this((head, auth) -> true, connected);
  }

  /**
   * Asks {@code admission} about each main-namespace {@code CONNECT} first, then calls {@code
   * connected} on the event loop after netty-socketio has answered an admitted one.
   */
  public MainNamespaceConnect(Admission admission, Consumer<ClientHead> connected) {
    this.admission = admission;
    this.connected = connected;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PacketsMessage packets && isMainConnect(packets.getContent())) {
      ClientHead head = packets.getClient();
      if (!admission.admit(head, authPayload(packets.getContent()))) {
        ReferenceCountUtil.release(msg);
        return;
      }
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

  /**
   * Returns the JSON after {@code 40} of a main-namespace CONNECT, up to the end or the record
   * separator of a long-polling payload ({@code 0x1e}), or null when there is none.
   */
  static String authPayload(ByteBuf p) {
    int start = p.readerIndex() + 2;
    int end = p.writerIndex();
    if (start >= end) {
      return null;
    }
    int sep = p.indexOf(start, end, (byte) 0x1e);
    return p.toString(start, (sep < 0 ? end : sep) - start, StandardCharsets.UTF_8);
  }
}
