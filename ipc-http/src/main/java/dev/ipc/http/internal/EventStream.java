package dev.ipc.http.internal;

/**
 * A Server-Sent Events response body ({@link HttpResponse#events}): the server writes the head
 * ({@code 200}, {@code Content-Type: text/event-stream}, {@code Cache-Control: no-store}, chunked,
 * no {@code Content-Length}, {@code Connection: close}) and then calls {@link #start} once with the
 * writer of the body.
 */
@FunctionalInterface
public interface EventStream {
  /**
   * Begins the stream. Called exactly once per response, on the thread that ran the handler (the
   * server's executor), right after the head is queued for writing; it may keep {@code writer} and
   * use it from any thread. When the connection is already gone, or the request was {@code HEAD},
   * the writer is closed already: its {@link EventWriter#onClose} actions run at once, and writes
   * are ignored.
   */
  void start(EventWriter writer);
}
