package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One client connection: takes each whole request from the pipeline, queues it, and when its turn
 * comes runs the handler on the server's executor and chooses how the answer goes out (a whole
 * answer, an event stream, a WebSocket upgrade). The work is split by job into parts of the
 * connection: {@link RequestLimits} (budget, size and deadline of requests arriving), {@link
 * RequestReader} (a decoded request made into a {@link Pending}), {@link ResponseQueue} (one answer
 * at a time, in arrival order, so pipelined requests get their responses in order), {@link
 * ResponseWriter} and {@link ResponseEncoding} (answers onto the wire), {@link Cors}, {@link
 * EventStreamStart} and {@link WebSocketUpgrade}.
 *
 * <p>The handler's thread writes its answer straight to the socket (see {@link DirectChannels});
 * answers the server makes itself (errors, timeouts, refusals) are written on the connection's
 * event loop. Over TLS there is no direct write: the channel is a plain one (not a {@link
 * DirectChannels.Client}), so every answer is handed to the event loop and goes through the
 * pipeline's encoder and {@code SslHandler}. The queue is guarded by itself, since both threads
 * finish requests; {@link #closing} and {@link #stream} are volatile; the rest belongs to the event
 * loop.
 */
// Netty's close() returns a future left alone on purpose: a close ends with the channel closed
// whether
// or not its future fails.
@SuppressWarnings("FutureReturnValueIgnored")
final class HttpConnection extends ChannelInboundHandlerAdapter {
  final HttpServer server;
  final ResponseQueue queue;
  final RequestLimits limits;
  final ResponseWriter writer;
  private final RequestReader reader;
  ChannelHandlerContext ctx;
  SslHandler ssl; // when serving TLS

  /** Set once the connection serves no more requests: whatever arrives is read and dropped. */
  volatile boolean closing;

  /** The event stream answering the last request, if any. */
  volatile SseWriter stream;

  HttpConnection(HttpServer server) {
    this.server = server;
    this.queue = new ResponseQueue(server);
    this.limits = new RequestLimits(this, server);
    this.writer = new ResponseWriter(this, server);
    this.reader = new RequestReader(this, server);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.ctx = c;
    this.ssl = c.pipeline().get(SslHandler.class);
    queue.attach(c);
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    if (closing) {
      if (msg instanceof FullHttpRequest) {
        // Dropped (behind an event stream, say, which may last): its body budget goes back now.
        limits.releaseBodyBytes();
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof RequestLimits.Oversized o) {
      limits.skipOversized();
      enqueue(
          Pending.answered(
              HttpResponse.problem(
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
    long bodyBytes = limits.claimBodyBytes();
    Pending p;
    try {
      p = reader.read(req);
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
        // Nothing after an upgrade request is HTTP if it is granted: read on only once it is
        // decided.
        ctx.channel().config().setAutoRead(false);
      }
      enqueue(p.withBodyBytes(bodyBytes));
    }
  }

  /** Queues {@code p} to be answered after the requests before it. Event loop. */
  void enqueue(Pending p) {
    server.requestStarted();
    if (queue.add(p)) {
      next();
    }
  }

  /**
   * Answers the next request waiting, if any: the server's own answer, or the handler's. Event
   * loop.
   */
  void next() {
    Pending p = queue.take();
    if (p == null) {
      return;
    }
    if (p.immediate() != null) {
      writer.write(p, p.immediate());
      return;
    }
    if (server.isClosing()) {
      // Received before the close began but queued behind another: not started, so refused (safe to
      // retry anywhere) rather than run, and answered so the client need not guess what happened to
      // it.
      server.giveBodyBytes(p.bodyBytes());
      writer.write(p, HttpResponse.problem(503, ErrorCode.UNAVAILABLE, "server is shutting down"));
      return;
    }
    try {
      server.executor.execute(() -> handle(p));
    } catch (RejectedExecutionException e) {
      server.giveBodyBytes(p.bodyBytes());
      boolean down =
          server.isClosing() || (server.executor instanceof ExecutorService es && es.isShutdown());
      writer.write(
          p,
          down
              ? HttpResponse.problem(503, ErrorCode.UNAVAILABLE, "server is shutting down")
              : HttpResponse.problem(
                      429, ErrorCode.RESOURCE_EXHAUSTED, "server is busy; retry later")
                  .withHeader("retry-after", "1"));
    }
  }

  /**
   * Runs the handler for {@code p} and sends its answer the way it asks. On the server's executor.
   */
  private void handle(Pending p) {
    HttpResponse r;
    try {
      r = server.handler.handle(p.request());
      if (r == null) {
        throw new IllegalStateException("handler returned null for " + p.request());
      }
    } catch (Throwable t) {
      HttpServer.warn(server.name + ": handler failed for " + p.request(), t);
      r = HttpResponse.problem(500, ErrorCode.INTERNAL, "internal error");
    } finally {
      server.giveBodyBytes(p.bodyBytes());
    }
    HttpResponse response = r;
    if (response.eventStream() != null) {
      EventStreamStart.start(this, p, response);
      return;
    }
    if (response.webSocketHandler() == null && writer.writeHere(p, response)) {
      return;
    }
    try {
      ctx.channel()
          .eventLoop()
          .execute(
              () -> {
                if (response.webSocketHandler() != null) {
                  WebSocketUpgrade.upgrade(this, p, response);
                } else {
                  writer.write(p, response);
                }
              });
    } catch (RejectedExecutionException e) {
      // The event loop is gone (shutdownNow): nobody will read the answer.
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
    limits.cancelRequestTimer();
    // The request being handled (if any) is not in the queue: its write() sees the channel closed.
    queue.drain();
    limits.releaseBodyBytes();
    c.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (notTls(cause)) {
      // Netty's message dumps the bytes received, which may hold a request's credentials: not
      // logged.
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
