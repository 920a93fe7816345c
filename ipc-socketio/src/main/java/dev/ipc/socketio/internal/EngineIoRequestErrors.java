package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers bad Engine.IO requests at once, as Node's engine.io does: HTTP 400 with its JSON error
 * body {@code {"code":N,"message":"..."}}. netty-socketio 2.0.14 answers them otherwise:
 *
 * <ul>
 *   <li>a missing {@code EIO}, or any but 4, opens a session (200) in a protocol no client of ours
 *       speaks: code 5, "Unsupported protocol version";
 *   <li>a handshake with another method than GET (a POST, a PUT) opens a session (200): code 2,
 *       "Bad handshake method";
 *   <li>a request naming a session that does not exist (never did, timed out, closed) gets a
 *       bodiless 500 that never ends, or nothing when the id is no UUID, so the client waits for
 *       its own timeout: code 1, "Session ID unknown" (for a WebSocket upgrade too);
 *   <li>a long-poll or a second WebSocket for a session already upgraded to WebSocket is served as
 *       if the session still polled, and a second long-poll while one is pending is bound in the
 *       first one's place, which then hangs until its client gives up: code 3, "Bad request"; for
 *       the overlapping poll the session ends too and the first poll gets its disconnect packet, as
 *       in Node;
 *   <li>an unknown {@code transport} on a request of an open session is passed on: code 0,
 *       "Transport unknown".
 * </ul>
 *
 * Also, a long-polling client's Engine.IO close packet ({@code 1}) ends its pending poll with a
 * noop, as Node's engine.io does; netty-socketio ends the session and leaves the poll hanging. Only
 * HTTP requests pass here, never WebSocket messages: no cost per event.
 */
@Sharable
public final class EngineIoRequestErrors extends ChannelInboundHandlerAdapter {
  private static final String HEARD = "ipc.lastPost";
  private static final String POLLED = "ipc.lastPoll";
  private final NettySocketIo.Sessions sessions;
  private final PollingDisconnectDelivered ended;
  private final long pingDeadline;

  /** Per session id, its last long-poll: the one pending if its channel is open and unanswered. */
  private final Map<String, Channel> polls = new ConcurrentHashMap<>();

