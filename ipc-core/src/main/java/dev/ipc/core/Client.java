package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.model.Reply;
import dev.ipc.core.model.ServiceDescriptor;

/**
 * A connection to a remote ipc server over one protocol, able to implement any described service
 * interface. Switching protocols is one line: {@code Transports.connect("grpc://localhost:6666")}
 * or {@code Transports.connect("rest://localhost:5000")}. Thread-safe; share one per server.
 */
public interface Client extends RemoteCaller, AutoCloseable {
  /**
   * Returns an implementation of {@code descriptor}'s interface whose calls go to the server.
   * Service errors arrive as {@link ServiceException} with the server's code; no answer is a {@link
   * TransportException}.
   */
  default <S> S service(ServiceDescriptor<S> descriptor) {
    return descriptor.client(this);
  }

  /**
   * Returns a proxy implementing the service interface {@code type} (described by {@link
   * ServiceDescriptor#of}) whose calls go to the server; its default methods run locally, except
   * streaming ones (a {@link java.util.concurrent.Flow.Publisher} answer: subscribing opens the
   * stream on the server).
   *
   * @throws IllegalArgumentException naming the method and type when the interface cannot be
   *     described
   */
  default <S> S service(Class<S> type) {
    return ServiceDescriptor.of(type).client(this);
  }

  /**
   * Calls {@code operation} with {@code metadata} sent along (gRPC metadata, HTTP headers).
   * Adapters that can send metadata override this and {@link #call(Operation, Object)} calls it.
   *
   * @throws UnsupportedOperationException if {@code metadata} is not empty and this protocol's
   *     client cannot send it per call
   */
  default Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
    if (!metadata.isEmpty()) {
      throw new UnsupportedOperationException(
          getClass().getSimpleName() + " cannot send metadata with a call");
    }
    return call(operation, request);
  }

  /**
   * Returns a view of this client that sends {@code metadata} with every call, for {@link
   * #service}'s proxies too; it shares this client's connections, and closing it closes nothing.
   * Cheap: make one per call for per-call metadata.
   */
  default Client withMetadata(Metadata metadata) {
    return new MetadataClient(this, requireNonNull(metadata, "metadata"));
  }

  /**
   * Returns a view of this client that sends {@code Authorization: Bearer <token>} with every call.
   */
  default Client withBearerToken(String token) {
    requireNonNull(token, "token");
    return withMetadata(Metadata.of("authorization", "Bearer " + token));
  }

  /** Releases connections; calls after it fail with {@link TransportException}. Idempotent. */
  @Override
  void close();
}
