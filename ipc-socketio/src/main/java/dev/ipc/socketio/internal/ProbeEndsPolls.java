package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.CharsetUtil;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends each long-poll of a session at once with a noop while its client probes the WebSocket, as
 * Node's engine.io does. netty-socketio 2.0.14 answers only the poll pending when the probe ({@code
 * 2probe}) comes; a client whose next poll crossed the probe waits for it to end before it sends
 * the upgrade ({@code 5}), a whole ping interval. Two handlers: {@link #frames} sees the probe and
 * the upgrade (after any WebSocket decompression), {@link #polls} the polls (before
 * netty-socketio's transports).
 */
public final class ProbeEndsPolls {
  private static final AttributeKey<Boolean> PROBING = AttributeKey.valueOf("ipc.probing");
  private final NettySocketIo.Sessions sessions;

  /** The sessions whose client probes the WebSocket now. */
  private final Set<String> upgrading = ConcurrentHashMap.newKeySet();

  private final Frames frames = new Frames();
  private final Polls polls = new Polls();

  /** Creates the handlers for the sessions of {@code sessions}. */
  public ProbeEndsPolls(NettySocketIo.Sessions sessions) {
    this.sessions = sessions;
  }

  /** The handler of WebSocket frames, before netty-socketio's WebSocket transport. */
  public ChannelHandler frames() {
    return frames;
  }

  /** The handler of HTTP requests, before netty-socketio's authorize handler. */
  public ChannelHandler polls() {
    return polls;
  }

  @Sharable
  private final class Frames extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      String sid = EngineIoMarks.session(ctx.channel());
      if (sid != null && msg instanceof TextWebSocketFrame frame) {
        ByteBuf c = frame.content();
        if (c.readableBytes() == 6 && c.toString(CharsetUtil.US_ASCII).equals("2probe")) {
          upgrading.add(sid);
          ctx.channel().attr(PROBING).set(Boolean.TRUE);
        } else if (UpgradeUnderSessionLock.isUpgrade(c)) {
          upgrading.remove(sid);
        }
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      // Only the probing WebSocket ends the probe; the session's polls come and go meanwhile.
      String sid = EngineIoMarks.session(ctx.channel());
      if (sid != null && ctx.channel().attr(PROBING).get() != null) {
        upgrading.remove(sid);
      }
      super.channelInactive(ctx);
    }
  }

  @Sharable
  private final class Polls extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      String sid =
          msg instanceof FullHttpRequest req && HttpMethod.GET.equals(req.method())
              ? EngineIoMarks.session(ctx.channel())
              : null;
      super.channelRead(ctx, msg); // binds the poll
      if (sid != null && upgrading.contains(sid)) {
        ClientHead head = sessions.get(sid);
        if (head != null) {
          // Under the session's lock, as every send (see UpgradeUnderSessionLock).
          synchronized (head) {
            head.send(new Packet(PacketType.NOOP, head.getEngineIOVersion()), Transport.POLLING);
          }
        }
      }
    }
  }
}
