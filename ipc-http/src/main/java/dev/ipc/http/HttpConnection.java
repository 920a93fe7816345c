package dev.ipc.http;

import dev.ipc.core.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One client connection. Requests are answered one at a time, in arrival order, so pipelined requests
 * get their responses in order. The handler runs on the server's executor, and that thread writes the
 * answer straight to the socket (see {@link DirectChannels}); answers the server makes itself (errors,
 * timeouts, refusals) are written on the connection's event loop. Over TLS there is no direct write:
 * the channel is a plain one (not a {@link DirectChannels.Client}), so every answer is handed to the
 * event loop and goes through the pipeline's encoder and {@code SslHandler}. The request queue and
 * {@code busy} are guarded by this object, since both threads finish requests; the rest belongs to the
 * event loop.
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a passed-on write reports to the
// caller's promise. The writes whose failure matters carry listeners.
@SuppressWarnings("FutureReturnValueIgnored")
final class HttpConnection extends ChannelInboundHandlerAdapter {
  /** Beyond this many queued pipelined requests, stop reading until the queue drains. */
  private static final int MAX_QUEUED = 8;

  private final HttpServer server;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean busy;
  private boolean continueOwed; // a 100 Continue waits for the answers owed before it; guarded by this
  private boolean partial;
  // The body budget (HttpServer#takeBodyBytes) taken for the request still arriving, and what the
  // progress handler knows of that request; all of these belong to the event loop.
  private long partialBytes;
  private boolean countingBody;
  private boolean overBudget;
  private boolean startHead;
  private boolean startHttp10;
  private String startOrigin;
  private ScheduledFuture<?> requestTimer;
  private RequestDecoder decoder; // the pipeline's; tells whether a request head is arriving
  private volatile boolean closing;
  private SslHandler ssl; // when serving TLS
  private List<X509Certificate> peerCertificates; // read once, after the handshake; the event loop's
  private ChannelHandler progress; // the pipeline's, removed when the connection turns WebSocket
  private volatile SseWriter stream; // the event stream answering the last request, if any

  HttpConnection(HttpServer server) {
    this.server = server;
  }

  /**
   * Returns the client's verified certificate chain, empty without one. Read at the first request:
   * the handshake is over once a request has been decrypted, and TLS 1.3 never renegotiates (Netty's
   * JDK engine refuses a TLS 1.2 renegotiation by default), so it holds for the whole connection.
   */
  private List<X509Certificate> peerCertificates() {
    if (peerCertificates == null) {
      peerCertificates = ssl == null ? List.of() : chain(ssl.engine().getSession());
    }
    return peerCertificates;
  }

