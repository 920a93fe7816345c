package dev.ipc.http.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small HTTP/1.1 client on Netty with a bounded pool of keep-alive connections to one server: the
 * plumbing the REST and GraphQL clients share (internal; hosts never use it directly). Closing it
 * closes every connection and stops its (daemon) event-loop thread, which the JDK 17 {@code
 * HttpClient} cannot do.
 *
 * <pre>{@code
 * HttpClientPool pool = HttpClientPool.open("my-client", "localhost", 5000, 64, Duration.ofSeconds(10), 16 << 20);
 * HttpClientPool.Response r =
 *     pool.exchange("POST", "/graphql", Map.of("content-type", "application/json"), body, Duration.ofSeconds(5));
 * pool.close();
 * }</pre>
 *
 * <p>A call takes an idle connection, or opens one while fewer than {@code maxConnections} are
 * open, or waits for one to be released. One exchange runs on a connection at a time (no
 * pipelining); the answer is aggregated up to {@code maxResponseBytes}. The call's timeout covers
 * all of it: waiting, connecting, sending and the whole body; when it passes, the connection the
 * call was using is closed. Failures are {@link IOException}s: {@link java.net.ConnectException}
 * when the server cannot be reached (refused, connect timeout), {@link SocketTimeoutException} when
 * the call's timeout passed, and a plain {@link IOException} for a reset or early-closed
 * connection, a malformed or too large response, or a closed pool ({@link
 * java.io.InterruptedIOException} when the calling thread is interrupted). An idempotent request
 * that finds its kept-alive connection closed by the server before any answer is sent once more on
 * another connection, as the JDK client does. Connections idle for 30 s are closed, before a server
 * with {@link HttpServerBuilder#idleTimeout}'s default would. Thread-safe.
 */
// Netty's close() futures are left alone on purpose: the channel ends closed whether or not they
// fail.
// The CompletableFutures left alone here report nothing of their own: dispatch's acquisition
// settles
// the call's result on failure, and the whenComplete stages only close channels or fail the call.
@SuppressWarnings("FutureReturnValueIgnored")
public final class HttpClientPool implements AutoCloseable {
  /** How long a connection may stay idle in the pool before it is closed. */
  static final Duration IDLE_CLOSE = Duration.ofSeconds(30);

  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

  private final String name;
  private final String hostHeader;
  private final int maxConnections;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final boolean tls;
  private final SslContext ssl;
  private final String host;
  private final int port;
  private final Set<Channel> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Object lock = new Object();
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<CompletableFuture<Channel>> waiters = new ArrayDeque<>();
  private final Set<Channel> all = new HashSet<>();
  private int open; // connected or connecting, idle or busy: never above maxConnections
  private boolean closed;

  private HttpClientPool(
      String name,
      String host,
      int port,
      int maxConnections,
      Duration connectTimeout,
      int maxResponseBytes,
      ClientTls clientTls) {
    this.name = name;
    this.tls = clientTls != null;
    // Built once: every connection shares its trust material and session cache.
    SslContext ssl = clientTls == null ? null : clientTls.sslContext();
    this.ssl = ssl;
    this.host = host;
    this.port = port;
    this.hostHeader = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.maxConnections = maxConnections;
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory(name, true));
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .remoteAddress(host, port)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ClientConnection connection = new ClientConnection(HttpClientPool.this);
                    if (ssl != null) {
                      // First, next to the socket: everything written goes out encrypted. The host
                      // gives SNI and the name checked against the server's certificate.
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline()
                        .addLast(connection.answerStarted())
                        .addLast(
                            new IdleStateHandler(0, 0, IDLE_CLOSE.toNanos(), TimeUnit.NANOSECONDS))
                        .addLast(new HttpClientCodec(4096, 16384, 16384))
                        .addLast(
                            new HttpObjectAggregator(maxResponseBytes) {
                              @Override
                              protected void handleOversizedMessage(
                                  ChannelHandlerContext ctx, HttpMessage oversized)
                                  throws Exception {
                                // Says why before the aggregator closes the connection.
                                ClientConnection.of(ctx.channel())
                                    .fail(
                                        new IOException(
                                            "response larger than " + maxResponseBytes + " bytes"));
                                super.handleOversizedMessage(ctx, oversized);
                              }
                            })
                        .addLast(connection);
                  }
                });
  }

  /**
   * Returns a pool of at most {@code maxConnections} connections to {@code host}:{@code port}; its
   * event-loop thread is named after {@code name}.
   */
  public static HttpClientPool open(
      String name,
      String host,
      int port,
      int maxConnections,
      Duration connectTimeout,
      int maxResponseBytes) {
    return open(name, host, port, maxConnections, connectTimeout, maxResponseBytes, null);
  }

  /**
   * Like {@link #open(String, String, int, int, Duration, int)}, over TLS when {@code tls} is not
   * null: every connection does a TLS handshake first, checks the server's certificate and name,
   * and presents the client certificate if one is set. A failed handshake fails the call with an
   * {@link IOException} (an {@link javax.net.ssl.SSLException}).
   *
   * @param tls the TLS settings, or null for plain text
   * @throws IllegalArgumentException if a TLS file holds no usable certificate or key
   */
  public static HttpClientPool open(
      String name,
      String host,
      int port,
      int maxConnections,
      Duration connectTimeout,
      int maxResponseBytes,
      ClientTls tls) {
    requireNonNull(name, "name");
    requireNonNull(host, "host");
    requireNonNull(connectTimeout, "connectTimeout");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
    }
    if (maxResponseBytes < 0) {
      throw new IllegalArgumentException(
          "maxResponseBytes: " + maxResponseBytes + " (expected: >= 0)");
    }
    return new HttpClientPool(
        name, host, port, maxConnections, connectTimeout, maxResponseBytes, tls);
  }

  /**
   * Sends one request and returns the whole response, within {@code timeout}.
   *
   * @param target the request target, path and query ({@code /tasks/1?x=y}), already
   *     percent-encoded
   * @param headers extra request headers; {@code Host} and {@code Content-Length} are set here
   * @param body the request body, or {@code null} for none
   * @throws IOException as described on the class; the connection involved is closed
   * @throws IllegalArgumentException if a header name is not an HTTP token or a value holds a
   *     control character (the message names the header, never its value)
   */
  public Response exchange(
      String method, String target, Map<String, String> headers, byte[] body, Duration timeout)
      throws IOException {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    requireNonNull(headers, "headers");
    requireNonNull(timeout, "timeout");
    // Checked here, on the caller's thread: Netty would refuse them on the event loop, where the
    // call
    // would only end at its timeout.
    headers.forEach(HttpClientPool::checkHeader);
    Call call = new Call(method, target, headers, body);
    CompletableFuture<Channel> acquired = dispatch(call);
    try {
      return call.result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Fails the call unless its answer was just settled; a connection carrying it then closes
      // (see
      // ClientConnection.send), as it is mid-exchange.
      call.fail(
          new SocketTimeoutException(
              "no complete response from " + hostHeader + " within " + timeout));
      acquired.cancel(false);
      return await(call);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.fail(new InterruptedIOException("interrupted while calling " + hostHeader));
      acquired.cancel(false);
      return await(call);
    } catch (ExecutionException e) {
      throw (IOException) e.getCause();
    }
  }

  private static void checkHeader(String name, String value) {
    requireNonNull(name, "header name");
    requireNonNull(value, "header " + name);
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header name: empty (expected: an HTTP token)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        throw new IllegalArgumentException("header name: " + name + " (expected: an HTTP token)");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        throw new IllegalArgumentException(
            "header " + name + ": its value holds a control character (expected: none)");
      }
    }
  }

  /**
   * How long a streamed response may bring nothing, not even a heartbeat, before it fails: four of
   * the server's {@link EventWriter#HEARTBEAT}s, so a vanished server or network is noticed.
   */
  static final Duration STREAM_IDLE = EventWriter.HEARTBEAT.multipliedBy(4);

  /**
   * Receives one streamed response ({@link #stream}), on the pool's event loop, one call at a time:
   * the head, then its body as it arrives, then exactly one of {@link #onEnd} and {@link #onError}.
   * Nothing after the stream is cancelled. Callbacks must not block: they hold up the pool's other
   * connections.
   */
  public interface StreamListener {
    /** The status and headers arrived ({@link Response#body()} is empty). */
    void onHead(Response head);

    /** Some bytes of the body arrived. */
    void onData(byte[] bytes);

    /** The body ended cleanly. */
    void onEnd();

    /**
     * The exchange failed: {@link java.net.ConnectException} when the server cannot be reached,
     * {@link SocketTimeoutException} when no head came within the timeout or the body stayed silent
     * for {@link #STREAM_IDLE}, another {@link IOException} for a reset, an early close or a closed
     * pool.
     */
    void onError(IOException e);
  }

  /**
   * Sends one request on a connection of its own (not one of the pool's {@code maxConnections},
   * never reused) and hands the response to {@code listener} as it arrives, for long-lived answers
   * such as Server-Sent Events. The head must come within {@code headTimeout}; the body may last as
   * long as it keeps bringing bytes. Returns what cancels it: the connection closes (the server
   * sees its client leave) and the listener hears nothing more. Closing the pool fails open
   * streams.
   *
   * @throws IllegalArgumentException as {@link #exchange} for a bad header
   */
  public Runnable stream(
      String method,
      String target,
      Map<String, String> headers,
      Duration headTimeout,
      StreamListener listener) {
    requireNonNull(method, "method");
    requireNonNull(target, "target");
    requireNonNull(headers, "headers");
    requireNonNull(headTimeout, "headTimeout");
    requireNonNull(listener, "listener");
    headers.forEach(HttpClientPool::checkHeader);
    StreamCall call = new StreamCall(listener);
    synchronized (lock) {
      if (closed) {
        call.fail(new IOException(name + " is closed"));
        return () -> {};
      }
    }
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target, Unpooled.EMPTY_BUFFER);
    request.headers().set(HttpHeaderNames.HOST, hostHeader);
    headers.forEach(request.headers()::set);
    Bootstrap b =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(STREAM_IDLE.toNanos(), 0, 0, TimeUnit.NANOSECONDS))
                        .addLast(new HttpClientCodec(4096, 16384, 16384))
                        .addLast(call);
                  }
                });
    ChannelFuture connecting;
    try {
      connecting = b.connect();
    } catch (RuntimeException e) {
      call.fail(new IOException(name + " is closed", e));
      return () -> {};
    }
    Channel ch = connecting.channel();
    streams.add(ch);
    ch.closeFuture().addListener(f -> streams.remove(ch));
    synchronized (lock) {
      if (closed) {
        ch.close();
      }
    }
    io.netty.util.concurrent.ScheduledFuture<?> headTimer =
        ch.eventLoop()
            .schedule(
                () -> {
                  if (call.fail(
                      new SocketTimeoutException(
                          "no response from " + hostHeader + " within " + headTimeout))) {
                    ch.close();
                  }
                },
                headTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
    call.headTimer = headTimer;
    connecting.addListener(
        (ChannelFuture done) -> {
          if (!done.isSuccess()) {
            Throwable cause = done.cause();
            call.fail(
                cause instanceof IOException io
                    ? io
                    : new IOException(String.valueOf(cause), cause));
            return;
          }
          done.channel()
              .writeAndFlush(request)
              .addListener(
                  f -> {
                    if (!f.isSuccess()) {
                      call.fail(
                          new IOException("cannot send the request: " + f.cause(), f.cause()));
                      done.channel().close();
                    }
                  });
        });
    return () -> {
      call.cancel();
      ch.close();
    };
  }

  /** One streamed exchange on its own connection; its state belongs to the event loop. */
  private final class StreamCall extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final StreamListener listener;
    private final java.util.concurrent.atomic.AtomicBoolean over =
        new java.util.concurrent.atomic.AtomicBoolean();
    volatile io.netty.util.concurrent.ScheduledFuture<?> headTimer;

    StreamCall(StreamListener listener) {
      this.listener = listener;
    }

    void cancel() {
      over.set(true);
    }

    /** Reports {@code e} unless the stream is over already; returns whether it did. */
    boolean fail(IOException e) {
      if (!over.compareAndSet(false, true)) {
        return false;
      }
      cancelTimer();
      listener.onError(e);
      return true;
    }

    private void cancelTimer() {
      io.netty.util.concurrent.ScheduledFuture<?> t = headTimer;
      if (t != null) {
        t.cancel(false);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (over.get()) {
          return;
        }
        if (msg instanceof io.netty.handler.codec.http.HttpResponse r) {
          cancelTimer();
          if (!r.decoderResult().isSuccess()) {
            fail(new IOException("malformed response: " + r.decoderResult().cause().getMessage()));
            ctx.close();
            return;
          }
          listener.onHead(new Response(r.status().code(), r.headers().copy(), new byte[0]));
        }
        if (msg instanceof io.netty.handler.codec.http.HttpContent c && !over.get()) {
          if (c.content().isReadable()) {
            listener.onData(io.netty.buffer.ByteBufUtil.getBytes(c.content()));
          }
          if (msg instanceof io.netty.handler.codec.http.LastHttpContent
              && over.compareAndSet(false, true)) {
            listener.onEnd();
            ctx.close();
          }
        }
      } finally {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
        fail(
            new SocketTimeoutException(
                "the stream from " + hostHeader + " stayed silent for " + STREAM_IDLE));
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(new IOException("connection closed before the response ended"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(
          HttpConnection.notTls(cause)
              ? new javax.net.ssl.SSLException(
                  "the server did not answer in TLS (a plain-text port?)")
              : cause instanceof IOException io
                  ? io
                  : new IOException(String.valueOf(cause.getMessage()), cause));
      ctx.close();
    }
  }

  /** Returns whether the connections speak TLS. */
  public boolean isTls() {
    return tls;
  }

  /** Sends {@code call} on a connection once one is acquired; returns the acquisition. */
  CompletableFuture<Channel> dispatch(Call call) {
    CompletableFuture<Channel> acquired = acquire();
    acquired.whenComplete(
        (ch, failure) -> {
          if (failure != null) {
            call.fail(
                failure instanceof IOException io
                    ? io
                    : new IOException(failure.toString(), failure));
          } else {
            try {
              ch.eventLoop().execute(() -> ClientConnection.of(ch).send(ch, call));
            } catch (RejectedExecutionException e) { // closed meanwhile: the loop is stopping
              call.fail(new IOException(name + " is closed", e));
            }
          }
        });
    return acquired;
  }

  /** Returns the result of a call already settled: a failure or an answer that won the race. */
  private static Response await(Call call) throws IOException {
    try {
      return call.result.join();
    } catch (CompletionException e) {
      throw (IOException) e.getCause();
    }
  }

  /** Returns the number of connections open or being opened. */
  int openConnections() {
    synchronized (lock) {
      return open;
    }
  }

  private CompletableFuture<Channel> acquire() {
    CompletableFuture<Channel> f = new CompletableFuture<>();
    synchronized (lock) {
      if (closed) {
        f.completeExceptionally(new IOException(name + " is closed"));
        return f;
      }
      Channel ch;
      // Most recently used first: the least likely to have been closed by the server meanwhile.
      while ((ch = idle.pollLast()) != null) {
        if (ch.isActive()) {
          f.complete(ch);
          return f;
        }
      }
      if (open >= maxConnections) {
        waiters.add(f);
        return f;
      }
      open++;
    }
    connect(f);
    return f;
  }

  private void connect(CompletableFuture<Channel> f) {
    ChannelFuture connecting;
    try {
      connecting = bootstrap.connect();
    } catch (RuntimeException e) { // the event loop is shutting down
      slotFreed();
      f.completeExceptionally(new IOException(name + " is closed", e));
      return;
    }
    connecting.addListener(
        (ChannelFuture done) -> {
          if (!done.isSuccess()) {
            slotFreed();
            Throwable cause = done.cause();
            f.completeExceptionally(
                cause instanceof IOException ? cause : new IOException(cause.toString(), cause));
            return;
          }
          Channel ch = done.channel();
          boolean keep;
          synchronized (lock) {
            keep = !closed;
            if (keep) {
              all.add(ch);
            }
          }
          ch.closeFuture().addListener(x -> closed(ch));
          if (!keep) {
            ch.close();
            f.completeExceptionally(new IOException(name + " is closed"));
          } else if (!f.complete(ch)) {
            release(ch); // its call gave up meanwhile: the fresh connection serves the next one
          }
        });
  }

  /**
   * Returns a connection whose exchange ended cleanly: to a waiting call, else to the idle ones.
   */
  void release(Channel ch) {
    while (true) {
      CompletableFuture<Channel> waiter;
      synchronized (lock) {
        if (closed || !ch.isActive()) {
          break;
        }
        waiter = waiters.poll();
        if (waiter == null) {
          idle.addLast(ch);
          return;
        }
      }
      if (waiter.complete(ch)) {
        return;
      }
    }
    ch.close();
  }

  private void closed(Channel ch) {
    synchronized (lock) {
      all.remove(ch);
      idle.remove(ch);
    }
    slotFreed();
  }

  /**
   * Frees one of the {@code maxConnections} slots, opening a connection for a waiting call if any.
   */
  private void slotFreed() {
    CompletableFuture<Channel> waiter = null;
    synchronized (lock) {
      open--;
      while (!closed && !waiters.isEmpty()) {
        waiter = waiters.poll();
        if (!waiter.isDone()) {
          open++;
          break;
        }
        waiter = null;
      }
    }
    if (waiter != null) {
      connect(waiter);
    }
  }

  /** Fails waiting calls, closes every connection and stops the event-loop thread. Idempotent. */
  @Override
  public void close() {
    List<Channel> channels;
    List<CompletableFuture<Channel>> waiting;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      channels = new ArrayList<>(all);
      waiting = new ArrayList<>(waiters);
      waiters.clear();
      idle.clear();
    }
    IOException closing = new IOException(name + " is closed");
    waiting.forEach(w -> w.completeExceptionally(closing));
    channels.forEach(Channel::close);
    channels.addAll(streams);
    streams.forEach(Channel::close);
    boolean onLoop = group.next().inEventLoop();
    if (!onLoop) {
      for (Channel ch : channels) {
        ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    }
    io.netty.util.concurrent.Future<?> stopped = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (!onLoop) {
      stopped.awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + "->" + (tls ? "https://" : "http://") + hostHeader;
  }

  /** One exchange: the request, and its result settled exactly once. */
  final class Call {
    private final String method;
    private final String target;
    private final Map<String, String> headers;
    private final byte[] body;
    final CompletableFuture<Response> result = new CompletableFuture<>();
    private boolean settled;
    private boolean retried;

    Call(String method, String target, Map<String, String> headers, byte[] body) {
      this.method = method;
      this.target = target;
      this.headers = headers;
      this.body = body;
    }

    /** Returns a new request message: Netty releases each one it writes. */
    FullHttpRequest request() {
      FullHttpRequest request =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              HttpMethod.valueOf(method),
              target,
              body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
      request.headers().set(HttpHeaderNames.HOST, hostHeader);
      headers.forEach(request.headers()::set);
      if (body != null) {
        HttpUtil.setContentLength(request, body.length);
      }
      return request;
    }

    /**
     * Sends the call again on another connection when the reused one it went out on turned out
     * closed by the server before any answer, if it is idempotent and was not retried yet (as the
     * JDK client does); returns whether it did.
     */
    boolean retryOnStaleConnection() {
      synchronized (this) {
        if (settled || retried || !IDEMPOTENT.contains(method)) {
          return false;
        }
        retried = true;
      }
      dispatch(this);
      return true;
    }

    /**
     * Claims the right to settle the result; false when it already was (answered, failed, timed
     * out).
     */
    synchronized boolean settle() {
      if (settled) {
        return false;
      }
      settled = true;
      return true;
    }

    synchronized boolean isSettled() {
      return settled;
    }

    void fail(IOException e) {
      if (settle()) {
        result.completeExceptionally(e);
      }
    }
  }

  /** A complete HTTP response: status, headers and the aggregated body. */
  public static final class Response {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    Response(int status, HttpHeaders headers, byte[] body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    /** Returns the status code. */
    public int status() {
      return status;
    }

    /** Returns the first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
      return headers.get(requireNonNull(name, "name"));
    }

    /** Returns the body, empty when there is none. */
    public byte[] body() {
      return body;
    }

    @Override
    public String toString() {
      return "Response{" + status + ", " + body.length + " bytes}";
    }
  }
}
