package dev.ipc.core.model;

import static java.util.Objects.requireNonNull;

/**
 * What a {@link ServiceDescriptor}'s client factory uses to implement the service interface: it
 * calls operations by name through a protocol's {@link RemoteCaller}. Thread-safe.
 */
public final class Stub {
  private final ServiceDescriptor<?> service;
  private final RemoteCaller caller;

  Stub(ServiceDescriptor<?> service, RemoteCaller caller) {
    this.service = service;
    this.caller = requireNonNull(caller, "caller");
  }

  /** Calls the named operation and returns its reply. */
  public Reply reply(String operation, Object request) {
    return caller.call(service.operation(operation), request);
  }

  /** Calls the named operation and returns its value (a record, or a list for many-operations). */
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <T> T call(String operation, Object request) {
    return (T) reply(operation, request).value();
  }

  @Override
  public String toString() {
    return String.valueOf(caller);
  }
}
