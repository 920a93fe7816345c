package dev.ipc.http.internal;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One upgraded connection: takes the place of {@link HttpConnection} in the pipeline, after Netty's
 * frame decoder (its frame limit is the server's body limit) and an aggregator joining fragments up
 * to the same limit. Text messages go to the handler on the server's executor, one at a time and in
 * order, through a small inbox; past {@link #MAX_PENDING} waiting the connection stops being read
 * until the handler catches up, so a client cannot queue unbounded work. Writes go through the
 * pipeline (frame encoder, then the {@code SslHandler} over TLS), from any thread; the lock orders
 * them with the close frame, so nothing is written after it.
 */
// Netty's write and close futures are left alone where a listener already handles failure.
@SuppressWarnings("FutureReturnValueIgnored")
final class WebSocketConnection extends ChannelInboundHandlerAdapter implements WebSocketSession {
  /** Messages waiting for the handler beyond which the connection stops being read. */
  private static final int MAX_PENDING = 16;

  /** Marks the handler's {@code onOpen} in the inbox, ahead of every message. */
  private static final Object OPEN = new Object();

  private final HttpServer server;
  private final WebSocketHandler handler;
  private final HttpRequest request;
  private final Object lock = new Object();
  private final ArrayDeque<Object> inbox = new ArrayDeque<>(); // guarded by lock
  private final List<Runnable> onClose = new ArrayList<>(2); // guarded by lock
  private final List<Runnable> onWritable = new CopyOnWriteArrayList<>();
  private boolean running; // guarded by lock: a drain is scheduled or running
  private boolean paused; // guarded by lock: reading stopped until the inbox drains
  private boolean closeSent; // guarded by lock
  private boolean closed; // guarded by lock
  private ScheduledFuture<?> pinger; // guarded by lock
  private volatile ChannelHandlerContext ctx;
  private volatile String subprotocol;

  WebSocketConnection(HttpServer server, WebSocketHandler handler, HttpRequest request) {
    this.server = server;
    this.handler = handler;
    this.request = request;
  }

  /**
   * Returns the aggregator to put before this handler: whole messages up to the body limit, else
   * 1009.
   */
  ChannelHandler aggregator() {
    return new WebSocketFrameAggregator(Math.max(125, server.maxBodyBytes)) {
      @Override
      protected void handleOversizedMessage(ChannelHandlerContext c, WebSocketFrame oversized) {
        ReferenceCountUtil.release(oversized);
        close(
            WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
            "message larger than " + server.maxBodyBytes + " bytes");
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext c) {
    this.ctx = c;
    server.webSockets.add(this);
    c.channel().closeFuture().addListener(f -> closed());
  }

  /** The handshake is written: the handler opens, pings start and the connection is read again. */
  void opened(WebSocketServerHandshaker handshaker) {
    subprotocol = handshaker.selectedSubprotocol();
    long period = Math.max(1, Math.min(server.heartbeatNanos, server.idleNanos / 2));
    synchronized (lock) {
      if (!closed) {
        try {
          pinger =
              ctx.executor().scheduleAtFixedRate(this::ping, period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
          // The event loop is stopping, and the connection with it.
        }
      }
    }
    enqueue(OPEN);
    ctx.channel().config().setAutoRead(true);
  }

  private void ping() {
    synchronized (lock) {
      if (!closeSent && !closed && ctx.channel().isWritable()) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext c, Object msg) {
    try {
      if (msg instanceof TextWebSocketFrame t) {
        enqueue(t.text());
      } else if (msg instanceof BinaryWebSocketFrame) {
        close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary messages are not accepted");
      } else if (msg instanceof PingWebSocketFrame ping) {
        synchronized (lock) {
          if (!closeSent && !closed) {
            c.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
          }
        }
      } else if (msg instanceof CloseWebSocketFrame close) {
        answerClose(close);
      }
      // Pongs (answers to our pings) only prove the peer is there: reading them resets the idle
      // timer.
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Echoes the client's close (its code, when it sent a valid one) and closes once written. */
  private void answerClose(CloseWebSocketFrame close) {
    int code = close.statusCode();
    ChannelFuture f;
    synchronized (lock) {
      if (closeSent || closed) {
        ctx.channel().close();
        return;
      }
      closeSent = true;
      f =
          ctx.writeAndFlush(
              code >= 0 && WebSocketCloseStatus.isValidStatusCode(code)
                  ? new CloseWebSocketFrame(code, null)
                  : new CloseWebSocketFrame());
    }
    f.addListener(ChannelFutureListener.CLOSE);
    server.watchWrite(f);
  }

  private void enqueue(Object item) {
    boolean start;
    synchronized (lock) {
      if (closed) {
        return;
      }
      inbox.addLast(item);
      if (inbox.size() > MAX_PENDING && !paused) {
        paused = true;
        ctx.channel().config().setAutoRead(false);
      }
      start = !running;
      running = true;
    }
    if (start) {
      try {
        server.executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        synchronized (lock) {
          running = false;
          inbox.clear();
        }
        close(1013, "server busy; try again later"); // RFC 6455 registry: Try Again Later
      }
    }
  }

  private void drain() {
    while (true) {
      Object item;
      synchronized (lock) {
        item = closed ? null : inbox.pollFirst();
        if (item == null) {
          running = false;
          inbox.clear();
          resume();
          return;
        }
        if (inbox.size() <= MAX_PENDING / 2) {
          resume();
        }
      }
      try {
        if (item == OPEN) {
          handler.onOpen(this);
        } else {
          handler.onText(this, (String) item);
        }
      } catch (Throwable t) {
        HttpServer.warn(server.name + ": the WebSocket handler failed for " + request, t);
        close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(), "internal error");
      }
    }
  }

  /** Reads again after a pause. Holds lock. */
  private void resume() {
    if (paused) {
      paused = false;
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext c, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Nothing read, not even a pong to our pings, for the idle timeout: the peer is gone.
      c.close();
    } else {
      c.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext c) {
    if (c.channel().isWritable() && isOpen()) {
      for (Runnable r : onWritable) {
        run(r);
      }
    }
    c.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    if (cause instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException bad
        && bad.closeStatus() != null) {
      // A frame over the limit (1009), unmasked, malformed (1002), bad UTF-8 (1007): the decoder
      // discards the rest; the client hears why.
      close(bad.closeStatus().code(), bad.closeStatus().reasonText());
      return;
    }
    HttpServer.debug(server.name + ": WebSocket connection failed", cause);
    c.close();
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public String subprotocol() {
    return subprotocol;
  }

  @Override
  public boolean sendText(String text) {
    Objects.requireNonNull(text, "text");
    synchronized (lock) {
      if (closeSent || closed) {
        return false;
      }
      ctx.writeAndFlush(new TextWebSocketFrame(text))
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
    return isOpen() && ctx.channel().isWritable();
  }

  @Override
  public void onWritable(Runnable action) {
    onWritable.add(Objects.requireNonNull(action, "action"));
  }

  @Override
  public void close(int code, String reason) {
    if (!WebSocketCloseStatus.isValidStatusCode(code)) {
      throw new IllegalArgumentException("code: " + code + " (expected: a close code, 1000-4999)");
    }
    String why = reason == null ? "" : cut(reason);
    ChannelFuture f;
    synchronized (lock) {
      if (closeSent || closed) {
        return;
      }
      closeSent = true;
      if (pinger != null) {
        pinger.cancel(false);
      }
      f = ctx.writeAndFlush(new CloseWebSocketFrame(code, why));
    }
    // Closed once the frame is out, without waiting for the client's answer (which it may never
    // send);
    // a client that does not read gets the write timeout.
    f.addListener(ChannelFutureListener.CLOSE);
    server.watchWrite(f);
  }

  /** Cuts {@code reason} to the 123 UTF-8 bytes a close frame holds, at a character boundary. */
  private static String cut(String reason) {
    if (reason.getBytes(StandardCharsets.UTF_8).length <= 123) {
      return reason;
    }
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < reason.length(); ) {
      int cp = reason.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > 123) {
        break;
      }
      sb.appendCodePoint(cp);
      bytes += n;
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /** Sends 1001 (the server is going away); returns the connection's close future. */
  io.netty.util.concurrent.Future<Void> goingAway() {
    close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "server shutting down");
    return ctx.channel().closeFuture();
  }

  @Override
  public void onClose(Runnable action) {
    Objects.requireNonNull(action, "action");
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
      return !closeSent && !closed;
    }
  }

  private void closed() {
    List<Runnable> actions;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      inbox.clear();
      if (pinger != null) {
        pinger.cancel(false);
      }
      actions = new ArrayList<>(onClose);
      onClose.clear();
    }
    server.webSockets.remove(this);
    for (Runnable r : actions) {
      run(r);
    }
  }

  private void run(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      HttpServer.warn(server.name + ": a WebSocket callback failed", e);
    }
  }

  @Override
  public String toString() {
    return "WebSocket " + request;
  }
}
