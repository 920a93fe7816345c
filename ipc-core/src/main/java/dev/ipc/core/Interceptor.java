package dev.ipc.core;

import dev.ipc.core.model.Reply;

/**
 * Runs around every call of every service on every transport, before the service sees the request:
 * to reject it (throw a {@link ServiceException} with any {@link ErrorCode}), to add response
 * metadata ({@link CallContext#responseMetadata()}), or to observe the outcome (metrics, traces,
 * access logs, rate limits). Added on {@code Transports.builder().interceptor(...)}.
 *
 * <p>Order, on every transport: the interceptors in the order they were added, the first outermost,
 * with authentication and roles where {@code authenticate(...)} was called among them; then
 * validation, then the service. So add metrics, traces and access logs before {@code
 * authenticate(...)} to see the calls it refuses, and rate limits after it to limit callers by
 * their principal. Interceptors run on the call thread, with {@link CallContext#current()} set.
 * Must be thread-safe.
 */
@FunctionalInterface
public interface Interceptor {
  /**
   * Handles one call: usually some work, then {@code next.proceed(request)}, then some more.
   * Exceptions thrown here reach the caller as their {@link ErrorCode}; anything but a {@link
   * ServiceException} as INTERNAL with a generic message.
   */
  Reply intercept(CallContext context, Object request, Next next);

  /** The rest of the chain: the next interceptors, then the service. */
  @FunctionalInterface
  interface Next {
    /** Goes on with {@code request} and returns the reply. */
    Reply proceed(Object request);
  }
}
