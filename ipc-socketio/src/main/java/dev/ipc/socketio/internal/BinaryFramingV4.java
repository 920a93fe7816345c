package dev.ipc.socketio.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import java.util.Base64;

/**
 * Frames binary attachments the Engine.IO v4 way, both ways. netty-socketio 2.0.14 writes the v3
 * form: a 0x04 byte before each attachment's WebSocket frame, and length-prefixed raw bytes after a
 * polling payload's packet ({@code 0x01 <length digits> 0xff 0x04 <bytes>}), which v4 clients read
 * as a stray byte or as garbage; v4 sends the bytes bare over WebSocket and {@code 0x1e b<base64>}
 * in polling payloads. Incoming, it misreads a bare WebSocket attachment that starts with 0x00 (or
 * digits and a colon) as its v3 length header, so each is wrapped in that header ({@link
 * PollingPayloadSplit#wrapAttachment}); a binary event's text frame is marked for {@link
 * BinaryPlaceholders}. Next to the WebSocket transport, inside any compression; text frames cost a
 * two-byte look, polling answers one byte scan.
 */
@Sharable
public final class BinaryFramingV4 extends ChannelDuplexHandler {
  private static final AttributeKey<HeldResponse> HELD = AttributeKey.valueOf("ipc.held");

  private record HeldResponse(HttpResponse response, ChannelPromise promise) {}

  /** Creates the handler; it keeps no state. */
  public BinaryFramingV4() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof TextWebSocketFrame frame
        && BinaryPlaceholders.isBinaryEvent(frame.content())) {
      TextWebSocketFrame marked = frame.replace(BinaryPlaceholders.mark(frame.content()));
      frame.release();
      msg = marked;
    } else if (msg instanceof BinaryWebSocketFrame frame) {
      BinaryWebSocketFrame replaced =
          frame.replace(
              PollingPayloadSplit.wrapAttachment(frame.content(), frame.content().readableBytes()));
      frame.release();
      msg = replaced;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    Channel ch = ctx.channel();
    if (msg instanceof HttpResponse res
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
    if (msg instanceof BinaryWebSocketFrame frame) {
      ByteBuf data = frame.content();
      if (data.isReadable() && data.getByte(data.readerIndex()) == 4) {
        data.skipBytes(1);
      }
    }
    ctx.write(msg, promise);
  }

  /**
   * Rewrites a polling payload netty-socketio framed the v3 way ({@code 0x01 <length digits> 0xff
   * 0x04 <bytes>} after a packet) into v4's ({@code 0x1e b<base64>}). Text packets never hold a raw
   * 0x01: JSON escapes control characters.
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
