package dev.ipc.socketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketEncoder;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;
import dev.ipc.socketio.internal.BinaryPlaceholders;
import dev.ipc.socketio.internal.EngineIoClose;
import dev.ipc.socketio.internal.EngineIoRequestErrors;
import dev.ipc.socketio.internal.MainNamespaceConnect;
import dev.ipc.socketio.internal.UnknownPacketType;
import dev.ipc.socketio.internal.NettySocketIo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * netty-socketio's pipeline with the fixes this adapter needs:
 *
 * <ul>
 *   <li>Every HTTP response but the WebSocket upgrade says {@code Connection: close}, because
 *       netty-socketio closes each long-polling connection after answering while claiming keep-alive;
 *       clients that reuse the connection (aiohttp, Node's agent) then lose requests.
 *   <li>Binary attachments are framed for Engine.IO v4: netty-socketio writes the v3 form (a 0x04
 *       prefix on WebSocket frames, length-prefixed binary in polling payloads), which v4 clients read
 *       as a stray byte or garbage.
 *   <li>Incoming binary attachments are reframed so netty-socketio takes them whole: v4 polling sends
 *       them as {@code b<base64>}, which it would read as raw bytes, and it misreads raw bytes that
 *       start with 0x00.
 *   <li>Multi-packet polling bodies are split into single packets, which netty-socketio otherwise
 *       copies into buffers it never releases.
 *   <li>The upgrade to WebSocket holds the session's lock, which every send takes too, so no packet
 *       is left behind in the polling queue (netty-socketio races there).
 *   <li>While a client probes the WebSocket, each of its polls is ended at once with a noop, as
 *       Node's engine.io does; netty-socketio ends only the poll pending at the probe, and a client
 *       whose next poll crossed the probe waits a whole ping interval to upgrade.
 *   <li>The response encoder sits before the body aggregator, so an oversized body's 413 is encoded.
 *   <li>A WebSocket whose client stopped reading is closed once its unsent data passes a limit, rather
 *       than buffered without bound.
 *   <li>A gate refuses origins not on the {@code cors} list (403; none by default) and, with 503, new sessions while the server is full or
 *       closing.
 * </ul>
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a write passed on with the
// caller's promise (or a void one) reports there, not in the future returned.
@SuppressWarnings("FutureReturnValueIgnored")
final class HonestChannelInitializer extends SocketIOChannelInitializer {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HonestChannelInitializer.class);
  private static final AttributeKey<Boolean> CLOSE_AFTER = AttributeKey.valueOf("ipc.closeAfter");
  private static final AttributeKey<Boolean> ENGINE_V3 = AttributeKey.valueOf("ipc.engineV3");
  private static final AttributeKey<HeldResponse> HELD = AttributeKey.valueOf("ipc.held");
  private static final AttributeKey<String> SESSION = AttributeKey.valueOf("ipc.session");
  private static final AttributeKey<Boolean> PROBING = AttributeKey.valueOf("ipc.probing");
  private static final String HONESTY = "ipcHonesty";
  private static final String GATE = "ipcGate";
  private static final String TLS = "ipcTls";
  private static final String PAST_TLS = "ipcPastTls";
  private static final PastTls PAST_TLS_HANDLER = new PastTls();
  private static final String REQUEST_ERRORS = "ipcRequestErrors";
  private static final String MAIN_CONNECT = "ipcMainConnect";
  private static final String UNKNOWN_TYPE = "ipcUnknownPacketType";
  private static final UnknownPacketType UNKNOWN_PACKET_TYPE = new UnknownPacketType();
  private static final String FRAMING = "ipcFraming";
  private static final String READER_GONE = "ipcReaderGone";
  /** The least a WebSocket may have queued unsent before its client counts as no longer reading. */
  static final int MIN_UNSENT_LIMIT = 16 << 20;
  /**
   * Netty's writability marks (its defaults): a stream's sink is ready while less than the high one
   * waits unsent on its WebSocket, and ready again once that has fallen below the low one. Far below
   * the unsent limit, so a stream stops at a few frames behind and its subscriber falls behind in the
   * server's bounded stream buffer (RESOURCE_EXHAUSTED), not here.
   */
  static final WriteBufferWaterMark STREAM_WRITABILITY = new WriteBufferWaterMark(32 << 10, 64 << 10);

  private final ChannelGroup channels;
  private final Honesty honesty = new Honesty();
  private final Framing framing;
  private final Gate gate;
  private final ReaderGone readerGone;
  private final boolean guardWrites;
  private final Inbound inbound;
  // The most one connection counts: a message is refused beyond the payload limit (plus its head and
  // one read), and what a refused body keeps streaming is skipped, not kept, so it must not be counted.
  private final long perConnection;
  private final SslContext tls; // null: plain text
  private EncoderHandler encoder; // set by start, before any channel
  private final MainNamespaceConnect mainConnect;
  private EngineIoRequestErrors requestErrors; // set by start, before any channel

  HonestChannelInitializer(
      ChannelGroup channels,
      int maxPayload,
      List<String> allowedOrigins,
      IntSupplier connected,
      int maxConnections,
      BooleanSupplier closing,
      Function<String, Object> sessionLock,
      Consumer<String> nudgePolling,
      boolean guardWrites,
      long maxBufferedBytes,
      MainNamespaceConnect mainConnect,
      SslContext tls) {
    this.mainConnect = mainConnect;
    this.tls = tls;
    this.guardWrites = guardWrites;
    this.inbound = new Inbound(maxBufferedBytes);
    this.perConnection = maxPayload + 65_536L;
    Set<String> upgrading = ConcurrentHashMap.newKeySet();
    this.channels = channels;
    int high = (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_UNSENT_LIMIT, 4L * maxPayload));
    this.readerGone = new ReaderGone(high);
    this.framing = new Framing(sessionLock, upgrading);
    this.gate = new Gate(allowedOrigins, connected, maxConnections, closing, upgrading, nudgePolling);
  }

  @Override
  public void start(Configuration configuration, NamespacesHub namespacesHub) {
    super.start(configuration, namespacesHub);
    this.requestErrors =
        new EngineIoRequestErrors(
            NettySocketIo.sessions(this), configuration.getPingInterval(), configuration.getPingTimeout());
    try {
      this.encoder = new EncoderHandler(configuration, new WholeQueueEncoder(configuration));
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
      // First of all, nearest the socket: every byte in and out is TLS. A client speaking plain text
      // fails the handshake and is closed (SslHandler's NotSslRecordException); DirectWrites is off.
      ch.pipeline().addFirst(TLS, tls.newHandler(ch.alloc()));
      ch.pipeline().addFirst(PAST_TLS, PAST_TLS_HANDLER);
    }
    channels.add(ch);
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
   * The bytes of incoming messages not yet whole (an HTTP request still arriving, a WebSocket message
   * whose last frame has not come), over all connections. Each connection may hold up to the maximum
   * payload that way; this bounds them all together, so many large or slowly sent messages cannot
   * exhaust the memory.
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
   * the message they belong to whole (the bytes a read carries past that message's end are given back
   * with it, so a connection is counted short by less than one read). When the budget is spent, the
   * connection is refused as its protocol says (503 over HTTP, close 1013 over WebSocket) and closed;
   * what it sends meanwhile is dropped.
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

  /** After the decoders: a whole HTTP request, or a WebSocket message's last frame, gives back its bytes. */
  static final class Whole extends ChannelInboundHandlerAdapter {
    private final Counting counting;

    Whole(Counting counting) {
      this.counting = counting;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof LastHttpContent
          || (msg instanceof io.netty.handler.codec.http.websocketx.WebSocketFrame f && f.isFinalFragment())) {
        counting.whole();
      }
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    pipeline.remove(HTTP_ENCODER);
    pipeline.addAfter(HTTP_REQUEST_DECODER, HTTP_ENCODER, new HttpResponseEncoder());
    pipeline.addAfter(HTTP_ENCODER, HONESTY, honesty);
    pipeline.addBefore(AUTHORIZE_HANDLER, GATE, gate);
    pipeline.addAfter(GATE, REQUEST_ERRORS, requestErrors);
    pipeline.addBefore(PACKET_HANDLER, MAIN_CONNECT, mainConnect);
    pipeline.addBefore(MAIN_CONNECT, UNKNOWN_TYPE, UNKNOWN_PACKET_TYPE);
    pipeline.addBefore(WEB_SOCKET_TRANSPORT, FRAMING, framing);
    pipeline.replace(SOCKETIO_ENCODER, SOCKETIO_ENCODER, encoder);
  }

  /**
   * netty-socketio's packet encoder, except that a long-polling response carries every queued packet.
   * netty-socketio stops at 50 a response, and the 51st, already taken off the queue, was lost: a
   * client that fell 51 packets behind lost one (a broadcast burst did it). Node's engine.io sends the
   * whole queue as well.
   */
  static final class WholeQueueEncoder extends PacketEncoder {
    WholeQueueEncoder(Configuration configuration) {
      super(configuration, configuration.getJsonSupport());
    }

    @Override
    public void encodePackets(
        java.util.Queue<Packet> packets, io.netty.buffer.ByteBuf buffer, io.netty.buffer.ByteBufAllocator allocator, int limit)
        throws java.io.IOException {
      super.encodePackets(packets, buffer, allocator, Integer.MAX_VALUE);
    }

    @Override
    public void encodeJsonP(
        Integer jsonpIndex,
        java.util.Queue<Packet> packets,
        io.netty.buffer.ByteBuf out,
        io.netty.buffer.ByteBufAllocator allocator,
        int limit)
        throws java.io.IOException {
      super.encodeJsonP(jsonpIndex, packets, out, allocator, Integer.MAX_VALUE);
    }
  }

  /** What waits for a channel to turn writable again: streams whose sink said it was not ready. */
  private static final AttributeKey<java.util.Queue<Runnable>> WHEN_WRITABLE = AttributeKey.valueOf("ipc.whenWritable");

  /**
   * Returns whether {@code ch} is writable now (less than {@link #STREAM_WRITABILITY}'s high mark waits
   * unsent); if not, {@code then} runs once it turns writable again, or closes.
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
    // It may have turned writable (or closed) before `then` was queued: the loop would not run it then.
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
   * Closes a WebSocket whose client stopped reading: once more than the unsent limit waits in Netty's
   * outbound buffer (beyond what the kernel took), every further event, ack and broadcast would pile up
   * there for good, so one such client could exhaust the server's memory. Closing releases it and
   * netty-socketio disconnects the session as for any lost connection. Polling responses are left
   * alone: each is one answer that ends with its connection. Checked after each write and flush once
   * the channel is unwritable (past {@link #STREAM_WRITABILITY}'s high mark, far below the limit), so
   * writable channels cost one flag test. Also tells streams waiting for the channel that it is
   * writable again.
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
      // Closed: nothing more drains; let the waiting streams go on (they are cancelled with the session).
      runWaiting(ctx.channel());
      super.channelInactive(ctx);
    }
  }

  /**
   * Next to the HTTP codec: answers every response but the WebSocket upgrade with {@code Connection:
   * close}, notes the Engine.IO version, and splits polling bodies into packets.
   */
  @Sharable
  static final class Honesty extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest req) {
        if (req.uri().contains("EIO=3")) {
          ctx.channel().attr(ENGINE_V3).set(Boolean.TRUE);
        }
        List<String> sid = new QueryStringDecoder(req.uri()).parameters().get("sid");
        if (sid != null && !sid.isEmpty()) {
          ctx.channel().attr(SESSION).set(sid.get(0));
        }
      }
      boolean v4 = ctx.channel().attr(ENGINE_V3).get() == null;
      if (v4
          && msg instanceof PacketsMessage packets
          && packets.getTransport() == Transport.POLLING
          && severalOrBinary(packets.getContent())) {
        // netty-socketio stops reading a body after a packet that awaits attachments, and leaks the
        // copy it makes of each packet of a multi-packet body: each packet and each attachment goes
        // in a message of its own. They are read before this returns, so slices of the body do.
        for (ByteBuf piece : pollingIn(packets.getContent())) {
          ctx.fireChannelRead(new PacketsMessage(packets.getClient(), piece, Transport.POLLING));
        }
        return;
      }
      super.channelRead(ctx, msg);
    }

    /**
     * Frames one binary attachment so that netty-socketio's decoder takes it whole: its own
     * length-prefixed form ({@code 0x00 <length digits> 0xff <bytes>}). Left bare, an attachment that
     * starts with 0x00, or with digits and a colon, is misread as such a header.
     */
    static ByteBuf wrapAttachment(ByteBuf bytes, int length) {
      String digits = Integer.toString(length);
      ByteBuf out = Unpooled.buffer(length + digits.length() + 2);
      out.writeByte(0);
      for (int i = 0; i < digits.length(); i++) {
        out.writeByte(digits.charAt(i) - '0');
      }
      out.writeByte(0xff);
      out.writeBytes(bytes, bytes.readerIndex(), length);
      return out;
    }

    private static boolean severalOrBinary(ByteBuf in) {
      return in.isReadable()
          && (in.getByte(in.readerIndex()) == 'b'
              || BinaryPlaceholders.isBinaryEvent(in)
              || in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0x1e) >= 0);
    }

    /**
     * Splits an Engine.IO v4 polling body ({@code packet 0x1e b<base64> 0x1e packet}), whose binary
     * segments netty-socketio would take as raw bytes, into its packets (slices of {@code in}), binary
     * ones in the form of {@link #wrapAttachment}.
     */
    static List<ByteBuf> pollingIn(ByteBuf in) {
      List<ByteBuf> pieces = new ArrayList<>();
      int i = in.readerIndex();
      int end = in.writerIndex();
      while (i < end) {
        int sep = in.indexOf(i, end, (byte) 0x1e);
        int segmentEnd = sep < 0 ? end : sep;
        if (in.getByte(i) == 'b') {
          String base64 = in.toString(i + 1, segmentEnd - i - 1, CharsetUtil.US_ASCII);
          byte[] bytes = Base64.getDecoder().decode(base64);
          pieces.add(wrapAttachment(Unpooled.wrappedBuffer(bytes), bytes.length));
        } else if (segmentEnd > i) {
          ByteBuf packet = in.slice(i, segmentEnd - i);
          pieces.add(BinaryPlaceholders.isBinaryEvent(packet) ? BinaryPlaceholders.mark(packet) : packet);
        }
        i = segmentEnd + 1;
      }
      return pieces;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      Channel ch = ctx.channel();
      if (msg instanceof HttpResponse res
          && res.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
        HttpUtil.setKeepAlive(res, false);
        ch.attr(CLOSE_AFTER).set(Boolean.TRUE);
      }
      if (msg instanceof LastHttpContent && Boolean.TRUE.equals(ch.attr(CLOSE_AFTER).getAndSet(null))) {
        ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      ctx.write(msg, promise);
    }
  }

  /**
   * Frames binary attachments for Engine.IO v4, next to the WebSocket transport: inside any
   * compression, so it sees plain frames and bodies.
   */
  @Sharable
  static final class Framing extends ChannelDuplexHandler {
    private final Function<String, Object> sessionLock;
    private final Set<String> upgrading;

    Framing(Function<String, Object> sessionLock, Set<String> upgrading) {
      this.sessionLock = sessionLock;
      this.upgrading = upgrading;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      String sid = ctx.channel().attr(SESSION).get();
      if (sid != null && msg instanceof TextWebSocketFrame frame && isProbe(frame.content())) {
        upgrading.add(sid);
        ctx.channel().attr(PROBING).set(Boolean.TRUE);
      }
      if (sid != null && msg instanceof TextWebSocketFrame frame && isUpgrade(frame.content())) {
        upgrading.remove(sid);
        // netty-socketio moves queued packets to the WebSocket when the client upgrades, while a
        // packet sent meanwhile from another thread can land in the old queue after the move and
        // stay there. Sends hold the session's lock (see DefaultSocketIoServer), so does the upgrade.
        Object lock = sessionLock.apply(sid);
        if (lock != null) {
          synchronized (lock) {
            super.channelRead(ctx, msg);
          }
          return;
        }
      }
      if (msg instanceof TextWebSocketFrame frame && BinaryPlaceholders.isBinaryEvent(frame.content())) {
        TextWebSocketFrame marked = frame.replace(BinaryPlaceholders.mark(frame.content()));
        frame.release();
        msg = marked;
      }
      if (msg instanceof TextWebSocketFrame frame && EngineIoClose.isClose(frame.content())) {
        super.channelRead(ctx, msg);
        EngineIoClose.closeWebSocket(ctx.channel());
        return;
      }
      if (msg instanceof BinaryWebSocketFrame frame && ctx.channel().attr(ENGINE_V3).get() == null) {
        BinaryWebSocketFrame replaced =
            frame.replace(Honesty.wrapAttachment(frame.content(), frame.content().readableBytes()));
        frame.release();
        msg = replaced;
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      Channel ch = ctx.channel();
      boolean v4 = ch.attr(ENGINE_V3).get() == null;
      if (v4
          && msg instanceof HttpResponse res
          && !(msg instanceof FullHttpResponse)
          && res.status().code() == 200
          && HttpHeaderValues.APPLICATION_OCTET_STREAM.contentEqualsIgnoreCase(
              res.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
        // A polling payload: hold the head until the body shows whether it carries binary.
        ch.attr(HELD).set(new HeldResponse(res, promise));
        return;
      }
      HeldResponse held = ch.attr(HELD).getAndSet(null);
      if (held != null) {
        if (msg instanceof HttpContent content && !(msg instanceof LastHttpContent)) {
          ByteBuf body = content.content();
          if (body.indexOf(body.readerIndex(), body.writerIndex(), (byte) 1) >= 0) {
            ByteBuf fixed = pollingV4(body);
            HttpUtil.setContentLength(held.response, fixed.readableBytes());
            ctx.write(held.response, held.promise);
            content.release();
            ctx.write(content.replace(fixed), promise);
            return;
          }
        }
        ctx.write(held.response, held.promise);
      }
      if (msg instanceof TextWebSocketFrame frame && EngineIoClose.isDisconnect(frame.content())) {
        // The session ends: its close follows this write; a Close frame goes just before it.
        ctx.write(msg, promise);
        ctx.write(EngineIoClose.closeFrame(), ctx.voidPromise());
        return;
      }
      if (v4 && msg instanceof BinaryWebSocketFrame frame) {
        ByteBuf data = frame.content();
        if (data.isReadable() && data.getByte(data.readerIndex()) == 4) {
          data.skipBytes(1);
        }
      }
      ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      // Only the probing WebSocket ends the probe; the session's polls come and go meanwhile.
      String sid = ctx.channel().attr(SESSION).get();
      if (sid != null && ctx.channel().attr(PROBING).get() != null) {
        upgrading.remove(sid);
      }
      super.channelInactive(ctx);
    }

    private static boolean isProbe(ByteBuf content) {
      return content.readableBytes() == 6
          && content.toString(CharsetUtil.US_ASCII).equals("2probe");
    }

    private static boolean isUpgrade(ByteBuf content) {
      return content.readableBytes() == 1 && content.getByte(content.readerIndex()) == '5';
    }

    /**
     * Rewrites a polling payload netty-socketio framed the Engine.IO v3 way ({@code 0x01 <length
     * digits> 0xff 0x04 <bytes>} after a packet) into v4's ({@code 0x1e b<base64>}). Text packets never
     * hold a raw 0x01: JSON escapes control characters.
     */
    static ByteBuf pollingV4(ByteBuf in) {
      ByteBuf out = Unpooled.buffer(in.readableBytes() * 2);
      int i = in.readerIndex();
      int end = in.writerIndex();
      while (i < end) {
        byte b = in.getByte(i);
        if (b != 1) {
          out.writeByte(b);
          i++;
          continue;
        }
        i++;
        int length = 0;
        while (i < end && in.getByte(i) != (byte) 0xff) {
          length = length * 10 + in.getByte(i);
          i++;
        }
        i++; // 0xff
        i++; // 0x04, counted in length
        int size = Math.min(length - 1, end - i);
        byte[] bytes = ByteBufUtil.getBytes(in, i, size);
        i += size;
        out.writeByte(0x1e);
        out.writeByte('b');
        out.writeBytes(Base64.getEncoder().encode(bytes));
      }
      return out;
    }
  }

  /**
   * Under TLS, first in the pipeline, before the SslHandler: passes netty-socketio's packets on past
   * the SslHandler. Its WebSocketTransport fires each frame's packets from the head of the pipeline
   * (the packet handler sits before the transports) and then releases the frame. The head is then the
   * SslHandler, still inside its own decode while it delivers that frame, and Netty's
   * ByteToMessageDecoder queues a message that enters a decoder while it decodes, to deliver it once
   * that decode is done: after the frame, and so its packets, were released. Bytes go on to the
   * SslHandler; everything after it sees what it sees without TLS.
   */
  @Sharable
  static final class PastTls extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof PacketsMessage) {
        ChannelHandlerContext tls = ctx.pipeline().context(TLS);
        if (tls != null) {
          tls.fireChannelRead(msg);
          return;
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  private record HeldResponse(HttpResponse response, ChannelPromise promise) {}

  /** Refuses foreign origins and new sessions while full or closing, before netty-socketio sees them. */
  @Sharable
  static final class Gate extends ChannelInboundHandlerAdapter {
    private final List<String> allowedOrigins;
    private final IntSupplier connected;
    private final int maxConnections;
    private final BooleanSupplier closing;
    private final Set<String> upgrading;
    private final Consumer<String> nudgePolling;

    Gate(
        List<String> allowedOrigins,
        IntSupplier connected,
        int maxConnections,
        BooleanSupplier closing,
        Set<String> upgrading,
        Consumer<String> nudgePolling) {
      this.allowedOrigins = allowedOrigins;
      this.connected = connected;
      this.maxConnections = maxConnections;
      this.closing = closing;
      this.upgrading = upgrading;
      this.nudgePolling = nudgePolling;
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
          // Let in by "*" only: netty-socketio would reflect the origin with
          // Access-Control-Allow-Credentials: true (EncoderHandler.addOriginHeaders, fed by the channel's
          // ORIGIN attribute that PollingTransport and AuthorizeHandler take from this header). Without
          // it, it answers Access-Control-Allow-Origin: * and no credentials.
          req.headers().remove(HttpHeaderNames.ORIGIN);
          ctx.channel().attr(EncoderHandler.ORIGIN).set(null);
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
        List<String> sid = query.parameters().get("sid");
        if (sid != null && HttpMethod.GET.equals(req.method()) && upgrading.contains(sid.get(0))) {
          // A poll that arrives while the client probes the WebSocket: the client waits for it to
          // end before it upgrades, so end it now with a noop rather than after a ping interval.
          // netty-socketio answers only the poll pending at the probe; Node's engine.io every poll.
          super.channelRead(ctx, msg);
          nudgePolling.accept(sid.get(0));
          return;
        }
      }
      super.channelRead(ctx, msg);
    }

    /**
     * Whether {@code origin} names this very server, as the request's {@code Host} does: not a
     * cross-origin request. Python's websocket-client (python-socketio's sync client) sends {@code
     * Origin: http://<host:port>} of the URL it connects to, {@code http} even over TLS, so the scheme
     * is not compared. A page that reached this server under another name (DNS rebinding) gains
     * nothing by it: browsers send no {@code Origin} with a same-origin GET, which is accepted anyway.
     */
    static boolean sameOrigin(String origin, String host) {
      if (host == null || host.isEmpty()) {
        return false;
      }
      String lower = origin.toLowerCase(Locale.ROOT);
      String authority =
          lower.startsWith("http://") ? lower.substring(7) : lower.startsWith("https://") ? lower.substring(8) : null;
      return authority != null && authority.equals(host.toLowerCase(Locale.ROOT));
    }

    private static void refuse(
        ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, int code, String message) {
      req.release();
      // Engine.IO's own error body, as Node's server sends it.
      byte[] body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(CharsetUtil.UTF_8);
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(res, body.length);
      ctx.writeAndFlush(res);
    }
  }
}
