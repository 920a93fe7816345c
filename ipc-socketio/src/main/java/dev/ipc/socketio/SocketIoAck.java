package dev.ipc.socketio;

/**
 * The acknowledgement a client may have asked for with its event. Only the first {@link #send} counts;
 * when the handler sends none the client gets none. Thread-safe.
 */
public interface SocketIoAck {
  /** Returns whether the client asked for an acknowledgement. */
  boolean requested();

  /** Answers the client's acknowledgement with {@code data}; does nothing if none was asked. */
  void send(Object... data);
}
