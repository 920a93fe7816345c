package dev.ipc.http.internal;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;

/**
 * One pooled client connection: runs one {@link HttpClientPool.Call} at a time. All its state is
 * touched on the connection's event loop only.
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a passed-on write reports to
// the
// caller's promise. The writes whose failure matters carry listeners; the whenComplete stage only
// closes the channel.
@SuppressWarnings("FutureReturnValueIgnored")
final class ClientConnection extends ChannelInboundHandlerAdapter {
  private final HttpClientPool pool;
  private HttpClientPool.Call current;
  private boolean reused; // has answered a call before: the server may have closed it meanwhile
  private boolean answerStarted; // bytes came for the current call

  ClientConnection(HttpClientPool pool) {
    this.pool = pool;
  }

  static ClientConnection of(Channel ch) {
    return ch.pipeline().get(ClientConnection.class);
  }

  /** Returns a handler, first in the pipeline, noting that bytes of an answer came. */
  ChannelInboundHandlerAdapter answerStarted() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        answerStarted = true;
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** Sends the call's request; runs on the event loop. */
  void send(Channel ch, HttpClientPool.Call call) {
    if (call.isSettled()) {
      // Timed out while waiting for this connection, which saw no request: it stays usable.
      pool.release(ch);
      return;
    }
    current = call;
    answerStarted = false;
    // Whatever fails the call from now on (its timeout included, from the caller's thread) closes
    // the
    // connection: a half-done exchange leaves it unusable.
    call.result.whenComplete(
        (r, failure) -> {
          if (failure != null) {
            ch.close();
          }
        });
    if (!ch.isActive()) {
      fail(new IOException("connection closed before the request was sent"));
      return;
    }
    ch.writeAndFlush(call.request())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                fail(io(f.cause()));
                ch.close();
              }
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      HttpClientPool.Call call = current;
      current = null;
      if (!(msg instanceof FullHttpResponse response) || call == null) {
        ctx.close(); // an answer nobody asked for: the connection is out of step
        if (call != null) {
          call.fail(new IOException("unexpected message on the connection"));
        }
        return;
      }
      if (!response.decoderResult().isSuccess()) {
        ctx.close();
        call.fail(
            new IOException(
                "malformed response: " + response.decoderResult().cause().getMessage()));
        return;
      }
      HttpClientPool.Response answer =
          new HttpClientPool.Response(
              response.status().code(),
              response.headers().copy(),
              ByteBufUtil.getBytes(response.content()));
      if (!call.settle()) {
        ctx.close(); // timed out just now: the caller already closes it
        return;
      }
      // Back to the pool before the caller wakes, so its next call finds this connection idle.
      if (HttpUtil.isKeepAlive(response)) {
        reused = true;
        pool.release(ctx.channel());
      } else {
        ctx.close();
      }
      call.result.complete(answer);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current == null) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(new IOException("connection closed before the response was complete"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Reset, a response over the size limit, a decoding error: the connection cannot go on. Failing
    // first keeps the cause: closing first would fail the call as merely closed.
    fail(io(cause));
    ctx.close();
  }

  void fail(IOException e) {
    HttpClientPool.Call call = current;
    current = null;
    if (call == null) {
      return;
    }
    if (reused && !answerStarted) {
      // A kept-alive connection the server closed (idle timeout) just as it was picked: the request
      // most likely never reached a handler.
      reused = false;
      if (call.retryOnStaleConnection()) {
        return;
      }
    }
    call.fail(e);
  }

  private static IOException io(Throwable t) {
    if (HttpConnection.notTls(t)) {
      // Netty's message dumps the bytes received, an answer's body maybe: neither kept nor chained.
      return new SSLException("the server did not answer in TLS (a plain-text port?)");
    }
    if (t instanceof IOException e) {
      return e;
    }
    return new IOException(
        t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName(), t);
  }
}
