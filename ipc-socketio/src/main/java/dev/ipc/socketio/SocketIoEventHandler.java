package dev.ipc.socketio;

import java.util.List;

/**
 * Handles one Socket.IO event with all its arguments, in the namespace it was registered for with
 * {@link SocketIoTransport.Builder#on(String, String, SocketIoEventHandler)}. It runs on the
 * server's call executor, never on a network thread, so it may block.
 *
 * <pre>{@code
 * SocketIoTransport.builder()
 *     .on("/chat", "message", (session, args, ack) -> session.send("message-back", args.toArray()))
 *     .on("/chat", "sum", (session, args, ack) -> ack.send(((Number) args.get(0)).intValue() + ((Number) args.get(1)).intValue()))
 *     .build();
 * }</pre>
 */
@FunctionalInterface
public interface SocketIoEventHandler {
  /**
   * Handles the event's {@code args} (plain JSON values: {@code Map}, {@code List}, {@code String},
   * {@code Number}, {@code Boolean}, null; a binary attachment as {@code byte[]}), in the order the
   * client sent them, the acknowledgement callback left out. When the client asked for an
   * acknowledgement and this returns without sending one, the client gets an empty one. An
   * exception thrown here is answered like a service's through {@code ack}: a {@link
   * dev.ipc.core.ServiceException} with its code, anything else as INTERNAL without details.
   */
  void handle(SocketIoSession session, List<Object> args, SocketIoAck ack) throws Exception;
}
