package dev.ipc.socketio;

/**
 * The acknowledgement a client may have asked for with its event. Only the first {@link #send}
 * counts; when the handler returns without sending one the client gets an empty one, so a client
 * waiting for its ack never waits in vain. Thread-safe.
 */
public interface SocketIoAck {
  /** Returns whether the client asked for an acknowledgement. */
  boolean requested();

  /**
   * Answers the client's acknowledgement with {@code data}, any number of arguments ({@code byte[]}
   * ones as binary attachments); does nothing if none was asked.
   */
  void send(Object... data);
}
