package dev.ipc.core.spi;

import java.util.concurrent.Executor;

/**
 * A context whose service code runs on a transport's own executor: {@link
 * TransportContext#withExecutor}.
 */
final class ExecutorContext implements TransportContext {
  private final TransportContext context;
  private final Executor executor;

  ExecutorContext(TransportContext context, Executor executor) {
    this.context = context;
    this.executor = executor;
  }

  @Override
  public java.util.List<BoundService> services() {
    return context.services();
  }

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public boolean isReady() {
    return context.isReady();
  }

  @Override
  public boolean isClosing() {
    return context.isClosing();
  }

  @Override
  public AutoCloseable subscribe(java.util.function.Consumer<Published> listener) {
    return context.subscribe(listener);
  }

  @Override
  public EventBus.Messages messages() {
    return context.messages();
  }

  @Override
  public boolean authenticates() {
    return context.authenticates();
  }

  @Override
  public dev.ipc.core.Principal authenticate(String credential) {
    return context.authenticate(credential);
  }

  @Override
  public java.util.Optional<dev.ipc.core.Tls> tls() {
    return context.tls();
  }
}
