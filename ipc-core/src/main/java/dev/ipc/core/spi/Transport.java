package dev.ipc.core.spi;

import java.io.IOException;

/** A configured transport, not yet started. Each adapter's typed builder produces one. */
public interface Transport {
  /** Returns the transport's name ({@code grpc}); the handle reports addresses under it. */
  String name();

  /** Returns the address it will bind, as configured ({@code 0.0.0.0:6666}), for messages. */
  String address();

  /**
   * Binds and starts serving every service of {@code context}; returns once bound.
   *
   * @throws IOException if it cannot bind (for example the port is taken)
   */
  RunningTransport start(TransportContext context) throws IOException;
}
