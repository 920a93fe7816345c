package dev.ipc.core.spi;

/** A transport's handle on one open stream ({@link BoundOperation#stream}). Thread-safe. */
public interface StreamHandle {
  /** Says the transport can take values again ({@link StreamSink#isReady()} turned true). */
  void ready();

  /**
   * Ends the stream from the caller's side (it cancelled, or its connection closed): the publisher
   * is cancelled and the sink hears nothing more. Idempotent.
   */
  void cancel();
}
