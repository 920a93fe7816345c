package dev.ipc.core.spi;

import dev.ipc.core.model.Operation;

/** A value a publishing operation produced, for subscribers such as Socket.IO broadcasts. */
public record Published(Operation<?, ?, ?> operation, Object value) {
  /** Returns the event name, {@link Operation#publishes()}. */
  public String event() {
    return operation.publishes();
  }
}
