package dev.ipc.core;

import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.model.ServiceDescriptor;

/**
 * A connection to a remote ipc server over one protocol, able to implement any described service
 * interface. Switching protocols is one line: {@code Transports.connect("grpc://localhost:6666")} or
 * {@code Transports.connect("rest://localhost:5000")}. Thread-safe; share one per server.
 */
public interface Client extends RemoteCaller, AutoCloseable {
  /**
   * Returns an implementation of {@code descriptor}'s interface whose calls go to the server. Service
   * errors arrive as {@link ServiceException} with the server's code; no answer is a
   * {@link TransportException}.
   */
  default <S> S service(ServiceDescriptor<S> descriptor) {
    return descriptor.client(this);
  }

  /**
   * Returns a proxy implementing the service interface {@code type} (described by
   * {@link ServiceDescriptor#of}) whose calls go to the server; its default methods run locally.
   *
   * @throws IllegalArgumentException naming the method and type when the interface cannot be described
   */
  default <S> S service(Class<S> type) {
    return ServiceDescriptor.of(type).client(this);
  }

  /** Releases connections; calls after it fail with {@link TransportException}. Idempotent. */
  @Override
  void close();
}
