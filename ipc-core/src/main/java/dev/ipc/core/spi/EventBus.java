package dev.ipc.core.spi;

import dev.ipc.core.model.ServiceDescriptor;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Carries published values (see {@link dev.ipc.core.model.Operation#publishes()}) between the nodes
 * that serve one service: every node hears every value published on any node, its own included,
 * exactly once, so feeds, streams and Socket.IO broadcasts reach subscribers wherever they are
 * connected. The default keeps values in this process (one node); {@code ipc-redis} carries them
 * over Redis. Set with {@code Transports.builder().bus(...)}.
 */
public interface EventBus {
  /**
   * Joins the bus for one server: values published on any node go to {@code deliver}, which must
   * not block. {@code services} are what the server serves, so a bus that carries values as bytes
   * can find each value's operation and type.
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

    /**
     * Returns this node's raw channels, on which a transport speaks its own cluster protocol
     * (Socket.IO speaks Node's {@code @socket.io/redis-adapter} there). The local bus has none:
     * {@link Messages#NONE}.
     */
    default Messages messages() {
      return Messages.NONE;
    }

    /**
     * Returns how many published values this node could not hand to the other nodes since it joined
     * (the bus was unreachable): they reached this node's subscribers only. Always 0 on the local
     * bus.
     */
    default long dropped() {
      return 0;
    }

    /** Leaves the bus. Idempotent. */
    @Override
    void close();
  }

  /**
   * Returns the bus of one process: what is published is delivered here, at once, and nowhere else.
   */
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

  /**
   * Named channels of opaque bytes between the nodes, at most once, in the order each sender sent
   * them: what a transport needs to share a cluster with servers that are not ipc (Socket.IO's
   * Redis adapter). Unlike published values, a message comes back to its sender too when the bus
   * carries it (as Redis pub/sub does), so a protocol names its sender in its messages. Listeners
   * run on the bus's thread, one message at a time, and must not block. Thread-safe.
   */
  interface Messages {
    /** Channels that carry nothing: the local bus, one node. */
    Messages NONE =
        new Messages() {
          @Override
          public void send(String channel, byte[] message) {}

          @Override
          public AutoCloseable listen(String channel, BiConsumer<String, byte[]> listener) {
            return () -> {};
          }

          @Override
          public AutoCloseable listenPrefix(String prefix, BiConsumer<String, byte[]> listener) {
            return () -> {};
          }

          @Override
          public boolean carries() {
            return false;
          }
        };

    /**
     * Sends {@code message} on {@code channel}. Never blocks on the network: a message the bus
     * cannot carry now is dropped and counted.
     */
    void send(String channel, byte[] message);

    /**
     * Calls {@code listener} with (channel, message) for each message sent on exactly {@code
     * channel} (Redis {@code SUBSCRIBE}: a peer counting subscribers counts this one); the handle
     * stops it.
     */
    AutoCloseable listen(String channel, BiConsumer<String, byte[]> listener);

    /**
     * Calls {@code listener} for each message on any channel starting with {@code prefix} (Redis
     * {@code PSUBSCRIBE prefix*}, with the prefix's own glob characters escaped); the handle stops
     * it.
     */
    AutoCloseable listenPrefix(String prefix, BiConsumer<String, byte[]> listener);

    /** Returns whether these channels reach other nodes at all (false for {@link #NONE}). */
    default boolean carries() {
      return true;
    }
  }
}
