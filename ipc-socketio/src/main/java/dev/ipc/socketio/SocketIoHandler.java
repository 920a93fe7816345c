package dev.ipc.socketio;

/**
 * Handles one Socket.IO event of the main namespace by its first argument, registered next to the
 * services with {@link SocketIoTransport.Builder#on(String, SocketIoHandler)}. It runs on the
 * server's call executor, never on a network thread, so it may block.
 *
 * <pre>{@code
 * SocketIoTransport.builder()
 *     .on("msg", (session, data, ack) -> session.send("message", "resend " + data))
 *     .on("login", (session, data, ack) -> session.broadcast("login", Map.of("a", "logintest")))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface SocketIoHandler {
  /**
   * Handles the event {@code data} (its first argument as plain JSON values: {@code Map}, {@code
   * List}, {@code String}, {@code Number}, {@code Boolean}, or null when the client sent none; a
   * binary attachment arrives as {@code byte[]}) sent by {@code session}; for every argument,
   * register a {@link SocketIoEventHandler} instead. A client that asked for an acknowledgement
   * gets an empty one when this returns without sending one. An exception thrown here is answered
   * like a service's: a {@link dev.ipc.core.ServiceException} with its code, anything else as
   * INTERNAL without details, through {@code ack} when the client asked for one.
   */
  void handle(SocketIoSession session, Object data, SocketIoAck ack) throws Exception;
}