  /**
   * Checks requests against the sessions of {@code sessions}, whose clients must answer a ping
   * every {@code pingInterval} within {@code pingTimeout} (milliseconds).
   */
  public EngineIoRequestErrors(
      NettySocketIo.Sessions sessions,
      PollingDisconnectDelivered ended,
      long pingInterval,
      long pingTimeout) {
    this.sessions = sessions;
    this.ended = ended;
    this.pingDeadline = pingInterval + pingTimeout;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof FullHttpRequest req)) {
      super.channelRead(ctx, msg);
      return;
    }
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    Map<String, List<String>> params = query.parameters();
    String eio = first(params, "EIO");
    if (!"4".equals(eio)) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 5, "Unsupported protocol version");
      return;
    }
    String transport = first(params, "transport");
    boolean polling = "polling".equals(transport);
    if (!polling && !"websocket".equals(transport)) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 0, "Transport unknown");
      return;
    }
    String sid = first(params, "sid");
    if (sid == null) {
      // OPTIONS goes on: a browser's CORS preflight before its handshake.
      if (!HttpMethod.GET.equals(req.method()) && !HttpMethod.OPTIONS.equals(req.method())) {
        refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 2, "Bad handshake method");
        return;
      }
      super.channelRead(ctx, msg);
      return;
    }
    ClientHead head = sessions.get(sid);
    if ((head == null || !head.isConnected()) && polling && HttpMethod.GET.equals(req.method())) {
      ClientHead gone = ended.take(sid);
      if (gone != null && !timedOut(gone)) {
        // Ended by the server with packets waiting (its 41 last): this poll gets them.
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
          ctx.channel()
              .attr(EncoderHandler.ORIGIN)
              .set(origin); // as PollingTransport does, for CORS
        }
        req.release();
        PollingDisconnectDelivered.deliver(gone, ctx.channel());
        return;
      }
    }
    if (head == null || !head.isConnected()) {
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 1, "Session ID unknown");
      return;
    }
    if (head.getCurrentTransport() == Transport.WEBSOCKET) {
      // Upgraded already (or opened as a WebSocket): no more polls, no second WebSocket. Node's
      // engine.io accepts a second WebSocket and closes it at once; a poll gets 400.
      if (polling) {
        refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 3, "Bad request");
      } else {
        acceptThenClose(ctx, req);
      }
      return;
    }
    if (polling && timedOut(head)) {
      // Its ping timeout has passed; netty-socketio's timer (100 ms ticks) may not have run yet.
      synchronized (head) {
        head.disconnect();
      }
      refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 1, "Session ID unknown");
      return;
    }
    if (polling && HttpMethod.POST.equals(req.method())) {
      // Anything the client posts (a pong among it) keeps the session, as for netty-socketio's
      // timer.
      head.getStore().set(HEARD, System.currentTimeMillis());
    }
    if (polling && HttpMethod.GET.equals(req.method())) {
      head.getStore().set(POLLED, System.currentTimeMillis());
      Channel ch = ctx.channel();
      Channel previous = polls.put(sid, ch);
      if (previous != null && previous != ch && pending(previous)) {
        polls.remove(sid, ch);
        refuse(ctx, req, HttpResponseStatus.BAD_REQUEST, 3, "Bad request");
        synchronized (head) {
          // Its disconnect packet answers the pending poll; the session ends.
          head.disconnect();
        }
        return;
      }
      ch.closeFuture().addListener(f -> polls.remove(sid, ch));
    } else if (polling && HttpMethod.POST.equals(req.method()) && isClose(req.content())) {
      synchronized (head) {
        head.send(new Packet(PacketType.NOOP, head.getEngineIOVersion()), Transport.POLLING);
      }
    }
    super.channelRead(ctx, msg);
  }

  /**
   * Whether the client of long-polling session {@code head} polls as a live one does: a poll within
   * the last ping interval and ping timeout (each poll lasts a ping interval at most).
   */
  public boolean pollsLately(ClientHead head) {
    Long polled = head.getStore().get(POLLED);
    return polled != null && System.currentTimeMillis() - polled <= pingDeadline;
  }

  /**
   * Whether session {@code id} has a long-poll pending, which the next packet sent to it answers.
   */
  public boolean pollPending(java.util.UUID id) {
    Channel poll = polls.get(id.toString());
    return poll != null && pending(poll);
  }

  /**
   * Whether the long-polling session {@code head} has gone a ping interval and a ping timeout
   * without posting anything since its handshake: Node's engine.io has closed it by then.
   */
  private boolean timedOut(ClientHead head) {
    Long heard = head.getStore().get(HEARD);
    long since = heard != null ? heard : head.getHandshakeData().getTime().getTime();
    return System.currentTimeMillis() - since > pingDeadline;
  }

  private static boolean pending(Channel poll) {
    return poll.isActive() && poll.attr(EncoderHandler.WRITE_ONCE).get() == null;
  }

  private static boolean isClose(ByteBuf body) {
    return EngineIoClose.isClose(body);
  }

  // The handshake's future is handled by its listener; the close needs none.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void acceptThenClose(ChannelHandlerContext ctx, FullHttpRequest req) {
    Channel ch = ctx.channel();
    try {
      String location = "ws://" + req.headers().get(HttpHeaderNames.HOST) + req.uri();
      WebSocketServerHandshaker handshaker =
          new WebSocketServerHandshakerFactory(location, null, true).newHandshaker(req);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
        return;
      }
      handshaker
          .handshake(ch, req)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  EngineIoClose.closeWebSocket(ch);
                } else {
                  ch.close();
                }
              });
    } finally {
      req.release();
    }
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Answers {@code req} with {@code status} and Engine.IO's error body, as Node's server sends it,
   * and closes the connection once written.
   */
  public static void refuse(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HttpResponseStatus status,
      int code,
      String message) {
    req.release();
    byte[] body =
        ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(CharsetUtil.UTF_8);
    FullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(res, body.length);
    HttpUtil.setKeepAlive(res, false);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
