package dev.ipc.core.spi;

import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries published values (see {@link dev.ipc.core.model.Operation#publishes()}) between the nodes
 * that serve one service: every node hears every value published on any node, its own included,
 * exactly once, so feeds, streams and Socket.IO broadcasts reach subscribers wherever they are
 * connected. The default keeps values in this process (one node); {@code ipc-redis} carries them over
 * Redis. Set with {@code Transports.builder().bus(...)}.
 */
public interface EventBus {
  /**
   * Joins the bus for one server: values published on any node go to {@code deliver}, which must not
   * block. {@code services} are what the server serves, so a bus that carries values as bytes can find
   * each value's operation and type.
   *
   * @throws IllegalStateException if the bus cannot be joined (its message says why)
   */
  Node join(List<ServiceDescriptor<?>> services, Consumer<Published> deliver);

  /** One server's place on the bus. Thread-safe. */
  interface Node extends AutoCloseable {
    /**
     * Publishes a value: this node's {@code deliver} hears it at once, on this thread (whatever the
     * network does), the other nodes as soon as the bus carries it. Never blocks on the network.
     */
    void publish(Published published);

    /** Leaves the bus. Idempotent. */
    @Override
    void close();
  }

  /** Returns the bus of one process: what is published is delivered here, at once, and nowhere else. */
  static EventBus local() {
    return (services, deliver) ->
        new Node() {
          @Override
          public void publish(Published published) {
            deliver.accept(published);
          }

          @Override
          public void close() {}
        };
  }
}
