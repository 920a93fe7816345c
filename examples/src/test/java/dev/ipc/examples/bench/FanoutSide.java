package dev.ipc.examples.bench;

/**
 * One side of the fan-out benchmark: a server with N subscribers to its task feed and one publisher
 * putting tasks through a client of the same protocol. Not thread-safe: the benchmark drives it
 * from one thread.
 */
interface FanoutSide extends AutoCloseable {
  /** The name printed in the table ({@code ipc}, {@code grpc-java}, {@code node}). */
  String name();

  /**
   * Opens {@code recorder.subscribers()} subscribers, subscriber {@code i} reporting each task's
   * name to {@code recorder.onValue(i, name)}; returns once every one was asked for (not
   * necessarily subscribed yet: the benchmark publishes until each has received something).
   */
  void subscribe(FanoutRecorder recorder) throws Exception;

  /** Ends every subscriber opened by {@link #subscribe} and closes what they alone used. */
  void unsubscribe() throws Exception;

  /** Puts one task and returns once the server answered. */
  void put(long id, String name) throws Exception;

  /** The server's open connections, where it counts them, for the log. */
  default String connections() {
    return "";
  }

  /** Subscribers the server has ended since start because they fell behind, or -1 if unknown. */
  long endedBehind();

  @Override
  void close() throws Exception;
}
