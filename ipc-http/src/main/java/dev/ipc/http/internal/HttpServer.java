package dev.ipc.http.internal;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Tls;
import dev.ipc.core.spi.RunningTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * A small HTTP/1.1 server on Netty: the plumbing the REST and GraphQL adapters share. Hosts never
 * use it directly.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder()
 *     .host("0.0.0.0").port(0)                  // 0 picks a free port
 *     .executor(context.executor())              // handlers run here, never on an event loop
 *     .handler(request -> HttpResponse.json(200, "{\"ok\":true}"))
 *     .start();                                  // returns once bound
 * int port = server.localAddress().getPort();
 * // graceful close, as RunningTransport:
 * server.beginShutdown();                        // stop accepting; new requests on open connections get 503
 * server.awaitTermination(Duration.ofSeconds(10)); // requests in flight finish and are answered
 * server.shutdownNow();                          // release the port and threads
 * }</pre>
 *
 * <p>What it does for every handler: keep-alive (HTTP/1.1 default, HTTP/1.0 on request); {@code
 * HEAD} handled as {@code GET} with the body dropped; bodies aggregated up to {@link
 * HttpServerBuilder#maxBodyBytes} (413 beyond, answered by the server), and at most {@link
 * HttpServerBuilder#maxBufferedBodyBytes} of them held over all connections (503 beyond); pipelined
 * requests answered in order (one at a time per connection); a silent or half-sent request closed
 * after {@link HttpServerBuilder#idleTimeout} (408), and one still incomplete {@link
 * HttpServerBuilder#requestTimeout} after its first byte (head included) answered 408, without
 * blocking anyone else; a connection whose client does not read an answer within {@link
 * HttpServerBuilder#writeTimeout} closed (one answer in flight per connection, so such a client
 * holds one answer's bytes at most); a handler exception answered 500 without details; a rejected
 * executor answered 429 (503 when shutting down); malformed requests answered 400/414/431 and
 * closed; at most {@link HttpServerBuilder#maxConnections} connections served at once and {@link
 * HttpServerBuilder#maxConnectionsPerPeer} from one client address, a connection beyond them
 * answered 503 (with CORS headers when its request head shows an allowed Origin) and closed as soon
 * as that is written; optional CORS; optional TLS ({@link HttpServerBuilder#tls}). Its own error
 * answers are {@code application/problem+json} with a {@code code} member naming the {@code
 * ErrorCode}. Thread-safe.
 *
 * <p>Besides whole answers, a handler may answer with a Server-Sent Events stream ({@link
 * HttpResponse#events}: written as it goes, in flight until ended, the connection closed after it)
 * or upgrade the connection to a WebSocket ({@link HttpResponse#webSocket}: closed with 1001 once a
 * graceful close has drained the requests in flight).
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a passed-on write reports to
// the
// caller's promise. The writes whose failure matters carry listeners.
@SuppressWarnings("FutureReturnValueIgnored")
public final class HttpServer implements RunningTransport {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpServer.class);

  /**
   * How long a refused connection may take to send its request head (for its Origin) before it is
   * answered without one. Counted from the accept, however the head trickles in.
   */
  private static final long REFUSAL_HEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /**
   * How many refused connections may wait for their request head at once; beyond them one is
   * answered at once, so a flood of silent connections holds at most this many sockets for at most
   * {@link #REFUSAL_HEAD_NANOS}.
   */
  private static final int MAX_REFUSALS_WAITING = 256;

  final HttpHandler handler;
  final java.util.concurrent.Executor executor;
  final int maxBodyBytes;
  final Cors cors;
  final String name;
  final long requestNanos;
  final List<String> responseHeaders;
  private final String host;
  private final int port;
  final long idleNanos;
  private final int workerThreads;
  private final int maxConnections;
  private final int maxConnectionsPerPeer;
  final long writeNanos;

  /**
   * How long an event stream may stay silent before a heartbeat; see {@link EventWriter#HEARTBEAT}.
   */
  final long heartbeatNanos;

  /**
   * The WebSocket sessions open now, closed with 1001 once a graceful close has drained requests.
   */
  final java.util.Set<WebSocketConnection> webSockets =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The 503 of a connection beyond {@link #maxConnections}, and of one beyond its peer's share. */
  private final Refused tooManyConnections;

  private final Refused tooManyFromPeer;
  private final Tls tls;
  private final long handshakeMillis;
  private SslContext sslContext; // set by start() when serving TLS

  private final long maxBufferedBodyBytes;
  private final AtomicLong bodyBytesLeft;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger refusing = new AtomicInteger();
  private final AtomicLong writesTimedOut = new AtomicLong();
  // Connections served per client address; an address leaves the map with its last connection.
  private final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, Integer> perPeer =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Object drained = new Object();
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private volatile boolean closing;
  private volatile boolean stopped;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Channel serverChannel;
  private InetSocketAddress localAddress;

  HttpServer(HttpServerBuilder b) {
    this.handler = b.handler;
    this.executor = b.executor;
    this.maxBodyBytes = b.maxBodyBytes;
    this.cors = b.corsOrigins.isEmpty() ? null : new Cors(b.corsOrigins);
    this.name = b.name;
    this.requestNanos = b.requestTimeout.toNanos();
    this.responseHeaders = b.responseHeaders;
    this.host = b.host;
    this.port = b.port;
    this.idleNanos = b.idleTimeout.toNanos();
    this.workerThreads = b.workerThreads;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
    this.writeNanos = b.writeTimeout.toNanos();
    this.heartbeatNanos = b.heartbeat.toNanos();
    this.maxBufferedBodyBytes = b.maxBufferedBodyBytes;
    this.bodyBytesLeft = new AtomicLong(b.maxBufferedBodyBytes);
    this.tooManyConnections =
        refused("too many connections (limit " + maxConnections + "); retry later");
    this.tooManyFromPeer =
        refused(
            "too many connections from your address (limit "
                + maxConnectionsPerPeer
                + "); retry later");
    this.tls = b.tls;
    this.handshakeMillis = Math.max(1, Math.min(b.requestTimeout.toMillis(), MAX_HANDSHAKE_MILLIS));
  }

  /** The longest a TLS handshake may take; a shorter request timeout shortens it. */
  private static final long MAX_HANDSHAKE_MILLIS = 10_000;

  /**
   * Returns Netty's server context for {@code tls}.
   *
   * @throws IOException naming the files (never their contents) when they hold no usable chain or
   *     key
   */
  static SslContext serverContext(Tls tls) throws IOException {
    try {
      SslContextBuilder b =
          SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile());
      if (tls.clientCa() != null) {
        b.trustManager(tls.clientCa().toFile())
            .clientAuth(
                switch (tls.clientAuth()) {
                  case NONE -> ClientAuth.NONE;
                  case OPTIONAL -> ClientAuth.OPTIONAL;
                  case REQUIRE -> ClientAuth.REQUIRE;
                });
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IOException(
          "cannot set up TLS from certificateChain "
              + tls.certificateChain()
              + ", privateKey "
              + tls.privateKey()
              + (tls.clientCa() != null ? ", clientCa " + tls.clientCa() : "")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Puts the TLS handler first in {@code ch}'s pipeline, when serving TLS. */
  private void addTls(SocketChannel ch) {
    if (sslContext != null) {
      SslHandler ssl = sslContext.newHandler(ch.alloc());
      ssl.setHandshakeTimeoutMillis(handshakeMillis);
      ch.pipeline().addFirst(ssl);
    }
  }

  /** Returns whether the server serves TLS. */
  public boolean isTls() {
    return tls != null;
  }

  /** Returns a builder; {@code handler} and {@code executor} are required. */
  public static HttpServerBuilder builder() {
    return new HttpServerBuilder();
  }

  /**
   * Binds and starts serving; returns once bound.
   *
   * @throws IOException if it cannot bind (for example the port is taken)
   * @throws IllegalStateException if already started
   */
  public synchronized HttpServer start() throws IOException {
    if (boss != null) {
      throw new IllegalStateException(name + " already started");
    }
    if (tls != null) {
      sslContext = serverContext(tls);
    }
    boss = new NioEventLoopGroup(1, new DefaultThreadFactory(name + "-boss"));
    workers = new NioEventLoopGroup(workerThreads, new DefaultThreadFactory(name + "-worker"));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            // With TLS, plain channels: every byte must go through the SslHandler, so no call
            // thread may
            // write a socket itself (HttpConnection writes directly only to a
            // DirectChannels.Client).
            .channelFactory(tls != null ? NioServerSocketChannel::new : DirectChannels.Server::new)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // When a connection stops being writable (EventWriter/WebSocketSession.isWritable):
            // past
            // 64 KiB queued for a client that reads slower than it is written to, a stream stops
            // taking
            // values and the server's bounded per-stream buffer (a count of values) holds them
            // instead;
            // writable again at 16 KiB, so it resumes while the socket still has bytes to send,
            // without
            // flipping at every event.
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new io.netty.channel.WriteBufferWaterMark(16 * 1024, 64 * 1024))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (closing) {
                      ch.close();
                      return;
                    }
                    // Counted before anything else so the limit holds however many workers accept
                    // at
                    // once; the close future fires once for every end (close, reset, shutdown), so
                    // the
                    // count cannot leak.
                    if (open.incrementAndGet() > maxConnections) {
                      open.decrementAndGet();
                      refuse(ch, tooManyConnections);
                      return;
                    }
                    java.net.InetAddress peer = peer(ch);
                    if (!takePeer(peer)) {
                      open.decrementAndGet();
                      refuse(ch, tooManyFromPeer);
                      return;
                    }
                    ch.closeFuture()
                        .addListener(
                            f -> {
                              releasePeer(peer);
                              open.decrementAndGet();
                            });
                    channels.add(ch);
                    HttpConnection connection = new HttpConnection(HttpServer.this);
                    addTls(ch);
                    ChannelPipeline p = ch.pipeline();
                    p.addLast(new IdleStateHandler(idleNanos, 0, 0, TimeUnit.NANOSECONDS));
                    // Decoder and encoder apart, not HttpServerCodec: answers written by call
                    // threads
                    // bypass the encoder, which would then pair later answers with the wrong
                    // requests.
                    p.addLast(new RequestDecoder());
                    p.addLast(new HttpResponseEncoder());
                    p.addLast(connection.limits);
                    p.addLast(connection.limits.aggregator(maxBodyBytes));
                    p.addLast(connection);
                  }
                });
    try {
      serverChannel = bootstrap.bind(host, port).sync().channel();
    } catch (Exception e) {
      shutdownNow();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
    }
    localAddress = (InetSocketAddress) serverChannel.localAddress();
    return this;
  }

  /**
   * Returns the bound address, with the real port when port 0 was asked.
   *
   * @throws IllegalStateException if not started
   */
  @Override
  public InetSocketAddress localAddress() {
    InetSocketAddress a = localAddress;
    if (a == null) {
      throw new IllegalStateException(name + " not started");
    }
    return a;
  }

  /** Counted for {@code ipc.server.connections}: the connections being served now. */
  @Override
  public int openConnections() {
    return connections();
  }

  /** Returns the number of client connections being served (refused ones not counted). */
  int connections() {
    return open.get();
  }

  /**
   * Returns the number of refused connections the server still holds (answering them, or about to).
   */
  int refusals() {
    return refusing.get();
  }

  /**
   * Answers a connection beyond {@link HttpServerBuilder#maxConnections} with 503, then closes it
   * as soon as that is written, without waiting for a body or for the client to close: a flood of
   * refused connections must not hold sockets. Its request head is read first (within the decoder's
   * size limits and {@link #REFUSAL_HEAD_NANOS}), for two reasons: its Origin decides the CORS
   * headers, without which a browser cannot read the 503; and a request with no body is then read
   * whole when the socket closes, so the close is a plain FIN. Closing with bytes unread, or with
   * more still arriving, makes the kernel send a reset instead, which some client stacks let
   * destroy an answer not yet read (Linux keeps it). Event-loop confined.
   */
  private final class Refusal extends ChannelInboundHandlerAdapter {
    private final Refused refused;
    private final AtomicBoolean held = new AtomicBoolean(true);
    private ScheduledFuture<?> deadline;
    private boolean answered;

    Refusal(Refused refused) {
      this.refused = refused;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
      c.channel().closeFuture().addListener(f -> release());
      if (refusing.get() > MAX_REFUSALS_WAITING) {
        answer(c, null);
      } else {
        deadline =
            c.executor().schedule(() -> answer(c, null), REFUSAL_HEAD_NANOS, TimeUnit.NANOSECONDS);
      }
      c.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
      try {
        if (msg instanceof io.netty.handler.codec.http.HttpRequest r) {
          // A head the decoder refused (too long, malformed) names no trustworthy Origin.
          answer(c, r.decoderResult().isSuccess() ? r.headers().get(HttpHeaderNames.ORIGIN) : null);
        }
      } finally {
        ReferenceCountUtil.release(
            msg); // bodies and anything after the head: discarded as they come
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
      c.close();
    }

    private void answer(ChannelHandlerContext c, String origin) {
      if (answered) {
        return;
      }
      answered = true;
      if (deadline != null) {
        deadline.cancel(false);
      }
      Channel ch = c.channel();
      ch.writeAndFlush(Unpooled.wrappedBuffer(refusal(refused, origin)))
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    release(); // before the close, so whoever sees the close sees the count drop
                    ch.close();
                  });
    }

    private void release() {
      if (held.compareAndSet(true, false)) {
        refusing.decrementAndGet();
        if (deadline != null) {
          deadline.cancel(false);
        }
      }
    }
  }

  /** A refusal's problem body, and the whole 503 without CORS headers. */
  private record Refused(byte[] body, byte[] encoded) {}

  private Refused refused(String detail) {
    byte[] body = HttpResponse.problem(503, ErrorCode.UNAVAILABLE, detail).body();
    return new Refused(body, ResponseEncoding.encode(false, 503, refusalHeaders(body), body));
  }

  /** Answers {@code ch} with {@code refused} (after reading its request head) and closes it. */
  private void refuse(SocketChannel ch, Refused refused) {
    refusing.incrementAndGet();
    addTls(ch); // the 503 is encrypted too
    ChannelPipeline p = ch.pipeline();
    // Same limits as a served connection's: the head is read, bounded, only for its Origin.
    p.addLast(new HttpRequestDecoder(4096, 8192, 8192));
    p.addLast(new Refusal(refused));
  }

  private static java.net.InetAddress peer(SocketChannel ch) {
    InetSocketAddress a = ch.remoteAddress();
    return a == null ? null : a.getAddress();
  }

  /**
   * Counts a connection of {@code peer}; returns false, counting nothing, if it has its share
   * already.
   */
  private boolean takePeer(java.net.InetAddress peer) {
    if (peer == null) {
      return true; // gone before it could be set up: its close follows
    }
    boolean[] taken = {false};
    perPeer.compute(
        peer,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= maxConnectionsPerPeer) {
            return n;
          }
          taken[0] = true;
          return now + 1;
        });
    return taken[0];
  }

  private void releasePeer(java.net.InetAddress peer) {
    if (peer != null) {
      perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * Returns the 503 for a connection refused as {@code refused} whose request came from {@code
   * origin} (null if unknown).
   */
  private byte[] refusal(Refused refused, String origin) {
    if (cors == null || origin == null) {
      return refused.encoded();
    }
    List<String> headers = refusalHeaders(refused.body());
    if (!cors.addTo(headers, origin)) {
      return refused.encoded();
    }
    byte[] encoded = ResponseEncoding.encode(false, 503, headers, refused.body());
    // A configured origin always encodes; this only guards against one that cannot be a header
    // value.
    return encoded != null ? encoded : refused.encoded();
  }

  /** Returns the headers of the 503 a refused connection gets, CORS aside. */
  private List<String> refusalHeaders(byte[] refusalBody) {
    List<String> h =
        new ArrayList<>(
            List.of(
                "content-type",
                HttpResponse.PROBLEM_JSON,
                "content-length",
                Integer.toString(refusalBody.length),
                "retry-after",
                "1",
                "connection",
                "close"));
    h.addAll(responseHeaders);
    return h;
  }

  /**
   * Waits up to {@code timeout} for the connections open now to close; returns whether none is
   * open.
   */
  boolean awaitConnectionsClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Channel ch : channels.toArray(new Channel[0])) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    // Not channels.isEmpty(): the group forgets a channel in a listener that may run after this
    // wakes.
    return channels.stream().noneMatch(Channel::isOpen);
  }

  /** Returns the number of connections served now for {@code peer}. */
  int connectionsOf(java.net.InetAddress peer) {
    return perPeer.getOrDefault(peer, 0);
  }

  /**
   * Returns how many connections were closed because their client did not read an answer in time.
   */
  long writesTimedOut() {
    return writesTimedOut.get();
  }

  void writeTimedOut() {
    writesTimedOut.incrementAndGet();
  }

  /**
   * Returns the bytes of answers written and not yet taken by the clients' sockets, over all
   * connections: what clients that do not read hold in this server's memory.
   */
  long pendingWriteBytes() {
    long n = 0;
    for (Channel ch : channels) {
      io.netty.channel.ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
      if (out != null) {
        n += out.totalPendingWriteBytes();
      }
    }
    return n;
  }

  /** Returns the number of requests received and not yet answered. */
  int inFlight() {
    return inFlight.get();
  }

  /** Returns whether {@link #beginShutdown()} was called. */
  boolean isClosing() {
    return closing;
  }

  /**
   * Stops accepting connections; requests in flight go on, and requests pipelined behind them or
   * arriving on open connections get 503, in order, the last answer on each connection with {@code
   * Connection: close}. Returns at once.
   */
  @Override
  public void beginShutdown() {
    closing = true;
    Channel c = serverChannel;
    if (c != null) {
      c.close();
    }
  }

  /**
   * Waits up to {@code timeout} for requests in flight to be answered, then closes every
   * connection; returns whether all were answered.
   */
  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean done;
    synchronized (drained) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(drained, left);
      }
      done = inFlight.get() == 0;
    }
    if (done) {
      // WebSockets outlive requests: told the server is going away (after whatever their handlers
      // sent,
      // the ends of their streams included), and given until the deadline to take it.
      List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
      for (WebSocketConnection ws : webSockets) {
        closing.add(ws.goingAway());
      }
      for (io.netty.util.concurrent.Future<?> f : closing) {
        f.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      }
      channels
          .close()
          .await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    return done;
  }

  /** Closes every connection and releases the port and threads now. Idempotent. */
  @Override
  public void shutdownNow() {
    closing = true;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    for (EventLoopGroup g : new EventLoopGroup[] {boss, workers}) {
      if (g != null) {
        g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
    synchronized (drained) {
      drained.notifyAll();
    }
  }

  /** Takes {@code n} bytes of the body budget; returns false, taking nothing, if fewer are left. */
  boolean takeBodyBytes(long n) {
    while (true) {
      long left = bodyBytesLeft.get();
      if (n > left) {
        return false;
      }
      if (bodyBytesLeft.compareAndSet(left, left - n)) {
        return true;
      }
    }
  }

  /** Gives back body bytes taken by {@link #takeBodyBytes}. */
  void giveBodyBytes(long n) {
    if (n != 0) {
      bodyBytesLeft.addAndGet(n);
    }
  }

  /** Returns how many body bytes may still be taken. */
  long bodyBytesLeft() {
    return bodyBytesLeft.get();
  }

  /** For tests: the request-body bytes held now. */
  long bodyBytesHeld() {
    return maxBufferedBodyBytes - bodyBytesLeft.get();
  }

  void requestStarted() {
    inFlight.incrementAndGet();
  }

  void requestFinished() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /**
   * Closes the connection if {@code write} is still not done after the write timeout: its client
   * does not read, and what was written for it must not hold memory and a connection forever. A
   * write the socket took at once is done already and costs no timer.
   */
  void watchWrite(io.netty.channel.ChannelFuture write) {
    if (write.isDone()) {
      return;
    }
    ScheduledFuture<?> timer;
    try {
      timer =
          write
              .channel()
              .eventLoop()
              .schedule(
                  () -> {
                    if (!write.isDone()) {
                      debug(
                          name
                              + ": closing a connection whose client did not read its answer in time",
                          null);
                      writeTimedOut();
                      write.channel().close();
                    }
                  },
                  writeNanos,
                  TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // the loop is gone, and the connection with it
    }
    write.addListener(f -> timer.cancel(false));
  }

  static void warn(String message, Throwable t) {
    LOG.warn(message, t);
  }

  static void debug(String message, Throwable t) {
    LOG.debug(message, t);
  }

  @Override
  public String toString() {
    return name + (localAddress != null ? "@" + localAddress : "(not started)");
  }
}
