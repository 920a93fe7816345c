package dev.ipc.core.spi;

import dev.ipc.core.ServiceException;

/**
 * Where a transport writes one streaming call's values ({@link BoundOperation#stream}): a gRPC
 * server stream, a WebSocket or SSE subscription, a Socket.IO subscription. The server calls it one
 * method at a time, never concurrently, from its executor's threads; after {@link #error} or {@link
 * #complete} nothing more. Every method must return without blocking.
 */
public interface StreamSink {
  /**
   * Returns whether the transport can take a value now without growing its own buffer (a writable
   * channel, a ready gRPC call). While false the server holds values in the stream's bounded
   * buffer; call {@link StreamHandle#ready()} when it turns true again.
   */
  default boolean isReady() {
    return true;
  }

  /**
   * Sends one value (an instance of the operation's output type). {@code id} increases along the
   * stream; for a {@link dev.ipc.core.Feed} it is the published value's id, which a caller may
   * resume after ({@code Last-Event-ID}).
   */
  void next(long id, Object value);

  /**
   * Ends the stream with an error: RESOURCE_EXHAUSTED for a subscriber that fell behind, the
   * service's own error, or INTERNAL.
   */
  void error(ServiceException error);

  /** Ends the stream normally: its publisher completed, or the server is closing. */
  void complete();
}
