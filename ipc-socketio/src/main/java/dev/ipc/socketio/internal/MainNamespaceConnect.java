package dev.ipc.socketio.internal;

import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Tells when a client connects to the main namespace. netty-socketio 2.0.14 joins every Engine.IO
 * session to the main namespace, and runs that namespace's connect listeners, as soon as its
 * transport is bound ({@code AuthorizeHandler#connect}), before the client's Socket.IO {@code
 * CONNECT} packet ({@code 40}); when that packet comes it answers it ({@code 40{"sid":...}}) but,
 * the session being in the namespace already, calls no listener. Socket.IO's own server connects a
 * socket only on its {@code CONNECT}: a host that sends from its connect listener must not reach a
 * client before the client's {@code 40} has been answered. This passes each main-namespace {@code
 * CONNECT} on to netty-socketio, then hands the session to the adapter, which runs its listeners.
 * It looks at two bytes of each incoming packet.
 *
 * <p>Before passing a {@code CONNECT} on, it asks the adapter whether to admit it ({@link
 * Admission}, given the packet's {@code auth} payload as JSON text): a refused one goes no further,
 * so netty-socketio never answers it, and the adapter has sent the client its connect error. A
 * decision not made at once (a token verifier running on the call executor) holds the session's
 * Socket.IO packets back, this {@code CONNECT} and whatever the session sends after it, on any of
 * its connections, until it is made; they then go on in order, on an event loop. Engine.IO packets
 * (pings, pongs, upgrades) are not held. A session holding more than {@code maxHeldBytes} is
 * disconnected.
 */
@Sharable
public final class MainNamespaceConnect extends ChannelInboundHandlerAdapter {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MainNamespaceConnect.class);

  /** Decides whether a main-namespace {@code CONNECT} goes on. */
  @FunctionalInterface
  public interface Admission {
    /**
     * Returns, or completes later with, whether {@code head}'s {@code CONNECT} goes on to
     * netty-socketio; when it does not, this has sent the client its connect error. {@code auth} is
     * the packet's payload as JSON text ({@code {"token":"..."}}), or null when it has none. Called
     * on the event loop: what may take long must complete the answer from elsewhere.
     */
    java.util.concurrent.CompletionStage<Boolean> admit(ClientHead head, String auth);
  }

  private final Admission admission;
  private final Consumer<ClientHead> connected;
  private final long maxHeldBytes;

  /** Per session with a decision pending, what it sent since, in order. */
  private final java.util.concurrent.ConcurrentHashMap<java.util.UUID, Held> held =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Calls {@code connected} on the event loop, after netty-socketio has answered the packet. */
  public MainNamespaceConnect(Consumer<ClientHead> connected) {
    this(
        (head, auth) -> java.util.concurrent.CompletableFuture.completedFuture(true),
        connected,
        Long.MAX_VALUE);
  }

  /**
   * Asks {@code admission} about each main-namespace {@code CONNECT} first, then calls {@code
   * connected} on the event loop after netty-socketio has answered an admitted one.
   */
  public MainNamespaceConnect(
      Admission admission, Consumer<ClientHead> connected, long maxHeldBytes) {
    this.admission = admission;
    this.connected = connected;
    this.maxHeldBytes = maxHeldBytes;
  }

  /**
   * One message held back: a copy of its bytes, where it came from, and for a CONNECT its decision.
   */
  private static final class Pending {
    final ChannelHandlerContext ctx;
    final io.netty.channel.ChannelInboundHandler next;
    final PacketsMessage message;
    java.util.concurrent.CompletableFuture<Boolean> decision;

    Pending(
        ChannelHandlerContext ctx,
        PacketsMessage message,
        java.util.concurrent.CompletableFuture<Boolean> decision) {
      this.ctx = ctx;
      // The handler after this one, to pass the message to even once its polling connection is
      // gone.
      this.next =
          (io.netty.channel.ChannelInboundHandler)
              ctx.pipeline()
                  .get(com.corundumstudio.socketio.SocketIOChannelInitializer.PACKET_HANDLER);
      this.message = message;
      this.decision = decision;
    }
  }

  /** A session's held messages; guarded by itself. */
  private static final class Held {
    final java.util.ArrayDeque<Pending> queue = new java.util.ArrayDeque<>();
    long bytes;

    /** Set when its last message went on: the session holds nothing any more. */
    boolean done;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (!(msg instanceof PacketsMessage packets)) {
      super.channelRead(ctx, msg);
      return;
    }
    ClientHead head = packets.getClient();
    ByteBuf content = packets.getContent();
    if (!content.isReadable() || content.getByte(content.readerIndex()) != '4') {
      super.channelRead(ctx, msg); // Engine.IO's own packets are never held
      return;
    }
    if (hold(ctx, packets)) {
      return;
    }
    if (!isMainConnect(content)) {
      super.channelRead(ctx, msg);
      return;
    }
    java.util.concurrent.CompletableFuture<Boolean> decision =
        admission.admit(head, authPayload(content)).toCompletableFuture();
    if (!decision.isDone()) {
      Held h = new Held();
      h.queue.add(new Pending(ctx, copy(packets), decision));
      h.bytes = content.readableBytes();
      while (true) {
        Held before = held.putIfAbsent(head.getSessionId(), h);
        if (before == null) {
          break;
        }
        // Another connection of the session began holding meanwhile: this one queues behind it.
        synchronized (before) {
          if (!before.done) {
            before.queue.addAll(h.queue);
            return;
          }
        }
        held.remove(head.getSessionId(), before); // drained in between: take its place
      }
      decision.whenComplete((ok, e) -> ctx.channel().eventLoop().execute(() -> drain(head, h)));
      return;
    }
    if (!Boolean.TRUE.equals(decision.getNow(false))) {
      return;
    }
    super.channelRead(ctx, msg);
    connected.accept(head);
  }

  /**
   * Queues a copy of {@code packets} if its session holds its messages now; returns whether it did.
   */
  private boolean hold(ChannelHandlerContext ctx, PacketsMessage packets) {
    ClientHead head = packets.getClient();
    Held h = held.get(head.getSessionId());
    if (h == null) {
      return false;
    }
    boolean tooMuch;
    synchronized (h) {
      if (h.done) {
        return false; // its last message went on meanwhile: this one goes on as usual
      }
      h.bytes += packets.getContent().readableBytes();
      tooMuch = h.bytes > maxHeldBytes;
      if (!tooMuch) {
        h.queue.add(new Pending(ctx, copy(packets), null));
      }
    }
    if (tooMuch) {
      LOG.debug(
          "disconnected {}: more than {} bytes sent while its connect was being decided",
          head.getSessionId(),
          maxHeldBytes);
      synchronized (head) {
        head.disconnect();
      }
    }
    return true;
  }

  /**
   * Passes {@code h}'s messages on in order, on this event loop, deciding each CONNECT among them;
   * stops at one whose decision is pending, and goes on once it is made.
   */
  private void drain(ClientHead head, Held h) {
    while (true) {
      Pending p;
      synchronized (h) {
        p = h.queue.peek();
        if (p == null) {
          h.done = true;
          held.remove(head.getSessionId(), h);
          return;
        }
      }
      ByteBuf content = p.message.getContent();
      boolean connect = isMainConnect(content);
      if (connect && p.decision == null) {
        p.decision = admission.admit(head, authPayload(content)).toCompletableFuture();
      }
      if (connect && !p.decision.isDone()) {
        p.decision.whenComplete(
            (ok, e) -> p.ctx.channel().eventLoop().execute(() -> drain(head, h)));
        return;
      }
      synchronized (h) {
        h.queue.poll();
        h.bytes -= content.readableBytes();
      }
      try {
        if (!connect || Boolean.TRUE.equals(p.decision.getNow(false))) {
          // Straight to netty-socketio's packet handler: a polling POST's connection may be closed
          // by
          // now, its pipeline torn down; the handler only reads the message.
          p.next.channelRead(p.ctx, p.message);
          if (connect) {
            connected.accept(head);
          }
        }
      } catch (Exception | Error e) {
        LOG.debug("a held message of {} failed; closing its connection", head.getSessionId(), e);
        p.ctx.channel().close();
      } finally {
        content.release();
      }
    }
  }

  private static PacketsMessage copy(PacketsMessage m) {
    return new PacketsMessage(m.getClient(), m.getContent().copy(), m.getTransport());
  }

  /**
   * {@code 40} or {@code 40{...}}: a CONNECT to the main namespace, bare or with an auth payload.
   */
  static boolean isMainConnect(ByteBuf p) {
    int i = p.readerIndex();
    int n = p.readableBytes();
    return n >= 2
        && p.getByte(i) == '4'
        && p.getByte(i + 1) == '0'
        && (n == 2 || p.getByte(i + 2) == '{');
  }

  /**
   * Returns the JSON after {@code 40} of a main-namespace CONNECT, up to the end or the record
   * separator of a long-polling payload ({@code 0x1e}), or null when there is none.
   */
  static String authPayload(ByteBuf p) {
    int start = p.readerIndex() + 2;
    int end = p.writerIndex();
    if (start >= end) {
      return null;
    }
    int sep = p.indexOf(start, end, (byte) 0x1e);
    return p.toString(start, (sep < 0 ? end : sep) - start, StandardCharsets.UTF_8);
  }
}
