package dev.ipc.socketio;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.TransportState;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.CharsetUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a call's acknowledgement to its WebSocket from the call thread itself.
 *
 * <p>Why: netty-socketio writes only from the channel's event loop, so an ack made on a call thread
 * costs a second hand-off (queue a task, wake the loop) after the first (wake the call thread). On 2
 * cores those wake-ups were a fifth of a round trip. So the call thread encodes the ack frame (the bytes
 * netty-socketio would send) and writes it to the socket, when that cannot reorder anything:
 *
 * <ul>
 *   <li>Each WebSocket has a lock ({@link Guard}) that its event loop holds while it writes: around
 *       every write reaching the end of the pipeline (netty-socketio takes queued packets off the
 *       session's queue there) and every write and flush reaching the socket.
 *   <li>The call thread only tries that lock, never waits for it; it writes only if the session has no
 *       queued packet and Netty no unwritten byte. A packet sent before the ack (a broadcast the call
 *       caused, say) is then either out already or still queued, and the ack takes netty-socketio's
 *       path behind it.
 *   <li>What the socket does not take at once stays first: the loop writes it before anything else.
 * </ul>
 *
 * Anything else (polling, Engine.IO v3, a namespace, binary attachments, compression, an ack larger
 * than a frame, NIO channels (no epoll), a netty-socketio whose internals differ) takes the usual path.
 */
final class DirectAcks {
  private static final System.Logger LOG = System.getLogger(DirectAcks.class.getName());
  private static final AttributeKey<Guard> GUARD = AttributeKey.valueOf("ipc.directAcks");
  private static final VarHandle CHANNELS;
  private static final VarHandle ORIGINAL_PACKET;

  static {
    VarHandle channels = null;
    VarHandle original = null;
    try {
      channels =
          MethodHandles.privateLookupIn(ClientHead.class, MethodHandles.lookup())
              .findVarHandle(ClientHead.class, "channels", Map.class);
      original =
          MethodHandles.privateLookupIn(AckRequest.class, MethodHandles.lookup())
              .findVarHandle(AckRequest.class, "originalPacket", Packet.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Another netty-socketio, or a module that does not open it: every ack takes the usual path.
      LOG.log(Level.DEBUG, "acks go through the event loop: " + e);
      channels = null;
      original = null;
    }
    CHANNELS = channels;
    ORIGINAL_PACKET = original;
  }

  private final JsonSupport json;
  private final int maxFramePayload;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong remainders = new AtomicLong();

  DirectAcks(JsonSupport json, int maxFramePayload) {
    this.json = json;
    this.maxFramePayload = maxFramePayload;
  }

  /** Installs the lock the event loop holds while it writes {@code ch}; see {@link Guard}. */
  static void guard(Channel ch) {
    Guard guard = new Guard();
    ch.attr(GUARD).set(guard);
    ch.pipeline().addFirst("ipcDirectHead", guard.head);
    ch.pipeline().addLast("ipcDirectTail", guard.tail);
  }

  /** How many of those the socket took only in part; for tests. */
  long remainders() {
    return remainders.get();
  }

  /** How many acks went out this way; for tests. */
  long written() {
    return written.get();
  }

  /**
   * Writes the ack of {@code request} with {@code args} to the session's WebSocket, if that is safe now;
   * returns false if the caller must send it the usual way. Call under the session's lock.
   */
  boolean trySend(ClientHead head, AckRequest request, Object[] args) {
    if (CHANNELS == null
        || head.getCurrentTransport() != Transport.WEBSOCKET
        || head.getEngineIOVersion() != EngineIOVersion.V4
        || !head.isConnected()) {
      return false;
    }
    Packet packet = (Packet) ORIGINAL_PACKET.get(request);
    if (packet == null || packet.getAckId() == null || !packet.getNsp().isEmpty()) {
      return false;
    }
    @SuppressWarnings("unchecked")
    TransportState state = ((Map<Transport, TransportState>) CHANNELS.get(head)).get(Transport.WEBSOCKET);
    Channel ch = state == null ? null : state.getChannel();
    if (!(ch instanceof EpollSocketChannel epoll) || !head.isTransportChannel(ch, Transport.WEBSOCKET)) {
      return false;
    }
    Guard guard = ch.attr(GUARD).get();
    if (guard == null || !guard.lock.tryLock()) {
      return false;
    }
    ByteBuf frame = null;
    try {
      ChannelOutboundBuffer unsent = ch.unsafe().outboundBuffer();
      if (!ch.isActive()
          || guard.remainder != null
          || unsent == null
          || unsent.totalPendingWriteBytes() != 0
          || !head.getPacketsQueue(Transport.WEBSOCKET).isEmpty()
          || !head.getPacketsQueue(Transport.POLLING).isEmpty()) {
        return false;
      }
      frame = encode(ch, packet.getAckId(), args);
      if (frame == null) {
        return false;
      }
      boolean wroteAny = false;
      try {
        while (frame.isReadable()) {
          ByteBuffer bytes = frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes());
          int n = epoll.fd().write(bytes, bytes.position(), bytes.limit());
          if (n <= 0) {
            break;
          }
          wroteAny = true;
          frame.skipBytes(n);
        }
      } catch (IOException e) {
        if (!wroteAny) {
          // The usual path meets the same broken connection and closes it on the loop.
          return false;
        }
        ch.close();
        return true;
      }
      written.incrementAndGet();
      if (frame.isReadable()) {
        remainders.incrementAndGet();
        guard.remainder = frame;
        frame = null;
        ch.eventLoop().execute(guard::writeRemainder);
      }
      return true;
    } finally {
      guard.lock.unlock();
      if (frame != null) {
        frame.release();
      }
    }
  }

  /**
   * Returns the WebSocket text frame {@code 43<id>[args...]} as netty-socketio would encode it, or null
   * if netty-socketio must send it: binary attachments, or larger than one frame.
   */
  private ByteBuf encode(Channel ch, long ackId, Object[] args) {
    // Room for the largest frame header in front; the header is written right before the payload.
    ByteBuf buf = ch.alloc().directBuffer(256);
    boolean done = false;
    try {
      buf.writerIndex(10);
      buf.writeByte('4').writeByte('3');
      buf.writeCharSequence(Long.toString(ackId), CharsetUtil.US_ASCII);
      json.writeValue(new ByteBufOutputStream(buf), Arrays.asList(args));
      int length = buf.writerIndex() - 10;
      if (!json.getArrays().isEmpty() || length > maxFramePayload) {
        return null;
      }
      int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
      int start = 10 - header;
      buf.setByte(start, 0x81); // FIN, text
      if (header == 2) {
        buf.setByte(start + 1, length);
      } else if (header == 4) {
        buf.setByte(start + 1, 126);
        buf.setShort(start + 2, length);
      } else {
        buf.setByte(start + 1, 127);
        buf.setLong(start + 2, length);
      }
      buf.readerIndex(start);
      done = true;
      return buf;
    } catch (IOException e) {
      return null;
    } finally {
      if (!done) {
        buf.release();
      }
    }
  }

  /**
   * The lock of one channel: the event loop holds it around each write passing either end of the
   * pipeline and each flush, a call thread while it writes an ack; it also keeps the part of an ack the
   * socket did not take, which the loop writes before anything else.
   */
  static final class Guard {
    final ReentrantLock lock = new ReentrantLock();
    final Head head = new Head();
    final Tail tail = new Tail();
    ByteBuf remainder; // guarded by lock
    private ChannelHandlerContext headContext;

    void writeRemainder() {
      lock.lock();
      try {
        if (remainder != null && headContext != null) {
          ByteBuf r = remainder;
          remainder = null;
          headContext.writeAndFlush(r, headContext.voidPromise());
        }
      } finally {
        lock.unlock();
      }
    }

    /** First in the pipeline: every byte reaching the socket passes here. */
    final class Head extends ChannelDuplexHandler {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        headContext = ctx;
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lock.lock();
        try {
          if (remainder != null) {
            ByteBuf r = remainder;
            remainder = null;
            ctx.write(r, ctx.voidPromise());
          }
          ctx.write(msg, promise);
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void flush(ChannelHandlerContext ctx) throws Exception {
        lock.lock();
        try {
          ctx.flush();
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        lock.lock();
        try {
          if (remainder != null) {
            remainder.release();
            remainder = null;
          }
        } finally {
          lock.unlock();
        }
        super.channelInactive(ctx);
      }
    }

    /**
     * Last in the pipeline: netty-socketio's encoder takes queued packets off the session's queue
     * while a write passes here, so a call thread never finds a packet neither queued nor unsent.
     */
    final class Tail extends ChannelDuplexHandler {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        lock.lock();
        try {
          ctx.write(msg, promise);
        } finally {
          lock.unlock();
        }
      }

      @Override
      public void flush(ChannelHandlerContext ctx) throws Exception {
        lock.lock();
        try {
          ctx.flush();
        } finally {
          lock.unlock();
        }
      }
    }
  }
}
