package dev.ipc.socketio;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.EngineIOVersion;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import dev.ipc.socketio.internal.NettySocketIo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.AttributeKey;
import io.netty.util.CharsetUtil;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a call's acknowledgement, or a broadcast, to WebSockets from the calling thread itself.
 *
 * <p>Why: netty-socketio writes only from the channel's event loop, so an ack made on a call thread
 * costs a second hand-off (queue a task, wake the loop) after the first (wake the call thread). On
 * 2 cores those wake-ups were a fifth of a round trip. A broadcast to n clients cost n encodings
 * and n hand-offs; here it is encoded once. So the calling thread encodes the frame (the bytes
 * netty-socketio would send) and writes it to the socket, when that cannot reorder anything:
 *
 * <ul>
 *   <li>Each WebSocket has a lock ({@link Guard}) that its event loop holds while it writes: around
 *       every write reaching the end of the pipeline (netty-socketio takes queued packets off the
 *       session's queue there) and every write and flush reaching the socket.
 *   <li>The calling thread only tries that lock, never waits for it; it writes only if the session
 *       has no queued packet and Netty no unwritten byte. A packet sent before the ack (a broadcast
 *       the call caused, say) is then either out already or still queued, and the ack takes
 *       netty-socketio's path behind it. The session's lock (held by the caller) keeps its other
 *       senders out meanwhile.
 *   <li>What the socket does not take at once stays first: the loop writes it before anything else.
 * </ul>
 *
 * The socket is written through the JDK's channel under Netty's NIO channel: it keeps the file
 * descriptor until a write in progress is done, so a close on the loop can never make this thread
 * write to another connection given the same number (Netty's epoll channel frees it at once).
 *
 * <p>Anything else (polling, Engine.IO v3, a namespace, binary attachments, compression, TLS, a
 * packet larger than a frame, epoll channels) takes the usual path, as do a host handler's acks and
 * a session's own sends. The private members this reads ({@code ClientHead.channels}, {@code
 * AckRequest.originalPacket}, Netty's {@code javaChannel()}) are reached through {@link
 * NettySocketIo}, which checks them when the server starts: another netty-socketio fails the start,
 * by name.
 */
// Netty's close() and write(msg, promise) return futures this code leaves alone on purpose: a close
// ends with the channel closed whether or not its future fails, and a write passed on with the
// caller's promise (or a void one) reports there, not in the future returned.
@SuppressWarnings("FutureReturnValueIgnored")
final class DirectWrites {
  private static final AttributeKey<Guard> GUARD = AttributeKey.valueOf("ipc.directWrites");

  /** The name of the guard's first handler in a channel's pipeline. */
  static final String HEAD = "ipcDirectHead";

  private final JsonSupport json;
  private final int maxFramePayload;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong remainders = new AtomicLong();

  DirectWrites(JsonSupport json, int maxFramePayload) {
    this.json = json;
    this.maxFramePayload = maxFramePayload;
  }

  /** Installs the lock the event loop holds while it writes {@code ch}; see {@link Guard}. */
  static void guard(Channel ch) {
    Guard guard = new Guard();
    ch.attr(GUARD).set(guard);
    ch.pipeline().addFirst(HEAD, guard.head);
    ch.pipeline().addLast("ipcDirectTail", guard.tail);
  }

  /** How many of those the socket took only in part; for tests. */
  long remainders() {
    return remainders.get();
  }

  /** How many frames went out this way; for tests. */
  long written() {
    return written.get();
  }

  /**
   * Writes the ack of {@code request} with {@code args} to the session's WebSocket, if that is safe
   * now; returns false if the caller must send it the usual way. Call under the session's lock.
   */
  boolean trySendAck(ClientHead head, AckRequest request, Object[] args) {
    if (!usable(head)) {
      return false;
    }
    Packet packet = NettySocketIo.ackedPacket(request);
    if (packet == null || packet.getAckId() == null || !packet.getNsp().isEmpty()) {
      return false;
    }
    ByteBuf frame = frame(ByteBufAllocator.DEFAULT, "43" + packet.getAckId(), Arrays.asList(args));
    if (frame == null) {
      return false;
    }
    try {
      return tryWrite(head, frame);
    } finally {
      frame.release();
    }
  }

