package dev.ipc.socketio;

/**
 * One connected Socket.IO client, as a {@link SocketIoHandler} sees it. Values sent are serialized as
 * JSON ({@code Map}, {@code List}, records, strings, numbers, booleans); a {@code byte[]} goes as a
 * binary attachment. Thread-safe.
 */
public interface SocketIoSession {
  /** Returns the session id the server gave this client. */
  String id();

  /** Emits {@code event} with {@code data} to this client only. */
  void send(String event, Object... data);

  /** Emits {@code event} with {@code data} to every connected client, this one included. */
  void broadcast(String event, Object... data);
}
