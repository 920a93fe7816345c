package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes one connection's whole answers, each after the one before it (see {@link ResponseQueue}),
 * by one of two paths: on the handler's call thread straight to the socket ({@link #writeHere}, see
 * {@link DirectChannels}), or on the event loop through the pipeline's encoder ({@link #write}),
 * for the server's own answers and always over TLS. Either way it then decides the connection's
 * next step: the next request, or the close; and it closes a connection whose client does not read
 * its answer within the write timeout ({@link HttpServer#watchWrite}).
 */
// Netty's close() returns a future left alone on purpose: a close ends with the channel closed
// whether
// or not its future fails. The writes whose failure matters carry listeners.
@SuppressWarnings("FutureReturnValueIgnored")
final class ResponseWriter {
  private final HttpConnection connection;
  private final HttpServer server;

  ResponseWriter(HttpConnection connection, HttpServer server) {
    this.connection = connection;
    this.server = server;
  }

  /**
   * Writes the answer on this call thread, straight to the socket (see {@link DirectChannels});
   * returns false when the event loop must write it instead: always over TLS, whose channels are
   * not {@link DirectChannels.Client}s (bytes written here would bypass the {@code SslHandler}).
   */
  boolean writeHere(Pending p, HttpResponse r) {
    if (!(connection.ctx.channel() instanceof DirectChannels.Client ch) || !ch.isActive()) {
      return false;
    }
    boolean close = connection.queue.closesAfter(p);
    byte[] encoded =
        ResponseEncoding.encode(
            p.http10(),
            r.status(),
            ResponseEncoding.headers(server, p, r, close),
            p.head() ? ResponseEncoding.EMPTY : r.body());
    if (encoded == null) {
      return false; // the loop answers 500 for a header that cannot be sent
    }
    if (close) {
      connection.closing = true;
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
      ChannelFuture rest =
          ch.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(bytes));
      rest.addListener((ChannelFutureListener) f -> finished(close, !f.isSuccess()));
      server.watchWrite(rest);
      return true;
    }
    finished(close, false);
    return true;
  }

  /** After an answer written by {@link #writeHere}: the next request, or the close. Any thread. */
  private void finished(boolean close, boolean failed) {
    server.requestFinished();
    if (close || failed) {
      connection.closing = true;
      connection.queue.drop();
      connection.ctx.channel().close();
      return;
    }
    if (connection.queue.answered()) {
      try {
        connection.ctx.channel().eventLoop().execute(connection::next);
      } catch (RejectedExecutionException e) {
        connection.queue.drop(); // the loop is gone with its connection
      }
    }
  }

  /**
   * Writes the answer to {@code p} through the pipeline, then answers the next request. Event loop.
   */
  void write(Pending p, HttpResponse r) {
    ChannelHandlerContext ctx = connection.ctx;
    if (!ctx.channel().isActive()) {
      server.requestFinished();
      connection.queue.drop();
      return;
    }
    boolean close = connection.queue.closesAfter(p);
    FullHttpResponse res;
    try {
      res = ResponseEncoding.toNetty(server, p, r, close);
    } catch (IllegalArgumentException e) {
      // Netty refuses a header (a control character in a value, say): the client must still get an
      // answer, and the request must not stay counted in flight, holding a graceful close.
      HttpServer.warn(server.name + ": invalid response header for " + p.request(), e);
      write(p, HttpResponse.problem(500, ErrorCode.INTERNAL, "internal error"));
      return;
    }
    if (close) {
      connection.closing = true;
    }
    ChannelFuture written = ctx.writeAndFlush(res);
    written.addListener(
        (ChannelFutureListener)
            f -> {
              server.requestFinished();
              if (close || !f.isSuccess()) {
                connection.closing = true;
                connection.queue.drop();
                f.channel().close();
              } else {
                connection.next();
              }
            });
    // A client that does not read its answers must not hold memory and a place in line forever; a
    // write the socket took at once is done already and costs no timer.
    server.watchWrite(written);
  }
}