  /**
   * Returns the frame of event {@code event} with {@code data} ({@code 42["event",...]}) for {@link
   * #tryWrite}, or null if netty-socketio must send it.
   */
  ByteBuf eventFrame(String event, Object[] data) {
    List<Object> values = new ArrayList<>(data.length + 1);
    values.add(event);
    values.addAll(Arrays.asList(data));
    return frame(ByteBufAllocator.DEFAULT, "42", values);
  }

  /**
   * Writes {@code frame} (not consumed) to the session's WebSocket if that is safe now; returns
   * false if the caller must send the packet the usual way. Call under the session's lock.
   */
  boolean tryWrite(ClientHead head, ByteBuf frame) {
    if (!usable(head)) {
      return false;
    }
    Channel ch = NettySocketIo.channel(head, Transport.WEBSOCKET);
    if (!(ch instanceof NioSocketChannel nio)
        || !head.isTransportChannel(ch, Transport.WEBSOCKET)) {
      return false;
    }
    Guard guard = ch.attr(GUARD).get();
    if (guard == null || !guard.lock.tryLock()) {
      return false;
    }
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
      SocketChannel socket = socket(nio);
      if (socket == null) {
        return false;
      }
      int from = frame.readerIndex();
      int to = frame.writerIndex();
      int at = from;
      // Counted first: a test may see the frame arrive before this thread goes on.
      written.incrementAndGet();
      try {
        while (at < to) {
          int n = socket.write(frame.internalNioBuffer(at, to - at));
          if (n <= 0) {
            break;
          }
          at += n;
        }
      } catch (IOException e) {
        if (at == from) {
          // The usual path meets the same broken connection and closes it on the loop.
          written.decrementAndGet();
          return false;
        }
        ch.close();
        return true;
      }
      if (at < to) {
        remainders.incrementAndGet();
        guard.remainder = frame.retainedSlice(at, to - at);
        ch.eventLoop().execute(guard::writeRemainder);
      }
      return true;
    } finally {
      guard.lock.unlock();
    }
  }

  /**
   * Returns the WebSocket channel {@code head} sends on now, or null: it is on long-polling or not
   * connected (netty-socketio keeps its channels private: see NettySocketIo).
   */
  static Channel webSocketChannel(ClientHead head) {
    if (head.getCurrentTransport() != Transport.WEBSOCKET || !head.isConnected()) {
      return null;
    }
    Channel ch = NettySocketIo.channel(head, Transport.WEBSOCKET);
    return ch != null && head.isTransportChannel(ch, Transport.WEBSOCKET) ? ch : null;
  }

  /** The JDK channel under {@code ch}, or null. */
  private static SocketChannel socket(NioSocketChannel ch) {
    try {
      return NettySocketIo.javaChannel(ch);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean usable(ClientHead head) {
    return head.getCurrentTransport() == Transport.WEBSOCKET
        && head.getEngineIOVersion() == EngineIOVersion.V4
        && head.isConnected();
  }

  /**
   * Returns the WebSocket text frame of {@code prefix} and {@code values} as JSON, the bytes
   * netty-socketio would send for that packet of the main namespace, or null if netty-socketio must
   * send it: binary attachments, or larger than one frame.
   */
  private ByteBuf frame(ByteBufAllocator alloc, String prefix, List<Object> values) {
    // Room for the largest frame header in front; the header is written right before the payload.
    ByteBuf buf = alloc.directBuffer(256);
    boolean done = false;
    try {
      buf.writerIndex(10);
      buf.writeCharSequence(prefix, CharsetUtil.US_ASCII);
      json.writeValue(new ByteBufOutputStream(buf), values);
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
   * pipeline and each flush, a calling thread while it writes a frame; it also keeps the part of a
   * frame the socket did not take, which the loop writes before anything else.
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

    /** Writes and flushes passing here hold the lock. */
    class Locked extends ChannelDuplexHandler {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
          throws Exception {
        lock.lock();
        try {
          writeLocked(ctx, msg, promise);
        } finally {
          lock.unlock();
        }
      }

      void writeLocked(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
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

    /**
     * First in the pipeline: every byte reaching the socket passes here, an ack's remainder first.
     */
    final class Head extends Locked {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        headContext = ctx;
      }

      @Override
      void writeLocked(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (remainder != null) {
          ByteBuf r = remainder;
          remainder = null;
          ctx.write(r, ctx.voidPromise());
        }
        ctx.write(msg, promise);
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
     * while a write passes here, so a calling thread never finds a packet neither queued nor
     * unsent.
     */
    final class Tail extends Locked {}
  }
}
