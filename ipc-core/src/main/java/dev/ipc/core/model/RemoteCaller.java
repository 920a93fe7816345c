package dev.ipc.core.model;

/**
 * Calls an operation on a remote server over some protocol. A {@link ServiceDescriptor#client}
 * turns one into an implementation of the service interface, so every protocol's client shares that
 * glue.
 */
@FunctionalInterface
public interface RemoteCaller {
  /**
   * Calls {@code operation} with {@code request} (an instance of its input type) and returns the
   * reply.
   *
   * <p>A service's own error is thrown as the core's {@code ServiceException}, with the code the
   * server raised; no answer is a {@code TransportException}.
   */
  Reply call(Operation<?, ?, ?> operation, Object request);
}
