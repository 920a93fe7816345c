package dev.ipc.http.internal;

/**
 * Answers one HTTP request. It runs on the server's executor, never on an event-loop thread, so it
 * may block. An exception becomes a 500 {@code application/problem+json} answer without its
 * details.
 */
@FunctionalInterface
public interface HttpHandler {
  /** Returns the response to {@code request}. */
  HttpResponse handle(HttpRequest request) throws Exception;
}
