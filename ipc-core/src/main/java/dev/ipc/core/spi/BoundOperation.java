package dev.ipc.core.spi;

import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;

/** An operation ready to call on the host's implementation. Thread-safe. */
public interface BoundOperation {
  /** Returns the operation's description. */
  Operation<?, ?, ?> operation();

  /**
   * Validates {@code request} (an instance of the operation's input type), calls the implementation on
   * the calling thread, publishes the value if the operation publishes, and returns the reply. Counted
   * as in flight while it runs, so closing waits for it.
   *
   * @throws dev.ipc.core.ServiceException for every failure: the service's own, INVALID_ARGUMENT from
   *     validation, or INTERNAL with a generic message for anything unexpected
   */
  Reply call(Object request);
}
