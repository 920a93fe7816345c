package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.CharsetUtil;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Hands netty-socketio each packet of an Engine.IO v4 long-polling body ({@code packet 0x1e
 * b<base64> 0x1e packet}) as a message of its own. netty-socketio 2.0.14 reads such a body the
 * Engine.IO v3 way: it takes a {@code b<base64>} attachment for raw bytes, stops reading after a
 * packet that awaits attachments, and copies each packet of a multi-packet body into a buffer it
 * never releases. Attachments go in its own length-prefixed form ({@link #wrapAttachment}); binary
 * event packets are marked for {@link BinaryPlaceholders}. Bodies of one plain packet pass
 * untouched (one byte scan).
 */
@Sharable
public final class PollingPayloadSplit extends ChannelInboundHandlerAdapter {
  /** Creates the handler; it keeps no state. */
  public PollingPayloadSplit() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof PacketsMessage packets
        && packets.getTransport() == Transport.POLLING
        && severalOrBinary(packets.getContent())) {
      // Read before this returns (the body is released after), so slices of the body do.
      for (ByteBuf piece : pollingIn(packets.getContent())) {
        ctx.fireChannelRead(new PacketsMessage(packets.getClient(), piece, Transport.POLLING));
      }
      return;
    }
    super.channelRead(ctx, msg);
  }

  /**
   * Frames one binary attachment so that netty-socketio's decoder takes it whole: its own
   * length-prefixed form ({@code 0x00 <length digits> 0xff <bytes>}). Left bare, an attachment that
   * starts with 0x00, or with digits and a colon, is misread as such a header.
   */
  public static ByteBuf wrapAttachment(ByteBuf bytes, int length) {
    String digits = Integer.toString(length);
    ByteBuf out = Unpooled.buffer(length + digits.length() + 2);
    out.writeByte(0);
    for (int i = 0; i < digits.length(); i++) {
      out.writeByte(digits.charAt(i) - '0');
    }
    out.writeByte(0xff);
    out.writeBytes(bytes, bytes.readerIndex(), length);
    return out;
  }

  private static boolean severalOrBinary(ByteBuf in) {
    return in.isReadable()
        && (in.getByte(in.readerIndex()) == 'b'
            || BinaryPlaceholders.isBinaryEvent(in)
            || in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0x1e) >= 0);
  }

  /**
   * Splits a v4 polling body into its packets (slices of {@code in}), binary ones in the form of
   * {@link #wrapAttachment}.
   */
  static List<ByteBuf> pollingIn(ByteBuf in) {
    List<ByteBuf> pieces = new ArrayList<>();
    int i = in.readerIndex();
    int end = in.writerIndex();
    while (i < end) {
      int sep = in.indexOf(i, end, (byte) 0x1e);
      int segmentEnd = sep < 0 ? end : sep;
      if (in.getByte(i) == 'b') {
        String base64 = in.toString(i + 1, segmentEnd - i - 1, CharsetUtil.US_ASCII);
        byte[] bytes = Base64.getDecoder().decode(base64);
        pieces.add(wrapAttachment(Unpooled.wrappedBuffer(bytes), bytes.length));
      } else if (segmentEnd > i) {
        ByteBuf packet = in.slice(i, segmentEnd - i);
        pieces.add(
            BinaryPlaceholders.isBinaryEvent(packet) ? BinaryPlaceholders.mark(packet) : packet);
      }
      i = segmentEnd + 1;
    }
    return pieces;
  }
}