  private static List<X509Certificate> chain(SSLSession session) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
      return List.copyOf(chain);
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // the client presented none (ClientAuth NONE or OPTIONAL)
    }
  }

  /**
   * A request to answer: either handed to the handler, or with its answer already decided. {@code
   * bodyBytes} of the body budget are held for it until the handler is done with it or it is dropped.
   */
  private record Pending(
      dev.ipc.http.HttpRequest request,
      HttpResponse immediate,
      boolean head,
      boolean keepAlive,
      boolean http10,
      String origin,
      long bodyBytes) {
    Pending(
        dev.ipc.http.HttpRequest request,
        HttpResponse immediate,
        boolean head,
        boolean keepAlive,
        boolean http10,
        String origin) {
      this(request, immediate, head, keepAlive, http10, origin, 0);
    }

    Pending withBodyBytes(long n) {
      return new Pending(request, immediate, head, keepAlive, http10, origin, n);
    }
  }

  /** What the aggregator passes on instead of a body too large to keep. */
  private record Oversized(boolean head, boolean keepAlive, boolean http10, String origin) {}

  /**
   * Returns the handler that tracks whether a request is half received, times out requests that take
   * too long to arrive, and handles idleness.
   */
  ChannelHandler progress() {
    progress = new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext c, Object msg) {
        if (overBudget) {
          ReferenceCountUtil.release(msg); // answered 503; the connection closes after it
          return;
        }
        if (msg instanceof HttpRequest r) {
          partial = true;
          startHead = HttpMethod.HEAD.equals(r.method());
          startHttp10 = r.protocolVersion().equals(HttpVersion.HTTP_1_0);
          startOrigin = r.headers().get(HttpHeaderNames.ORIGIN);
          // A body announced too large is skipped by the aggregator (413), so it holds no memory.
          long length = announcedLength(r);
          countingBody = length <= server.maxBodyBytes;
          if (countingBody && length > server.bodyBytesLeft() && HttpUtil.is100ContinueExpected(r)) {
            // Refused before the client sends the body: a 100 Continue would invite bytes the budget
            // cannot hold, only to refuse them halfway.
            ReferenceCountUtil.release(msg);
            refuseOverBudget();
            return;
          }
        }
        if (msg instanceof HttpContent content && countingBody) {
          int n = content.content().readableBytes();
          if (n > 0 && !server.takeBodyBytes(n)) {
            ReferenceCountUtil.release(msg);
            refuseOverBudget();
            return;
          }
          partialBytes += n;
        }
        if (msg instanceof LastHttpContent) {
          partial = false;
          cancelRequestTimer();
        }
        c.fireChannelRead(msg);
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext c) {
        // Armed only for a request still incomplete after a read, so whole requests cost no timer; a
        // client dripping a byte now and then never goes idle, but this deadline still ends it. It runs
        // from the read that brought the request's first byte, so a head trickled in is cut too.
        if (requestTimer == null && incomplete()) {
          requestTimer =
              c.executor().schedule(() -> onRequestTimeout(), server.requestNanos, TimeUnit.NANOSECONDS);
        }
        c.fireChannelReadComplete();
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof IdleStateEvent) {
          onIdle(c);
        } else {
          c.fireUserEventTriggered(evt);
        }
      }
    };
    return progress;
  }

  /** Returns the Content-Length of {@code r}; -1 if it has none or a malformed one (answered 400). */
  private static long announcedLength(HttpRequest r) {
    try {
      return HttpUtil.getContentLength(r, -1L);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Answers the request still arriving 503 once the server holds too many body bytes: in order, after
   * the answers owed before it, and then the connection closes, since the rest of its body is not read.
   */
  private void refuseOverBudget() {
    overBudget = true;
    partial = false;
    cancelRequestTimer();
    server.giveBodyBytes(partialBytes);
    partialBytes = 0;
    enqueue(
        new Pending(
            null,
            problem(503, ErrorCode.UNAVAILABLE, "server is busy with other request bodies; retry later")
                .withHeader("retry-after", "1"),
            startHead,
            false,
            startHttp10,
            startOrigin));
  }

  /** Returns the aggregator, answering a too large body with 413 in order instead of Netty's own. */
  ChannelHandler aggregator(int maxBodyBytes) {
    return new HttpObjectAggregator(maxBodyBytes) {
      @Override
      protected Object newContinueResponse(
          HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        boolean expects = HttpUtil.is100ContinueExpected(start);
        if (expects && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
          // No 100 Continue: the aggregator then reports it oversized and we answer 413 ourselves.
          return null;
        }
        if (expects) {
          synchronized (HttpConnection.this) {
            if (busy || !queue.isEmpty()) {
              // Answers to earlier pipelined requests are owed, and a call thread may be writing one
              // straight to the socket: the 100 must not come before them or land inside one. It is
              // sent when the last of them is written (see idle()).
              continueOwed = true;
              start.headers().remove(HttpHeaderNames.EXPECT);
              return null;
            }
          }
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
      }

      @Override
      protected void handleOversizedMessage(ChannelHandlerContext c, HttpMessage oversized) {
        // A message already partly aggregated cannot be resynchronized: answer and close. A client that
        // expected 100 Continue may rightly never send the body it announced, so the next request would
        // be swallowed as that body: close then too. Otherwise the aggregator skips the body that
        // follows and the connection stays usable.
        boolean keepAlive =
            !(oversized instanceof FullHttpMessage)
                && !HttpUtil.is100ContinueExpected(oversized)
                && HttpUtil.isKeepAlive(oversized);
        boolean head =
            oversized instanceof HttpRequest r && HttpMethod.HEAD.equals(r.method());
        c.fireChannelRead(
            new Oversized(
                head,
                keepAlive,
                oversized.protocolVersion().equals(HttpVersion.HTTP_1_0),
                oversized.headers().get(HttpHeaderNames.ORIGIN)));
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.ctx = c;
    this.ssl = c.pipeline().get(SslHandler.class);
    this.decoder = c.pipeline().get(RequestDecoder.class);
  }

  /** Whether a request has started arriving, its head included, and is not whole yet. */
  private boolean incomplete() {
    return partial || (decoder != null && decoder.inProgress());
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    if (closing) {
      if (msg instanceof FullHttpRequest) {
        // Dropped (behind an event stream, say, which may last): its body budget goes back now.
        server.giveBodyBytes(partialBytes);
        partialBytes = 0;
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof Oversized o) {
      // The aggregator drops what it had of this body and skips the rest.
      server.giveBodyBytes(partialBytes);
      partialBytes = 0;
      countingBody = false;
      enqueue(
          new Pending(
              null,
              problem(
                  413,
                  ErrorCode.RESOURCE_EXHAUSTED,
                  "request body larger than " + server.maxBodyBytes + " bytes"),
              o.head(),
              o.keepAlive(),
              o.http10(),
              o.origin()));
      return;
    }
    if (!(msg instanceof FullHttpRequest req)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    long bodyBytes = partialBytes;
    partialBytes = 0;
    Pending p;
    try {
      p = toPending(req);
    } catch (RuntimeException | Error e) {
      server.giveBodyBytes(bodyBytes); // the connection ends through exceptionCaught
      throw e;
    } finally {
      req.release();
    }
    if (p.request() == null) {
      server.giveBodyBytes(bodyBytes); // answered without the body
      enqueue(p);
    } else {
      if (p.request().isWebSocketUpgrade()) {
        // Nothing after an upgrade request is HTTP if it is granted: read on only once it is decided.
        ctx.channel().config().setAutoRead(false);
      }
      enqueue(p.withBodyBytes(bodyBytes));
    }
  }

  private Pending toPending(FullHttpRequest req) {
    HttpHeaders h = req.headers();
    boolean head = HttpMethod.HEAD.equals(req.method());
    boolean http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    String origin = h.get(HttpHeaderNames.ORIGIN);
    DecoderResult result = req.decoderResult();
    if (!result.isSuccess()) {
      return new Pending(null, malformed(result.cause()), head, false, http10, origin);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (server.isClosing()) {
      return new Pending(
          null,
          problem(503, ErrorCode.UNAVAILABLE, "server is shutting down"),
          head,
          false,
          http10,
          origin);
    }
    if (server.cors != null
        && HttpMethod.OPTIONS.equals(req.method())
        && origin != null
        && h.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
      return new Pending(null, preflight(h, origin), false, keepAlive, http10, origin);
    }
    String uri = req.uri();
    String target = originForm(uri);
    if (isPlainPath(target)) {
      // Most requests (GET /tasks, PUT /tasks/1): nothing to decode, so skip the query decoder.
      return new Pending(
          new dev.ipc.http.HttpRequest(
              head ? "GET" : req.method().name(),
              head,
              uri,
              target,
              target,
              "",
              Map.of(),
              h,
              ByteBufUtil.getBytes(req.content()),
              (InetSocketAddress) ctx.channel().remoteAddress(),
              ssl != null,
              peerCertificates()),
          null,
          head,
          keepAlive,
          http10,
          origin);
    }
    int q = target.indexOf('?');
    int hash = target.indexOf('#');
    int pathEnd = q >= 0 ? q : (hash >= 0 ? hash : target.length());
    String rawPath = target.substring(0, pathEnd);
    String rawQuery = q < 0 ? "" : target.substring(q + 1, hash > q ? hash : target.length());
    String path;
    Map<String, List<String>> params;
    try {
      QueryStringDecoder decoder = new QueryStringDecoder(target);
      path = decoder.path();
      params = Collections.unmodifiableMap(decoder.parameters());
    } catch (IllegalArgumentException e) {
      return new Pending(
          null,
          problem(400, ErrorCode.INVALID_ARGUMENT, "malformed request target: " + e.getMessage()),
          head,
          keepAlive,
          http10,
          origin);
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    dev.ipc.http.HttpRequest request =
        new dev.ipc.http.HttpRequest(
            head ? "GET" : req.method().name(),
            head,
            uri,
            rawPath.isEmpty() ? "/" : rawPath,
            path.isEmpty() ? "/" : path,
            rawQuery,
            params,
            h,
            body,
            (InetSocketAddress) ctx.channel().remoteAddress(),
              ssl != null,
              peerCertificates());
    return new Pending(request, null, head, keepAlive, http10, origin);
  }

  /** Returns whether {@code target} is a non-empty path with no query, fragment or escape to decode. */
  private static boolean isPlainPath(String target) {
    int n = target.length();
    if (n == 0 || target.charAt(0) != '/') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = target.charAt(i);
      if (c == '?' || c == '#' || c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Strips {@code http://host} from an absolute-form target, as proxies send it. */
  private static String originForm(String uri) {
    if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
      int slash = uri.indexOf('/', uri.indexOf("//") + 2);
      return slash < 0 ? "/" : uri.substring(slash);
    }
    return uri;
  }

  private static HttpResponse malformed(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return problem(414, ErrorCode.INVALID_ARGUMENT, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return problem(431, ErrorCode.INVALID_ARGUMENT, "request headers too large");
    }
    if (cause instanceof TooLongFrameException) {
      return problem(400, ErrorCode.INVALID_ARGUMENT, "request too large");
    }
    return problem(400, ErrorCode.INVALID_ARGUMENT, "malformed HTTP request");
  }

  private HttpResponse preflight(HttpHeaders h, String origin) {
    String allow = server.cors.allowOrigin(origin);
    if (allow == null) {
      return problem(403, ErrorCode.PERMISSION_DENIED, "origin not allowed: " + origin);
    }
    HttpResponse r =
        HttpResponse.of(204)
            .withHeader("access-control-allow-methods", Cors.ALLOWED_METHODS)
            .withHeader("access-control-max-age", Cors.MAX_AGE);
    String headers = h.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
    if (headers != null) {
      r = r.withHeader("access-control-allow-headers", headers);
    }
    return r;
  }

  static HttpResponse problem(int status, ErrorCode code, String detail) {
    return HttpResponse.problem(status, detail, Map.of("code", code.name()));
  }

  private void enqueue(Pending p) {
    server.requestStarted();
    boolean idle;
    synchronized (this) {
      queue.add(p);
      if (queue.size() > MAX_QUEUED) {
        ctx.channel().config().setAutoRead(false);
      }
      idle = !busy;
    }
    if (idle) {
      next();
    }
  }

  private void next() {
    Pending p;
    synchronized (this) {
      p = queue.poll();
      if (p == null) {
        idle();
        return;
      }
      busy = true;
    }
    if (p.immediate() != null) {
      write(p, p.immediate());
      return;
    }
    if (server.isClosing()) {
      // Received before the close began but queued behind another: not started, so refused (safe to
      // retry anywhere) rather than run, and answered so the client need not guess what happened to it.
      server.giveBodyBytes(p.bodyBytes());
      write(p, problem(503, ErrorCode.UNAVAILABLE, "server is shutting down"));
      return;
    }
    try {
      server.executor.execute(() -> handle(p));
    } catch (RejectedExecutionException e) {
      server.giveBodyBytes(p.bodyBytes());
      boolean down =
          server.isClosing()
              || (server.executor instanceof ExecutorService es && es.isShutdown());
      write(
          p,
          down
              ? problem(503, ErrorCode.UNAVAILABLE, "server is shutting down")
              : problem(429, ErrorCode.RESOURCE_EXHAUSTED, "server is busy; retry later")
                  .withHeader("retry-after", "1"));
    }
  }

  private void handle(Pending p) {
    HttpResponse r;
    try {
      r = server.handler.handle(p.request());
      if (r == null) {
        throw new IllegalStateException("handler returned null for " + p.request());
      }
    } catch (Throwable t) {
      HttpServer.warn(server.name + ": handler failed for " + p.request(), t);
      r = problem(500, ErrorCode.INTERNAL, "internal error");
    } finally {
      server.giveBodyBytes(p.bodyBytes());
    }
    HttpResponse response = r;
    if (response.eventStream() != null) {
      startEvents(p, response);
      return;
    }
    if (response.webSocketHandler() == null && writeHere(p, response)) {
      return;
    }
    try {
      ctx.channel()
          .eventLoop()
          .execute(
              () -> {
                if (response.webSocketHandler() != null) {
                  upgrade(p, response);
                } else {
                  write(p, response);
                }
              });
    } catch (RejectedExecutionException e) {
      // The event loop is gone (shutdownNow): nobody will read the answer.
      server.requestFinished();
    }
  }

  /**
   * Answers {@code p} with the event stream of {@code r}, on the handler's thread: the head goes through
   * the pipeline (never straight to the socket, so TLS and the encoder's chunk framing apply to every
   * byte), then the stream starts. The connection serves nothing else afterwards: requests pipelined
   * behind are dropped and it closes after the stream, so nothing can be mixed into it.
   */
  private void startEvents(Pending p, HttpResponse r) {
    closing = true; // whatever arrives from now on is read (to notice the client leaving) and dropped
    synchronized (this) {
      drainQueue();
    }
    List<String> list = headers(p, r, true);
    if (indexOf(list, "cache-control") < 0) {
      list.add("cache-control");
      list.add("no-store");
    }
    // Tells nginx-style proxies not to hold events back in their buffers.
    list.add("x-accel-buffering");
    list.add("no");
    boolean chunked = !p.http10() && !p.head();
    if (chunked) {
      list.add("transfer-encoding");
      list.add("chunked");
    }
    if (encode(p.http10(), 200, list, EMPTY) == null) {
      HttpServer.warn(server.name + ": invalid response header for " + p.request(), null);
      closing = false;
      ctx.channel().eventLoop().execute(() -> write(p, problem(500, ErrorCode.INTERNAL, "internal error")));
      return;
    }
    HttpVersion version = p.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    SseWriter writer = new SseWriter(server, ctx);
    stream = writer; // before the activity check: a close now or later reaches the writer either way
    if (p.head()) {
      DefaultFullHttpResponse head =
          new DefaultFullHttpResponse(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      addAll(head.headers(), list);
      ctx.writeAndFlush(head).addListener(ChannelFutureListener.CLOSE);
      writer.closed();
    } else {
      io.netty.handler.codec.http.DefaultHttpResponse head =
          new io.netty.handler.codec.http.DefaultHttpResponse(version, HttpResponseStatus.OK);
      addAll(head.headers(), list);
      ctx.writeAndFlush(head)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      f.channel().close();
                    }
                  });
      writer.started();
      if (!ctx.channel().isActive()) {
        writer.closed();
      }
    }
    try {
      r.eventStream().start(writer);
    } catch (Throwable t) {
      HttpServer.warn(server.name + ": event stream failed to start for " + p.request(), t);
      writer.end();
    }
  }

  private static void addAll(HttpHeaders target, List<String> list) {
    for (int i = 0; i < list.size(); i += 2) {
      target.add(headerName(list.get(i)), list.get(i + 1));
    }
  }

  /**
   * Upgrades the connection to a WebSocket for {@code r}, on the event loop: checks the request and its
   * Origin, then puts a {@link WebSocketConnection} in place of this handler and lets Netty's handshaker
   * swap the HTTP codec for the frame codec and write the 101. Requests pipelined behind are dropped.
   */
  private void upgrade(Pending p, HttpResponse r) {
    if (!ctx.channel().isActive()) {
      server.requestFinished();
      dropQueue();
      return;
    }
    dev.ipc.http.HttpRequest req = p.request();
    if (p.http10() || !req.isWebSocketUpgrade() || req.header("sec-websocket-key") == null
        || !hasToken(req.headers("connection"), "upgrade")) {
      write(
          p,
          problem(
              400,
              ErrorCode.INVALID_ARGUMENT,
              "expected a WebSocket opening handshake (GET with Upgrade: websocket, Connection: Upgrade,"
                  + " Sec-WebSocket-Key)"));
      return;
    }
    String origin = req.header("origin");
    if (!originAllowed(origin, req)) {
      write(p, problem(403, ErrorCode.PERMISSION_DENIED, "origin not allowed: " + origin));
      return;
    }
    io.netty.handler.codec.http.FullHttpRequest nettyRequest =
        new io.netty.handler.codec.http.DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            req.uri(),
            Unpooled.EMPTY_BUFFER,
            req.nettyHeaders(),
            io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker handshaker =
        new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory(
                (ssl != null ? "wss://" : "ws://") + req.header("host") + req.uri(),
                r.subprotocol(),
                io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(Math.max(125, server.maxBodyBytes))
                    .allowExtensions(false)
                    // The frame decoder's own close frame would be written below the frame encoder and
                    // never reach the client: WebSocketConnection answers the violation instead.
                    .closeOnProtocolViolation(false)
                    .build())
            .newHandshaker(nettyRequest);
    if (handshaker == null) {
      write(
          p,
          problem(426, ErrorCode.INVALID_ARGUMENT, "unsupported WebSocket version (expected: 13)")
              .withHeader("sec-websocket-version", "13"));
      return;
    }
    closing = true;
    cancelRequestTimer();
    synchronized (this) {
      drainQueue();
    }
    server.giveBodyBytes(partialBytes);
    partialBytes = 0;
    WebSocketConnection ws = new WebSocketConnection(server, r.webSocketHandler(), req);
    ChannelPipeline pipeline = ctx.pipeline();
    io.netty.channel.Channel channel = ctx.channel();
    if (progress != null) {
      pipeline.remove(progress);
    }
    pipeline.replace(this, "ipc-websocket", ws);
    pipeline.addBefore("ipc-websocket", "ipc-websocket-aggregator", ws.aggregator());
    io.netty.channel.ChannelPromise done = channel.newPromise();
    done.addListener(
        f -> {
          server.requestFinished();
          if (f.isSuccess()) {
            ws.opened(handshaker);
          } else {
            HttpServer.debug(server.name + ": WebSocket handshake failed", f.cause());
            channel.close();
          }
        });
    try {
      handshaker.handshake(channel, nettyRequest, null, done);
    } catch (RuntimeException e) {
      done.tryFailure(e);
    }
  }

  private static boolean hasToken(List<String> values, String token) {
    for (String v : values) {
      for (String t : v.split(",", -1)) {
        if (t.trim().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a WebSocket from {@code origin} is accepted, by the rule CORS applies to HTTP: no Origin (not
   * a browser), the server's own origin (a page it served), or one its CORS origins allow. Browsers do not
   * apply CORS to WebSockets, so without this any site could open one with its visitor's credentials.
   */
  private boolean originAllowed(String origin, dev.ipc.http.HttpRequest req) {
    if (origin == null) {
      return true;
    }
    if (server.cors != null && server.cors.allowOrigin(origin) != null) {
      return true;
    }
    String host = req.header("host");
    return host != null && origin.equalsIgnoreCase((ssl != null ? "https://" : "http://") + host);
  }

  /** With no request waiting: not busy, and reading again. Holds this. */
  private void idle() {
    busy = false;
    if (!ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
    if (continueOwed) {
      continueOwed = false;
      // Every owed answer is written, or queued in Netty ahead of this (a partial direct write's
      // rest is written before its listener gets here); from a call thread this goes through the loop.
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  /** Whether the answer to {@code p} closes the connection. */
  private boolean closes(Pending p) {
    // While the server closes, only the last answer owed on this connection says close: the requests
    // queued behind this one are answered (503) first, in order, then the connection closes.
    synchronized (this) {
      return !p.keepAlive() || (server.isClosing() && queue.isEmpty());
    }
  }

  /**
   * Writes the answer on this call thread, straight to the socket (see {@link DirectChannels}); returns
   * false when the event loop must write it instead: always over TLS, whose channels are not
   * {@link DirectChannels.Client}s (bytes written here would bypass the {@code SslHandler}).
   */
  private boolean writeHere(Pending p, HttpResponse r) {
    if (!(ctx.channel() instanceof DirectChannels.Client ch) || !ch.isActive()) {
      return false;
    }
    boolean close = closes(p);
    byte[] encoded = encode(p.http10(), r.status(), headers(p, r, close), p.head() ? EMPTY : r.body());
    if (encoded == null) {
      return false; // the loop answers 500 for a header that cannot be sent
    }
    if (close) {
      closing = true;
    }
    ByteBuffer bytes = ByteBuffer.wrap(encoded);
    try {
      ch.writeNow(bytes);
    } catch (IOException e) {
      finished(close, true);
      return true;
    }
    if (bytes.hasRemaining()) {
      // The socket is full: Netty writes the rest when it drains. Nothing else writes meanwhile.
      ChannelFuture rest = ch.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(bytes));
      rest.addListener((ChannelFutureListener) f -> finished(close, !f.isSuccess()));
      watchWrite(rest);
      return true;
    }
    finished(close, false);
    return true;
  }

  /** After an answer written by {@link #writeHere}: the next request, or the close. Any thread. */
  private void finished(boolean close, boolean failed) {
    server.requestFinished();
    if (close || failed) {
      closing = true;
      dropQueue();
      ctx.channel().close();
      return;
    }
    boolean more;
    synchronized (this) {
      more = !queue.isEmpty();
      if (!more) {
        idle();
      }
    }
    if (more) {
      try {
        ctx.channel().eventLoop().execute(this::next);
      } catch (RejectedExecutionException e) {
        dropQueue(); // the loop is gone with its connection
      }
    }
  }

  private static final byte[] EMPTY = new byte[0];

  /**
   * Returns status line, headers and {@code body} as HTTP/1.x bytes, as Netty's encoder writes them, or
   * null if a header name is not a token or a value holds a control character (Netty refuses those too).
   */
  static byte[] encode(boolean http10, int status, List<String> headers, byte[] body) {
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    StringBuilder head = new StringBuilder(160);
    head.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(s.code()).append(' ').append(s.reasonPhrase()).append("\r\n");
    for (int i = 0; i < headers.size(); i += 2) {
      String name = headers.get(i);
      String value = headers.get(i + 1);
      if (!isToken(name) || !isFieldValue(value)) {
        return null;
      }
      head.append(name).append(": ").append(value).append("\r\n");
    }
    head.append("\r\n");
    byte[] out = new byte[head.length() + body.length];
    for (int i = 0; i < head.length(); i++) {
      char c = head.charAt(i);
      out[i] = c < 0x80 ? (byte) c : (byte) '?'; // as Netty's encoder writes header text: US-ASCII
    }
    System.arraycopy(body, 0, out, head.length(), body.length);
    return out;
  }

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  private void write(Pending p, HttpResponse r) {
    if (!ctx.channel().isActive()) {
      server.requestFinished();
      dropQueue();
      return;
    }
    boolean close = closes(p);
    FullHttpResponse res;
    try {
      res = response(p, r, close);
    } catch (IllegalArgumentException e) {
      // Netty refuses a header (a control character in a value, say): the client must still get an
      // answer, and the request must not stay counted in flight, holding a graceful close.
      HttpServer.warn(
          server.name + ": invalid response header for " + p.request(), e);
      write(p, problem(500, ErrorCode.INTERNAL, "internal error"));
      return;
    }
    if (close) {
      closing = true;
    }
    ChannelFuture written = ctx.writeAndFlush(res);
    written.addListener(
        (ChannelFutureListener)
            f -> {
              server.requestFinished();
              if (close || !f.isSuccess()) {
                closing = true;
                dropQueue();
                f.channel().close();
              } else {
                next();
              }
            });
    watchWrite(written);
  }

  /**
   * Closes the connection if {@code write} is still not done after the write timeout: its client does
   * not read its answers, and the answer (the only one in flight on a connection, since the next request
   * waits for it) must not hold memory and a place in line forever. A write the socket took at once is
   * done already and costs no timer.
   */
  private void watchWrite(ChannelFuture write) {
    server.watchWrite(write);
  }

  /**
   * Returns the Netty response for {@code r}, with the headers the server adds.
   *
   * @throws IllegalArgumentException if Netty refuses a header
   */
  private FullHttpResponse response(Pending p, HttpResponse r, boolean close) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            p.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            p.head() || r.body().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
    HttpHeaders h = res.headers();
    List<String> list = headers(p, r, close);
    for (int i = 0; i < list.size(); i += 2) {
      h.add(headerName(list.get(i)), list.get(i + 1));
    }
    return res;
  }

  /**
   * Returns the answer's headers as alternating names and values: the handler's, then those the server
   * adds (length, connection, CORS). Both ways of writing an answer use it, so they cannot differ.
   */
  private List<String> headers(Pending p, HttpResponse r, boolean close) {
    List<String> h = new ArrayList<>(r.headerList().size() + 8);
    h.addAll(r.headerList());
    boolean bodyAllowed = r.status() >= 200 && r.status() != 204 && r.status() != 304;
    if (bodyAllowed && r.eventStream() == null && indexOf(h, "content-length") < 0) {
      h.add("content-length");
      h.add(Integer.toString(r.body().length));
    }
    if (close) {
      set(h, "connection", "close");
    } else if (p.http10()) {
      set(h, "connection", "keep-alive");
    }
    if (server.cors != null && p.origin() != null) {
      addCors(h, server.cors, p.origin());
    }
    List<String> extra = server.responseHeaders;
    for (int i = 0; i < extra.size(); i += 2) {
      if (indexOf(h, extra.get(i)) < 0) {
        h.add(extra.get(i));
        h.add(extra.get(i + 1));
      }
    }
    return h;
  }

  /**
   * Adds to {@code headers} the CORS headers an answer to a request from {@code origin} carries; none if
   * the origin is not allowed. Returns whether it added any.
   */
  static boolean addCors(List<String> headers, Cors cors, String origin) {
    String allow = cors.allowOrigin(origin);
    if (allow == null) {
      return false;
    }
    set(headers, "access-control-allow-origin", allow);
    set(headers, "access-control-expose-headers", "Location");
    if (!"*".equals(allow)) {
      headers.add("vary");
      headers.add("origin");
    }
    return true;
  }

  private static int indexOf(List<String> headers, String name) {
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Replaces every {@code name} header with one {@code name: value} at the end, as Netty's set does. */
  private static void set(List<String> headers, String name, String value) {
    for (int i = indexOf(headers, name); i >= 0; i = indexOf(headers, name)) {
      headers.remove(i + 1);
      headers.remove(i);
    }
    headers.add(name);
    headers.add(value);
  }


  /** Returns Netty's interned name for the common headers, which it encodes without a per-char copy. */
  private static CharSequence headerName(String name) {
    return switch (name) {
      case "content-type" -> HttpHeaderNames.CONTENT_TYPE;
      case "location" -> HttpHeaderNames.LOCATION;
      case "allow" -> HttpHeaderNames.ALLOW;
      default -> name;
    };
  }

  /** Whether a request is being handled or waits: the client then waits for us. */
  private synchronized boolean working() {
    return busy || !queue.isEmpty();
  }

  private void onIdle(ChannelHandlerContext c) {
    if (working() || closing) {
      return; // a request is being handled: the client is waiting for us, not idle
    }
    if (incomplete()) {
      answerTimeout();
    } else {
      c.close();
    }
  }

  private void onRequestTimeout() {
    requestTimer = null;
    if (incomplete() && !working() && !closing) {
      answerTimeout();
    }
  }

  private void answerTimeout() {
    enqueue(
        new Pending(
            null,
            problem(408, ErrorCode.DEADLINE_EXCEEDED, "request not received in time"),
            false,
            false,
            false,
            null));
  }

  private void cancelRequestTimer() {
    if (requestTimer != null) {
      requestTimer.cancel(false);
      requestTimer = null;
    }
  }

  private synchronized void dropQueue() {
    drainQueue();
    busy = false;
  }

  /** Drops the requests waiting, giving back their body bytes. Holds this. */
  private void drainQueue() {
    Pending p;
    while ((p = queue.poll()) != null) {
      server.giveBodyBytes(p.bodyBytes());
      server.requestFinished();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) {
    SseWriter s = stream;
    if (s != null) {
      s.writabilityChanged();
    }
    c.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext c) {
    SseWriter s = stream;
    if (s != null) {
      s.closed();
    }
    closing = true;
    cancelRequestTimer();
    // The request being handled (if any) is not in the queue: its write() sees the channel closed.
    synchronized (this) {
      drainQueue();
    }
    server.giveBodyBytes(partialBytes);
    partialBytes = 0;
    c.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (notTls(cause)) {
      // Netty's message dumps the bytes received, which may hold a request's credentials: not logged.
      HttpServer.debug(server.name + ": a client spoke plain text to the TLS port", null);
    } else {
      HttpServer.debug(server.name + ": connection failed", cause);
    }
    c.close();
  }

  /** Whether {@code t} says the bytes received were not TLS. */
  static boolean notTls(Throwable t) {
    for (int i = 0; t != null && i < 8; t = t.getCause(), i++) {
      if (t instanceof NotSslRecordException) {
        return true;
      }
    }
    return false;
  }
}
