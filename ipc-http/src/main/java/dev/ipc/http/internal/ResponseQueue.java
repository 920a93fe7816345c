package dev.ipc.http.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayDeque;

/**
 * One connection's pipelining queue: HTTP/1.1 answers must leave in the order their requests came,
 * so requests wait here and are answered one at a time. Both the event loop and the call thread
 * writing an answer finish requests, so everything here is guarded by this object; it also stops
 * reading while too many requests wait (back-pressure) and sends a {@code 100 Continue} only once
 * the answers owed before it are written.
 */
// Netty's writeAndFlush returns a future left alone on purpose: a lost 100 Continue ends with the
// connection closed, which its close listener already handles.
@SuppressWarnings("FutureReturnValueIgnored")
final class ResponseQueue {
  /** Beyond this many queued pipelined requests, stop reading until the queue drains. */
  private static final int MAX_QUEUED = 8;

  private final HttpServer server;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean busy; // a request is being answered: taken from the queue and not yet written
  private boolean continueOwed; // a 100 Continue waits for the answers owed before it

  ResponseQueue(HttpServer server) {
    this.server = server;
  }

  /** Sets the connection's context, once its handler is in the pipeline. */
  void attach(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Adds {@code p} behind the requests waiting; returns whether none is being answered, so the
   * caller must start answering. Stops reading while too many wait.
   */
  synchronized boolean add(Pending p) {
    queue.add(p);
    if (queue.size() > MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
    return !busy;
  }

  /** Returns the next request to answer, now busy with it; or null, idle again, if none waits. */
  synchronized Pending take() {
    Pending p = queue.poll();
    if (p == null) {
      idle();
      return null;
    }
    busy = true;
    return p;
  }

  /** After an answer is written: returns whether more requests wait; if none does, idles. */
  synchronized boolean answered() {
    boolean more = !queue.isEmpty();
    if (!more) {
      idle();
    }
    return more;
  }

  /**
   * Returns whether a {@code 100 Continue} for the request arriving now must wait, and if so owes
   * it. Answers to earlier pipelined requests are owed, and a call thread may be writing one
   * straight to the socket: the 100 must not come before them or land inside one. It is sent when
   * the last of them is written (see {@link #idle}).
   */
  synchronized boolean deferContinue() {
    if (busy || !queue.isEmpty()) {
      continueOwed = true;
      return true;
    }
    return false;
  }

  /** Whether the answer to {@code p} closes the connection. */
  synchronized boolean closesAfter(Pending p) {
    // While the server closes, only the last answer owed on this connection says close: the
    // requests
    // queued behind this one are answered (503) first, in order, then the connection closes.
    return !p.keepAlive() || (server.isClosing() && queue.isEmpty());
  }

  /** Whether a request is being handled or waits: the client then waits for us. */
  synchronized boolean working() {
    return busy || !queue.isEmpty();
  }

  /** Drops the requests waiting, giving back their body bytes. */
  synchronized void drain() {
    Pending p;
    while ((p = queue.poll()) != null) {
      server.giveBodyBytes(p.bodyBytes());
      server.requestFinished();
    }
  }

  /** Drops the requests waiting and the one being answered: the connection is closing. */
  synchronized void drop() {
    drain();
    busy = false;
  }

  /** With no request waiting: not busy, and reading again. Holds this. */
  private void idle() {
    busy = false;
    if (!ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
    if (continueOwed) {
      continueOwed = false;
      // Every owed answer is written, or queued in Netty ahead of this (a partial direct write's
      // rest is written before its listener gets here); from a call thread this goes through the
      // loop.
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }
}
