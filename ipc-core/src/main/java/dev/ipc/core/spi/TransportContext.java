package dev.ipc.core.spi;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** What a transport serves, given by {@code Transports.serve} to {@link Transport#start}. */
public interface TransportContext {
  /** Returns the services to serve, in the order the host gave them. */
  List<BoundService> services();

  /**
   * Returns the executor service code runs on (never an event-loop thread). It rejects work when
   * saturated: answer RESOURCE_EXHAUSTED then.
   */
  Executor executor();

  /**
   * Returns whether the server is ready for new calls: false until every transport started, and
   * from the moment a close begins (before it stops accepting; see the readiness delay). {@code
   * /readyz} and gRPC health follow it.
   */
  boolean isReady();

  /** Returns whether the server is closing; new calls should be refused with UNAVAILABLE. */
  boolean isClosing();

  /**
   * Calls {@code listener} with every published value (see {@link
   * dev.ipc.core.model.Operation#publishes()}), from whatever transport the call came; returns a
   * handle that stops it. The listener must not block.
   */
  AutoCloseable subscribe(Consumer<Published> listener);

  /**
   * Returns the raw channels the server's bus shares with the other nodes ({@code
   * Transports.builder().bus}), for a transport's own cluster protocol; {@link
   * EventBus.Messages#NONE} on one node.
   */
  default EventBus.Messages messages() {
    return EventBus.Messages.NONE;
  }

  /**
   * Returns whether the server authenticates callers ({@code Transports.builder().authenticate}).
   */
  boolean authenticates();

  /**
   * Verifies a credential once for a whole connection (Socket.IO checks the handshake's {@code
   * auth.token} this way) and returns its principal; pass it on with {@link
   * CallSource#withPrincipal}. Returns null for no credential, or when the server does not
   * authenticate.
   *
   * @throws dev.ipc.core.ServiceException UNAUTHENTICATED for a credential that is not valid
   */
  dev.ipc.core.Principal authenticate(String credential);

  /** Returns the server's TLS configuration, if it serves TLS; every transport then serves it. */
  java.util.Optional<dev.ipc.core.Tls> tls();

  /**
   * Returns this context with service code run on {@code executor} instead (a transport's own
   * {@code executor} setting); everything else is this context's.
   */
  default TransportContext withExecutor(Executor executor) {
    return new ExecutorContext(this, java.util.Objects.requireNonNull(executor, "executor"));
  }
}
