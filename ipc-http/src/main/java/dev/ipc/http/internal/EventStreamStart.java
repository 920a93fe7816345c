package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Turns a connection over to a Server-Sent Events answer ({@link HttpResponse#events}): writes the
 * stream's head and hands an {@link SseWriter} to the handler's {@link EventStream}. A stream may
 * last, so the connection serves nothing else afterwards: requests pipelined behind it are dropped
 * and it closes after the stream, so nothing can be mixed into it.
 */
// Netty's close() returns a future left alone on purpose: a close ends with the channel closed
// whether
// or not its future fails. The writes whose failure matters carry listeners.
@SuppressWarnings("FutureReturnValueIgnored")
final class EventStreamStart {
  private EventStreamStart() {}

  /**
   * Answers {@code p} with the event stream of {@code r}, on the handler's thread: the head goes
   * through the pipeline (never straight to the socket, so TLS and the encoder's chunk framing
   * apply to every byte), then the stream starts.
   */
  static void start(HttpConnection connection, Pending p, HttpResponse r) {
    HttpServer server = connection.server;
    ChannelHandlerContext ctx = connection.ctx;
    connection.closing =
        true; // whatever arrives from now on is read (to notice the client leaving) and dropped
    connection.queue.drain();
    List<String> list = ResponseEncoding.headers(server, p, r, true);
    if (ResponseEncoding.indexOf(list, "cache-control") < 0) {
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
    if (ResponseEncoding.encode(p.http10(), 200, list, ResponseEncoding.EMPTY) == null) {
      HttpServer.warn(server.name + ": invalid response header for " + p.request(), null);
      connection.closing = false;
      ctx.channel()
          .eventLoop()
          .execute(
              () ->
                  connection.writer.write(
                      p, HttpResponse.problem(500, ErrorCode.INTERNAL, "internal error")));
      return;
    }
    HttpVersion version = p.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    SseWriter writer = new SseWriter(server, ctx);
    connection.stream =
        writer; // before the activity check: a close now or later reaches the writer either way
    if (p.head()) {
      DefaultFullHttpResponse head =
          new DefaultFullHttpResponse(version, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
      ResponseEncoding.addAll(head.headers(), list);
      ctx.writeAndFlush(head).addListener(ChannelFutureListener.CLOSE);
      writer.closed();
    } else {
      DefaultHttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.OK);
      ResponseEncoding.addAll(head.headers(), list);
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
}
