package dev.ipc.core;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * A running server: every transport {@link Transports#serve} started, bound and serving. Closing it
 * stops accepting, lets calls in flight finish within the grace period, then stops. Thread-safe.
 */
public interface Server extends AutoCloseable {
  /**
   * Returns the bound address of the named transport ({@code "grpc"}), with the real port when port
   * 0 was asked.
   *
   * @throws IllegalArgumentException if no transport of that name was started
   */
  InetSocketAddress address(String transport);

  /** Returns the bound port of the named transport; see {@link #address(String)}. */
  default int port(String transport) {
    return address(transport).getPort();
  }

  /** Returns every transport's bound address, in start order. */
  Map<String, InetSocketAddress> addresses();

  /**
   * Returns how many streams are open now, over every transport (gRPC server streams, GraphQL
   * subscriptions, Server-Sent Events, Socket.IO subscriptions); a cancelled one leaves at once.
   */
  int openStreams();

  /** Returns what the server holds and has done, read now; see {@link ServerStats}. */
  ServerStats stats();

  /** Returns the grace period {@link #close()} gives calls in flight. */
  Duration gracePeriod();

  /** Closes this server when the JVM shuts down (Ctrl-C, SIGTERM), so a main needs no hook. */
  Server closeOnJvmShutdown();

  /** Blocks until {@link #close()} has finished. */
  void awaitTermination() throws InterruptedException;

  /**
   * Stops accepting calls, waits up to the grace period for calls in flight, then stops every
   * transport. Idempotent: a second call waits for the first to finish.
   */
  @Override
  void close();
}
