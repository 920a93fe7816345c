package dev.ipc.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import dev.ipc.socketio.internal.BinaryFramingV4;
import dev.ipc.socketio.internal.EncodedEntityTooLarge;
import dev.ipc.socketio.internal.EngineIoClose;
import dev.ipc.socketio.internal.EngineIoMarks;
import dev.ipc.socketio.internal.EngineIoRequestErrors;
import dev.ipc.socketio.internal.FalseKeepAlive;
import dev.ipc.socketio.internal.MainNamespaceConnect;
import dev.ipc.socketio.internal.NettySocketIo;
import dev.ipc.socketio.internal.PacketsPastTls;
import dev.ipc.socketio.internal.PollingDisconnectDelivered;
import dev.ipc.socketio.internal.PollingPayloadSplit;
import dev.ipc.socketio.internal.ProbeEndsPolls;
import dev.ipc.socketio.internal.SessionOutlivesNamespaces;
import dev.ipc.socketio.internal.UnknownPacketType;
import dev.ipc.socketio.internal.UpgradeUnderSessionLock;
import dev.ipc.socketio.internal.WholePollingQueue;
import dev.ipc.socketio.internal.WildcardOriginWithoutCredentials;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.CharsetUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * netty-socketio's pipeline, arranged for this adapter: each fix of a netty-socketio defect is a
 * handler of {@code dev.ipc.socketio.internal} (its comment names the behaviour it fixes), put
 * where it must see what it fixes; what lives here is the adapter's own policy:
 *
 * <ul>
 *   <li>a budget of incoming bytes not yet whole over all connections ({@link Inbound});
 *   <li>a WebSocket whose client stopped reading is closed once its unsent data passes a limit
 *       ({@link ReaderGone}), and live feeds wait for its writability;
 *   <li>a gate that refuses origins not on the {@code cors} list (403; none by default) and, with
 *       503, new sessions while the server is full or closing ({@link Gate});
 *   <li>TLS, first of all, and under mutual TLS the client's certificate chain kept with each
 *       session ({@link HandshakeCertificates}).
 * </ul>
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a write passed on with the
// caller's promise (or a void one) reports there, not in the future returned.
@SuppressWarnings("FutureReturnValueIgnored")
final class SocketIoPipeline extends SocketIOChannelInitializer {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SocketIoPipeline.class);
  private static final String MARKS = "ipcEngineIoMarks";
  private static final String KEEP_ALIVE = "ipcFalseKeepAlive";
  private static final String POLLING_SPLIT = "ipcPollingPayloadSplit";
  private static final String PROBE_POLLS = "ipcProbeEndsPolls";
  private static final String PROBE_FRAMES = "ipcProbeFrames";
  private static final String UPGRADE_LOCK = "ipcUpgradeUnderSessionLock";
  private static final String CLOSE_FRAMES = "ipcEngineIoClose";
  private static final String GATE = "ipcGate";
  private static final String TLS = "ipcTls";
  private static final String PAST_TLS = "ipcPastTls";
  private static final PacketsPastTls PAST_TLS_HANDLER = new PacketsPastTls(TLS);
  private static final EngineIoMarks ENGINE_IO_MARKS = new EngineIoMarks();
  private static final FalseKeepAlive FALSE_KEEP_ALIVE = new FalseKeepAlive();
  private static final PollingPayloadSplit POLLING_PAYLOAD_SPLIT = new PollingPayloadSplit();
  private static final BinaryFramingV4 BINARY_FRAMING = new BinaryFramingV4();
  private static final EngineIoClose ENGINE_IO_CLOSE = new EngineIoClose();
  private static final String REQUEST_ERRORS = "ipcRequestErrors";
  private static final String MAIN_CONNECT = "ipcMainConnect";
  private static final String SESSION_ANCHOR = "ipcSessionAnchor";
  private static final String UNKNOWN_TYPE = "ipcUnknownPacketType";
  private static final UnknownPacketType UNKNOWN_PACKET_TYPE = new UnknownPacketType();
  private static final String FRAMING = "ipcBinaryFramingV4";
  private static final String READER_GONE = "ipcReaderGone";
  private static final String PEER_CERTIFICATES_HANDLER = "ipcHandshakeCertificates";
  private static final HandshakeCertificates HANDSHAKE_CERTIFICATES = new HandshakeCertificates();

  /**
   * The session store key under which {@link HandshakeCertificates} keeps a session's TLS client
   * certificate chain (an immutable {@code List<X509Certificate>}, empty when the client presented
   * none).
   */
  static final String PEER_CERTIFICATES = "ipc.peerCertificates";

  /** The least a WebSocket may have queued unsent before its client counts as no longer reading. */
  static final int MIN_UNSENT_LIMIT = 16 << 20;

  /**
   * Netty's writability marks (its defaults): a stream's sink is ready while less than the high one
   * waits unsent on its WebSocket, and ready again once that has fallen below the low one. Far
   * below the unsent limit, so a stream stops at a few frames behind and its subscriber falls
   * behind in the server's bounded stream buffer (RESOURCE_EXHAUSTED), not here.
   */
  static final WriteBufferWaterMark STREAM_WRITABILITY =
      new WriteBufferWaterMark(32 << 10, 64 << 10);

  private final ChannelGroup channels;
  private final Gate gate;
  private final ReaderGone readerGone;
  private final boolean guardWrites;
  private final Inbound inbound;
  // The most one connection counts: a message is refused beyond the payload limit (plus its head
  // and
  // one read), and what a refused body keeps streaming is skipped, not kept, so it must not be
  // counted.
  private final long perConnection;
  private final SslContext tls; // null: plain text
  private EncoderHandler encoder; // set by start, before any channel
  private final MainNamespaceConnect mainConnect;

  /** Whether a session's client connected to a namespace (its 40 admitted). */
  private final java.util.function.Predicate<com.corundumstudio.socketio.handler.ClientHead> joined;

  private EngineIoRequestErrors requestErrors; // set by start, before any channel
  private ProbeEndsPolls probe; // set by start, before any channel
  private UpgradeUnderSessionLock upgradeLock; // set by start, before any channel
  private SessionOutlivesNamespaces sessionAnchor; // set by start, before any channel
  private PollingDisconnectDelivered pollingEnds; // set by start, before any channel

  SocketIoPipeline(
      ChannelGroup channels,
      int maxPayload,
      List<String> allowedOrigins,
      IntSupplier connected,
      int maxConnections,
      BooleanSupplier closing,
      boolean guardWrites,
      long maxBufferedBytes,
      MainNamespaceConnect mainConnect,
      java.util.function.Predicate<com.corundumstudio.socketio.handler.ClientHead> joined,
      SslContext tls) {
    this.joined = joined;
    this.mainConnect = mainConnect;
    this.tls = tls;
    this.guardWrites = guardWrites;
    this.inbound = new Inbound(maxBufferedBytes);
    this.perConnection = maxPayload + 65_536L;
    this.channels = channels;
    int high = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_UNSENT_LIMIT, 4L * maxPayload));
    this.readerGone = new ReaderGone(high);
    this.gate = new Gate(allowedOrigins, connected, maxConnections, closing);
  }

  @Override
  public void start(Configuration configuration, NamespacesHub namespacesHub) {
    super.start(configuration, namespacesHub);
    this.pollingEnds =
        new PollingDisconnectDelivered(
            configuration.getPingTimeout(),
            id -> requestErrors.pollPending(id),
            head -> joined.test(head) && requestErrors.pollsLately(head));
    this.sessionAnchor = new SessionOutlivesNamespaces(configuration, pollingEnds::ended);
    NettySocketIo.Sessions sessions = NettySocketIo.sessions(this);
    this.requestErrors =
        new EngineIoRequestErrors(
            sessions, pollingEnds, configuration.getPingInterval(), configuration.getPingTimeout());
    this.probe = new ProbeEndsPolls(sessions);
    this.upgradeLock = new UpgradeUnderSessionLock(sessions);
    try {
      this.encoder = new EncoderHandler(configuration, new WholePollingQueue(configuration));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void initChannel(Channel ch) throws Exception {
    super.initChannel(ch);
    ch.config().setWriteBufferWaterMark(STREAM_WRITABILITY);
    ch.pipeline().addFirst(READER_GONE, readerGone);
    if (guardWrites) {
      DirectWrites.guard(ch);
    }
    // After the write guard, so a refusal written here passes its lock like every other write.
    Counting counting = new Counting();
    if (guardWrites) {
      ch.pipeline().addAfter(DirectWrites.HEAD, INBOUND_COUNT, counting);
    } else {
      ch.pipeline().addFirst(INBOUND_COUNT, counting);
    }
    ch.pipeline().addBefore(GATE, INBOUND_WHOLE, new Whole(counting));
    if (tls != null) {
      // First of all, nearest the socket: every byte in and out is TLS. A client speaking plain
      // text
      // fails the handshake and is closed (SslHandler's NotSslRecordException); DirectWrites is
      // off.
      ch.pipeline().addFirst(TLS, tls.newHandler(ch.alloc()));
      ch.pipeline().addFirst(PAST_TLS, PAST_TLS_HANDLER);
    }
    channels.add(ch);
  }

  /**
   * How many Engine.IO sessions are open, in a namespace or not (see SessionOutlivesNamespaces).
   */
  int openSessions() {
    return sessionAnchor == null ? 0 : sessionAnchor.open();
  }

  /**
   * Waits, until {@code deadline} ({@link System#nanoTime}), for the polling clients whose sessions
   * the server ended to take their last packets; returns whether they all did (or their time is
   * up).
   */
  boolean awaitPollingEnds(long deadline) throws InterruptedException {
    return pollingEnds.awaitDelivered(deadline);
  }

  /** For tests: the bytes of incoming messages not yet whole, over all connections. */
  long bufferedBytes() {
    return inbound.held();
  }

  private static final String INBOUND_COUNT = "ipcInboundCount";
  private static final String INBOUND_WHOLE = "ipcInboundWhole";
  private static final byte[] BUSY_HTTP;
  private static final byte[] BUSY_CLOSE_FRAME;

  static {
    String text = "server is busy with other messages; retry later";
    BUSY_HTTP =
        ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nretry-after: 1\r\n"
                + "connection: close\r\ncontent-length: "
                + text.length()
                + "\r\n\r\n"
                + text)
            .getBytes(CharsetUtil.US_ASCII);
    byte[] reason = "server busy; retry later".getBytes(CharsetUtil.US_ASCII);
    BUSY_CLOSE_FRAME = new byte[4 + reason.length];
    BUSY_CLOSE_FRAME[0] = (byte) 0x88; // FIN, close
    BUSY_CLOSE_FRAME[1] = (byte) (2 + reason.length);
    BUSY_CLOSE_FRAME[2] = (byte) (1013 >> 8); // 1013: try again later
    BUSY_CLOSE_FRAME[3] = (byte) (1013 & 0xff);
    System.arraycopy(reason, 0, BUSY_CLOSE_FRAME, 4, reason.length);
  }

  /**
   * The bytes of incoming messages not yet whole (an HTTP request still arriving, a WebSocket
   * message whose last frame has not come), over all connections. Each connection may hold up to
   * the maximum payload that way; this bounds them all together, so many large or slowly sent
   * messages cannot exhaust the memory.
   */
  static final class Inbound {
    private final long max;
    private final AtomicLong left;

    Inbound(long max) {
      this.max = max;
      this.left = new AtomicLong(max);
    }

    boolean take(long n) {
      while (true) {
        long l = left.get();
        if (n > l) {
          return false;
        }
        if (left.compareAndSet(l, l - n)) {
          return true;
        }
      }
    }

    void give(long n) {
      if (n != 0) {
        left.addAndGet(n);
      }
    }

    long held() {
      return max - left.get();
    }
  }

  /**
   * First to see a connection's bytes: counts them against {@link Inbound} until {@link Whole} sees
   * the message they belong to whole (the bytes a read carries past that message's end are given
   * back with it, so a connection is counted short by less than one read). When the budget is
   * spent, the connection is refused as its protocol says (503 over HTTP, close 1013 over
   * WebSocket) and closed; what it sends meanwhile is dropped.
   */
  final class Counting extends ChannelInboundHandlerAdapter {
    private long held; // event loop only
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (refused) {
        io.netty.util.ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof ByteBuf b) {
        long n = Math.min(b.readableBytes(), perConnection - held);
        if (n > 0 && !inbound.take(n)) {
          b.release();
          refuse(ctx);
          return;
        }
        held += n;
      }
      ctx.fireChannelRead(msg);
    }

    void whole() {
      inbound.give(held);
      held = 0;
    }

    private void refuse(ChannelHandlerContext ctx) {
      refused = true;
      whole();
      boolean webSocket = ctx.pipeline().get(WebSocketFrameDecoder.class) != null;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(webSocket ? BUSY_CLOSE_FRAME : BUSY_HTTP))
          .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      whole();
      super.channelInactive(ctx);
    }
  }

  /**
   * After the decoders: a whole HTTP request, or a WebSocket message's last frame, gives back its
   * bytes.
   */
  static final class Whole extends ChannelInboundHandlerAdapter {
    private final Counting counting;

    Whole(Counting counting) {
      this.counting = counting;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof LastHttpContent
          || (msg instanceof io.netty.handler.codec.http.websocketx.WebSocketFrame f
              && f.isFinalFragment())) {
        counting.whole();
      }
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    EncodedEntityTooLarge.apply(pipeline);
    pipeline.addAfter(HTTP_ENCODER, KEEP_ALIVE, FALSE_KEEP_ALIVE);
    pipeline.addAfter(KEEP_ALIVE, MARKS, ENGINE_IO_MARKS);
    pipeline.addAfter(MARKS, POLLING_SPLIT, POLLING_PAYLOAD_SPLIT);
    pipeline.addBefore(AUTHORIZE_HANDLER, GATE, gate);
    pipeline.addAfter(GATE, REQUEST_ERRORS, requestErrors);
    pipeline.addAfter(REQUEST_ERRORS, SESSION_ANCHOR, sessionAnchor);
    pipeline.addAfter(SESSION_ANCHOR, PROBE_POLLS, probe.polls());
    pipeline.addBefore(PACKET_HANDLER, MAIN_CONNECT, mainConnect);
    pipeline.addBefore(MAIN_CONNECT, UNKNOWN_TYPE, UNKNOWN_PACKET_TYPE);
    // Next to the WebSocket transport: after any decompression, so they see plain frames.
    pipeline.addBefore(WEB_SOCKET_TRANSPORT, PROBE_FRAMES, probe.frames());
    pipeline.addBefore(WEB_SOCKET_TRANSPORT, UPGRADE_LOCK, upgradeLock);
    pipeline.addBefore(WEB_SOCKET_TRANSPORT, FRAMING, BINARY_FRAMING);
    pipeline.addBefore(WEB_SOCKET_TRANSPORT, CLOSE_FRAMES, ENGINE_IO_CLOSE);
    pipeline.replace(SOCKETIO_ENCODER, SOCKETIO_ENCODER, encoder);
    if (tls != null) {
      // Right after netty-socketio's handshake made the session, before the transports answer it.
      pipeline.addAfter(AUTHORIZE_HANDLER, PEER_CERTIFICATES_HANDLER, HANDSHAKE_CERTIFICATES);
    }
  }

  /**
   * Keeps, in each Engine.IO session's own store, the TLS client certificate chain of the
   * connection that carried its handshake: what {@code CallContext.peerCertificates()} holds for
   * every call of the session. For a WebSocket session that is its one connection. A polling
   * session's requests may come on any number of connections (a browser's pool), each with its own
   * TLS session; the handshake's is taken, so the chain is fixed for the session's life, as its
   * handshake headers and its principal (checked once, at the connect) are. Under REQUIRE every one
   * of those connections presented a certificate the CA signed anyway.
   *
   * <p>Sits right after netty-socketio's {@code AuthorizeHandler}: a handshake it accepted has made
   * the session ({@code ClientHead.CLIENT} on the channel) but queued its open packet, which the
   * transport handlers after this one send; so the chain is in place before the client can know the
   * session id, let alone send a call. A session is first on a channel here with its handshake (a
   * transport binds it to other connections only after that), so "not kept yet" means "this is its
   * handshake"; any later request finds its chain kept and changes nothing. Kept in the session's
   * own store (a field of netty-socketio's {@code ClientHead}, the in-memory store: this adapter
   * sets no other), the chain goes with the session; no map of this adapter holds it.
   */
  @Sharable
  static final class HandshakeCertificates extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof FullHttpRequest) {
        com.corundumstudio.socketio.handler.ClientHead head =
            ctx.channel().attr(com.corundumstudio.socketio.handler.ClientHead.CLIENT).get();
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (head != null && ssl != null && !head.getStore().has(PEER_CERTIFICATES)) {
          head.getStore().set(PEER_CERTIFICATES, chain(ssl.engine().getSession()));
        }
      }
      super.channelRead(ctx, msg);
    }

    private static List<X509Certificate> chain(SSLSession session) {
      try {
        List<X509Certificate> chain = new java.util.ArrayList<>();
        for (Certificate c : session.getPeerCertificates()) {
          if (c instanceof X509Certificate x) {
            chain.add(x);
          }
        }
        return List.copyOf(chain);
      } catch (SSLPeerUnverifiedException e) {
        return List.of(); // the client presented none (OPTIONAL, or no client CA)
      }
    }
  }

  /** What waits for a channel to turn writable again: streams whose sink said it was not ready. */
  private static final AttributeKey<java.util.Queue<Runnable>> WHEN_WRITABLE =
      AttributeKey.valueOf("ipc.whenWritable");

  /**
   * Returns whether {@code ch} is writable now (less than {@link #STREAM_WRITABILITY}'s high mark
   * waits unsent); if not, {@code then} runs once it turns writable again, or closes.
   */
  static boolean writableOrLater(Channel ch, Runnable then) {
    if (ch.isWritable()) {
      return true;
    }
    java.util.Queue<Runnable> waiting = ch.attr(WHEN_WRITABLE).get();
    if (waiting == null) {
      ch.attr(WHEN_WRITABLE).setIfAbsent(new java.util.concurrent.ConcurrentLinkedQueue<>());
      waiting = ch.attr(WHEN_WRITABLE).get();
    }
    waiting.add(then);
    // It may have turned writable (or closed) before `then` was queued: the loop would not run it
    // then.
    if (ch.isWritable() || !ch.isActive()) {
      runWaiting(ch);
      return ch.isWritable();
    }
    return false;
  }

  private static void runWaiting(Channel ch) {
    java.util.Queue<Runnable> waiting = ch.attr(WHEN_WRITABLE).get();
    for (Runnable r; waiting != null && (r = waiting.poll()) != null; ) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a writability listener failed", e);
      }
    }
  }

  /**
   * Closes a WebSocket whose client stopped reading: once more than the unsent limit waits in
   * Netty's outbound buffer (beyond what the kernel took), every further event, ack and broadcast
   * would pile up there for good, so one such client could exhaust the server's memory. Closing
   * releases it and netty-socketio disconnects the session as for any lost connection. Polling
   * responses are left alone: each is one answer that ends with its connection. Checked after each
   * write and flush once the channel is unwritable (past {@link #STREAM_WRITABILITY}'s high mark,
   * far below the limit), so writable channels cost one flag test. Also tells streams waiting for
   * the channel that it is writable again.
   */
  @Sharable
  static final class ReaderGone extends ChannelDuplexHandler {
    private final long limit;

    ReaderGone(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ctx.write(msg, promise);
      check(ctx.channel());
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      ctx.flush();
      check(ctx.channel());
    }

    private void check(Channel ch) {
      if (ch.isWritable() || !ch.isOpen()) {
        return;
      }
      io.netty.channel.ChannelOutboundBuffer unsent = ch.unsafe().outboundBuffer();
      if (unsent != null
          && unsent.totalPendingWriteBytes() > limit
          && ch.pipeline().get(WebSocketFrameEncoder.class) != null) {
        ch.close();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      if (ctx.channel().isWritable()) {
        runWaiting(ctx.channel());
      }
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      // Closed: nothing more drains; let the waiting streams go on (they are cancelled with the
      // session).
      runWaiting(ctx.channel());
      super.channelInactive(ctx);
    }
  }

  /**
   * Refuses foreign origins and new sessions while full or closing, before netty-socketio sees
   * them.
   */
  @Sharable
  static final class Gate extends ChannelInboundHandlerAdapter {
    private final List<String> allowedOrigins;
    private final IntSupplier connected;
    private final int maxConnections;
    private final BooleanSupplier closing;

    Gate(
        List<String> allowedOrigins,
        IntSupplier connected,
        int maxConnections,
        BooleanSupplier closing) {
      this.allowedOrigins = allowedOrigins;
      this.connected = connected;
      this.maxConnections = maxConnections;
      this.closing = closing;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null
            && !allowedOrigins.contains(origin.toLowerCase(Locale.ROOT))
            && !sameOrigin(origin, req.headers().get(HttpHeaderNames.HOST))) {
          if (!allowedOrigins.contains("*")) {
            // A browser page of a foreign origin: no handshake, poll, POST nor WebSocket upgrade.
            refuse(ctx, req, HttpResponseStatus.FORBIDDEN, 4, "Origin not allowed");
            return;
          }
          // Let in by "*" only: no credentials.
          WildcardOriginWithoutCredentials.apply(ctx, req);
        }
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        boolean newSession = !query.parameters().containsKey("sid");
        if (newSession && closing.getAsBoolean()) {
          refuse(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, 3, "Server is shutting down");
          return;
        }
        if (newSession && connected.getAsInt() >= maxConnections) {
          refuse(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, 3, "Too many connections");
          return;
        }
      }
      super.channelRead(ctx, msg);
    }

    /**
     * Whether {@code origin} names this very server, as the request's {@code Host} does: not a
     * cross-origin request. Python's websocket-client (python-socketio's sync client) sends {@code
     * Origin: http://<host:port>} of the URL it connects to, {@code http} even over TLS, so the
     * scheme is not compared. A page that reached this server under another name (DNS rebinding)
     * gains nothing by it: browsers send no {@code Origin} with a same-origin GET, which is
     * accepted anyway.
     */
    static boolean sameOrigin(String origin, String host) {
      if (host == null || host.isEmpty()) {
        return false;
      }
      String lower = origin.toLowerCase(Locale.ROOT);
      String authority =
          lower.startsWith("http://")
              ? lower.substring(7)
              : lower.startsWith("https://") ? lower.substring(8) : null;
      return authority != null && authority.equals(host.toLowerCase(Locale.ROOT));
    }

    private static void refuse(
        ChannelHandlerContext ctx,
        FullHttpRequest req,
        HttpResponseStatus status,
        int code,
        String message) {
      req.release();
      // Engine.IO's own error body, as Node's server sends it.
      byte[] body =
          ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(CharsetUtil.UTF_8);
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(res, body.length);
      ctx.writeAndFlush(res);
    }
  }
}
