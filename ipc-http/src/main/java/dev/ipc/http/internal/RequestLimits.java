package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The limits on one connection's requests while they arrive, between the decoder and the
 * aggregator: the server-wide body budget ({@link HttpServer#takeBodyBytes}, 503 beyond it), the
 * body size ({@link #aggregator}: 413, answered in order instead of by Netty), the request deadline
 * (408 for a request still incomplete, head included, {@link HttpServerBuilder#requestTimeout}
 * after its first byte) and idleness (408 for a half-sent request, close otherwise). Its refusals
 * are queued on the connection like any answer. Event-loop confined.
 */
// The close() of an idle connection returns a future left alone on purpose: the channel ends closed
// whether or not it fails.
@SuppressWarnings("FutureReturnValueIgnored")
final class RequestLimits extends ChannelInboundHandlerAdapter {
  private final HttpConnection connection;
  private final HttpServer server;
  private RequestDecoder decoder; // the pipeline's; tells whether a request head is arriving
  private boolean partial;
  // The body budget taken for the request still arriving, and what is known of that request.
  private long partialBytes;
  private boolean countingBody;
  private boolean overBudget;
  private boolean startHead;
  private boolean startHttp10;
  private String startOrigin;
  private ScheduledFuture<?> requestTimer;

  RequestLimits(HttpConnection connection, HttpServer server) {
    this.connection = connection;
    this.server = server;
  }

  /** What the aggregator passes on instead of a body too large to keep. */
  record Oversized(boolean head, boolean keepAlive, boolean http10, String origin) {}

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.decoder = c.pipeline().get(RequestDecoder.class);
  }

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
          c.executor()
              .schedule(() -> onRequestTimeout(), server.requestNanos, TimeUnit.NANOSECONDS);
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

  /**
   * Returns the aggregator, answering a too large body with 413 in order instead of Netty's own.
   */
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
        if (expects && connection.queue.deferContinue()) {
          // Answers to earlier pipelined requests are owed: the queue sends the 100 after them.
          start.headers().remove(HttpHeaderNames.EXPECT);
          return null;
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
      }

      @Override
      protected void handleOversizedMessage(ChannelHandlerContext c, HttpMessage oversized) {
        // A message already partly aggregated cannot be resynchronized: answer and close. A client
        // that
        // expected 100 Continue may rightly never send the body it announced, so the next request
        // would
        // be swallowed as that body: close then too. Otherwise the aggregator skips the body that
        // follows and the connection stays usable.
        boolean keepAlive =
            !(oversized instanceof FullHttpMessage)
                && !HttpUtil.is100ContinueExpected(oversized)
                && HttpUtil.isKeepAlive(oversized);
        boolean head = oversized instanceof HttpRequest r && HttpMethod.HEAD.equals(r.method());
        c.fireChannelRead(
            new Oversized(
                head,
                keepAlive,
                oversized.protocolVersion().equals(HttpVersion.HTTP_1_0),
                oversized.headers().get(HttpHeaderNames.ORIGIN)));
      }
    };
  }

  /**
   * Returns the Content-Length of {@code r}; -1 if it has none or a malformed one (answered 400).
   */
  private static long announcedLength(HttpRequest r) {
    try {
      return HttpUtil.getContentLength(r, -1L);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Answers the request still arriving 503 once the server holds too many body bytes: in order,
   * after the answers owed before it, and then the connection closes, since the rest of its body is
   * not read.
   */
  private void refuseOverBudget() {
    overBudget = true;
    partial = false;
    cancelRequestTimer();
    releaseBodyBytes();
    connection.enqueue(
        Pending.answered(
            HttpResponse.problem(
                    503,
                    ErrorCode.UNAVAILABLE,
                    "server is busy with other request bodies; retry later")
                .withHeader("retry-after", "1"),
            startHead,
            false,
            startHttp10,
            startOrigin));
  }

  /**
   * Returns the body bytes taken for the request just aggregated, now the connection's to give back
   * (with the request or when dropping it), and counts afresh for the next request.
   */
  long claimBodyBytes() {
    long n = partialBytes;
    partialBytes = 0;
    return n;
  }

  /** Gives back the body bytes taken for a request that will not be handled. */
  void releaseBodyBytes() {
    server.giveBodyBytes(partialBytes);
    partialBytes = 0;
  }

  /** After an {@link Oversized} body: the aggregator drops what it had of it and skips the rest. */
  void skipOversized() {
    releaseBodyBytes();
    countingBody = false;
  }

  /** Whether a request has started arriving, its head included, and is not whole yet. */
  private boolean incomplete() {
    return partial || (decoder != null && decoder.inProgress());
  }

  private void onIdle(ChannelHandlerContext c) {
    if (connection.queue.working() || connection.closing) {
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
    if (incomplete() && !connection.queue.working() && !connection.closing) {
      answerTimeout();
    }
  }

  private void answerTimeout() {
    connection.enqueue(
        Pending.answered(
            HttpResponse.problem(408, ErrorCode.DEADLINE_EXCEEDED, "request not received in time"),
            false,
            false,
            false,
            null));
  }

  /**
   * Stops the request deadline: the request is whole, refused, or the connection is done with HTTP.
   */
  void cancelRequestTimer() {
    if (requestTimer != null) {
      requestTimer.cancel(false);
      requestTimer = null;
    }
  }
}
