package dev.ipc.core.spi;

import dev.ipc.core.Metadata;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import java.util.function.Consumer;

/** An operation ready to call on the host's implementation. Thread-safe. */
public interface BoundOperation {
  /** Returns the operation's description. */
  Operation<?, ?, ?> operation();

  /**
   * Validates {@code request} (an instance of the operation's input type), calls the implementation
   * on the calling thread, publishes the value if the operation publishes, and returns the reply.
   * Counted as in flight while it runs, so closing waits for it.
   *
   * @throws dev.ipc.core.ServiceException for every failure: the service's own, INVALID_ARGUMENT
   *     from validation, or INTERNAL with a generic message for anything unexpected
   */
  default Reply call(Object request) {
    return call(request, CallSource.of("in-process"), m -> {});
  }

  /**
   * Like {@link #call(Object)}, for a call that came from {@code source}: the context the
   * interceptors and the service see ({@link dev.ipc.core.CallContext#current()}) is built from it,
   * authentication and roles are checked (UNAUTHENTICATED, PERMISSION_DENIED), then the
   * interceptors run, then the service. {@code responseMetadata} receives what interceptors and the
   * service added for the answer, after the call, whether it succeeded or failed; a transport sends
   * it as response headers.
   */
  Reply call(Object request, CallSource source, Consumer<Metadata> responseMetadata);

  /**
   * Opens a {@link dev.ipc.core.model.Operation#streaming() streaming} call: authenticates, runs
   * the interceptors and the service exactly as {@link #call(Object, CallSource, Consumer)} does
   * (throwing its errors the same way, before any value), then subscribes to the publisher the
   * service answered and writes its values to {@code sink} from the server's executor. Each stream
   * buffers at most {@code streamBuffer} values ({@code Transports.builder().streamBuffer}): a
   * caller that falls further behind is ended with RESOURCE_EXHAUSTED. Open streams count as in
   * flight: closing the server completes them, after their buffered values.
   *
   * @throws dev.ipc.core.ServiceException as {@link #call(Object, CallSource, Consumer)}, and
   *     UNAVAILABLE once the server is closing
   * @throws IllegalStateException if the operation does not stream
   */
  default StreamHandle stream(
      Object request, CallSource source, Consumer<Metadata> responseMetadata, StreamSink sink) {
    throw new dev.ipc.core.ServiceException(
        dev.ipc.core.ErrorCode.UNIMPLEMENTED, "streams are not served here: " + operation());
  }
}
