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
   * @throws dev.ipc.core.ServiceException the service's own error, with the code the server raised
   * @throws dev.ipc.core.TransportException when no answer came back
   */
  Reply call(Operation<?, ?, ?> operation, Object request);
}
