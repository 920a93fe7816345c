package dev.ipc.http.internal;

/**
 * Serves one WebSocket connection ({@link HttpResponse#webSocket}). The server calls it on its
 * executor (never on an event loop, so it may block briefly), one call at a time per connection and
 * in order: {@link #onOpen} first, then {@link #onText} for each text message, whole (fragments
 * joined). A connection whose handler falls behind stops being read until it catches up.
 */
public interface WebSocketHandler {
  /** The handshake was written: the connection speaks WebSocket now. */
  default void onOpen(WebSocketSession session) {}

  /** One whole text message from the client. */
  void onText(WebSocketSession session, String text);
}
