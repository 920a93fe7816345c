package dev.ipc.core.spi;

import java.net.InetSocketAddress;
import java.time.Duration;

/** A started transport, as {@link Transport#start} returns it. */
public interface RunningTransport {
  /** Returns the bound address (with the real port when 0 was asked). */
  InetSocketAddress localAddress();

  /**
   * Says the server is about to close: health checks answer not ready ({@code /readyz} 503, gRPC
   * health NOT_SERVING) while calls are still served, so a load balancer stops sending new ones
   * first. Called once, before the readiness delay and {@link #beginShutdown()}. Returns at once.
   */
  default void beginDrain() {}

  /** Stops accepting new connections and calls; calls in flight go on. Returns at once. */
  void beginShutdown();

  /** Waits up to {@code timeout} for calls in flight to finish; returns whether all did. */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /**
   * Returns how many client connections are open now (Socket.IO: sessions), or -1 when the
   * transport does not count them.
   */
  default int openConnections() {
    return -1;
  }

  /**
   * Returns how many events outside streams this transport handed to client connections since it
   * started, one per recipient (Socket.IO's broadcasts), or -1 when it pushes none.
   */
  default long eventsDelivered() {
    return -1;
  }

  /**
   * Returns how many of those events did not reach a recipient they were meant for (its connection
   * was closing or too far behind), or -1 when the transport pushes none.
   */
  default long eventsDropped() {
    return -1;
  }

  /** Stops everything now and releases the port. Idempotent. */
  void shutdownNow();
}
