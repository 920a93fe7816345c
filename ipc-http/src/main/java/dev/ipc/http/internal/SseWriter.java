package dev.ipc.http.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of one Server-Sent Events answer. Every write goes through the connection's pipeline
 * (its encoder frames the chunks, and over TLS its {@code SslHandler} encrypts them), never
 * straight to the socket: Netty orders writes submitted from any thread, and the heartbeat runs on
 * the event loop. The lock keeps each write and the end in one order, so nothing follows the
 * terminating chunk.
 */
// Netty's write and close futures are left alone where the listener already handles failure.
@SuppressWarnings("FutureReturnValueIgnored")
final class SseWriter implements EventWriter {
  private final HttpServer server;
  private final ChannelHandlerContext ctx;
  private final Object lock = new Object();
  private final List<Runnable> onWritable = new CopyOnWriteArrayList<>();
  private final List<Runnable> onClose = new ArrayList<>(2); // guarded by lock
  private final AtomicBoolean finished = new AtomicBoolean();
  private boolean ended; // guarded by lock
  private boolean closed; // guarded by lock
  private volatile long lastWrite = System.nanoTime();
  private ScheduledFuture<?> heartbeat; // guarded by lock

  SseWriter(HttpServer server, ChannelHandlerContext ctx) {
    this.server = server;
    this.ctx = ctx;
  }

  /** Starts the heartbeat; called once the head is queued. */
  void started() {
    scheduleHeartbeat(server.heartbeatNanos);
  }

  private void scheduleHeartbeat(long delayNanos) {
    synchronized (lock) {
      if (ended || closed) {
        return;
      }
      try {
        heartbeat = ctx.executor().schedule(this::beat, delayNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The event loop is stopping, and the connection with it.
      }
    }
  }

  private void beat() {
    long idle = System.nanoTime() - lastWrite;
    long period = server.heartbeatNanos;
    if (idle >= period) {
      if (ctx.channel().isWritable()) {
        // A client that does not read gets no more heartbeats: its buffer is full anyway.
        write(":\n\n");
      }
      scheduleHeartbeat(period);
    } else {
      scheduleHeartbeat(period - idle);
    }
  }

  @Override
  public boolean send(String event, String id, String data) {
    StringBuilder sb = new StringBuilder(32 + (data == null ? 0 : data.length()));
    if (event != null) {
      checkField("event", event, false);
      sb.append("event: ").append(event).append('\n');
    }
    if (id != null) {
      checkField("id", id, true);
      sb.append("id: ").append(id).append('\n');
    }
    appendLines(sb, "data: ", data == null ? "" : data);
    sb.append('\n');
    return write(sb);
  }

  @Override
  public boolean comment(String text) {
    StringBuilder sb = new StringBuilder(8 + text.length());
    appendLines(sb, ": ", text);
    sb.append('\n');
    return write(sb);
  }

  private static void checkField(String name, String value, boolean noNul) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || (noNul && c == 0)) {
        throw new IllegalArgumentException(name + ": holds a line break (expected: one line)");
      }
    }
  }

  /**
   * Appends {@code text} one line at a time, each as {@code prefix + line + LF}; CRLF, CR, LF
   * split.
   */
  private static void appendLines(StringBuilder sb, String prefix, String text) {
    int start = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n') {
        sb.append(prefix).append(text, start, i).append('\n');
        if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    sb.append(prefix).append(text, start, n).append('\n');
  }

  private boolean write(CharSequence text) {
    synchronized (lock) {
      if (ended || closed) {
        return false;
      }
      lastWrite = System.nanoTime();
      ByteBuf buf = ByteBufUtil.writeUtf8(ctx.alloc(), text);
      ctx.writeAndFlush(new DefaultHttpContent(buf))
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      f.channel().close();
                    }
                  });
      return true;
    }
  }

  @Override
  public boolean isWritable() {
    synchronized (lock) {
      if (ended || closed) {
        return false;
      }
    }
    return ctx.channel().isWritable();
  }

  @Override
  public void onWritable(Runnable action) {
    onWritable.add(java.util.Objects.requireNonNull(action, "action"));
  }

  @Override
  public void onClose(Runnable action) {
    java.util.Objects.requireNonNull(action, "action");
    synchronized (lock) {
      if (!closed) {
        onClose.add(action);
        return;
      }
    }
    action.run();
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return !ended && !closed;
    }
  }

  @Override
  public void end() {
    ChannelFuture written;
    synchronized (lock) {
      if (ended || closed) {
        return;
      }
      ended = true;
      if (heartbeat != null) {
        heartbeat.cancel(false);
      }
      // Written after every event queued before (same lock, same order in Netty's queue); the
      // request
      // stays in flight until it is flushed, so a graceful close waits for it.
      written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    written.addListener(
        (ChannelFutureListener)
            f -> {
              finish();
              f.channel().close();
            });
    server.watchWrite(written);
  }

  /** The connection turned writable or not: runs the writable actions when it is writable. */
  void writabilityChanged() {
    if (ctx.channel().isWritable() && isOpen()) {
      for (Runnable r : onWritable) {
        run(r);
      }
    }
  }

  /** The connection closed: nothing more is written, and the close actions run. Idempotent. */
  void closed() {
    List<Runnable> actions;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (heartbeat != null) {
        heartbeat.cancel(false);
      }
      actions = new ArrayList<>(onClose);
      onClose.clear();
    }
    finish();
    for (Runnable r : actions) {
      run(r);
    }
  }

  /** The request is answered: once, at the flushed end or at the close, whichever comes first. */
  private void finish() {
    if (finished.compareAndSet(false, true)) {
      server.requestFinished();
    }
  }

  private void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      HttpServer.warn(server.name + ": an event stream callback failed", e);
    }
  }
}
