package dev.ipc.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, telling whether a request has started and is not yet whole, from its
 * first byte on: the request deadline ({@link HttpServerBuilder#requestTimeout}) must cover a
 * request head trickled in byte by byte, which the decoder would otherwise hold unseen until its
 * last header line. Event-loop confined.
 */
final class RequestDecoder extends HttpRequestDecoder {
  // Bytes of a request not yet decoded whole have come: set by each read bringing bytes and by each
  // request line parsed, cleared by each request's end.
  private boolean started;

  RequestDecoder() {
    super(4096, 8192, 8192);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf b && b.isReadable()) {
      started = true;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) throws Exception {
    started = true; // a request after one that ended earlier in the same read
    return super.createMessage(initialLine);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    super.decode(ctx, buffer, out);
    // The decoder returns after each request's end, so what follows it in the read is decoded (and
    // counted as started, above) in a later call.
    if (!out.isEmpty() && out.get(out.size() - 1) instanceof LastHttpContent) {
      started = false;
    }
  }

  /**
   * Whether a request has begun arriving and is not whole yet: some of its bytes are held here
   * (part of a line), or its line, headers or body are being decoded.
   */
  boolean inProgress() {
    return started || internalBuffer().isReadable();
  }
}
