package dev.ipc.http.internal;

/**
 * One upgraded WebSocket connection ({@link HttpResponse#webSocket}). Thread-safe: each send is one
 * whole message, queued to the connection in the order of the calls; nothing here blocks.
 *
 * <p>What the server does for every session: answers pings with pongs and sends a ping every {@link
 * EventWriter#HEARTBEAT} (so proxies keep the connection, and a peer silent for the server's idle
 * timeout is closed); a message larger than the server's body limit closes it with 1009, a binary
 * message with 1003; a client's close frame is answered and the connection closed; when the server
 * closes, sessions get 1001 once the requests and streams in flight are done.
 */
public interface WebSocketSession {
  /**
   * Returns the upgrade request: its headers (Authorization, Origin...), peer address and TLS
   * chain.
   */
  HttpRequest request();

  /**
   * Returns the subprotocol agreed in the handshake: the one the handler named if the client
   * offered it, else null.
   */
  String subprotocol();

  /**
   * Sends one text message; returns false, sending nothing, once the session is closing or closed.
   */
  boolean sendText(String text);

  /**
   * Returns whether the connection takes more without growing its write buffer; false once closed.
   */
  boolean isWritable();

  /**
   * Runs {@code action} each time the connection turns writable again, on its event loop: it must
   * not block.
   */
  void onWritable(Runnable action);

  /**
   * Sends a close frame with {@code code} (1000 normal, 1008 policy, 1011 server error, 4000-4999
   * for the application) and {@code reason} (at most 123 UTF-8 bytes; cut otherwise), then closes
   * the connection once it is written. Messages sent before it go first. Idempotent.
   *
   * @throws IllegalArgumentException if {@code code} is not one a close frame may carry
   */
  void close(int code, String reason);

  /**
   * Runs {@code action} once when the connection closes, whoever closed it; at once if it is closed
   * already. Runs on an event loop or the calling thread: it must not block.
   */
  void onClose(Runnable action);

  /** Returns whether messages can still be sent. */
  boolean isOpen();
}
