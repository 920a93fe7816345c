package dev.ipc.socketio.internal;

import java.util.Map;

/**
 * Sends a namespace connect error as the object Socket.IO v5 defines ({@code 44/random,{"message":
 * "Invalid namespace"}}). netty-socketio 2.0.14 sends its text as a bare JSON string ({@code
 * 44/random,"Invalid namespace"}), which socket.io-client v4 reports without a message. An error
 * packet's data is the only bare string netty-socketio hands its JSON writer (events and acks go as
 * arrays, the handshakes as objects), so the writer wraps every string it is given.
 */
public final class ConnectErrorObject {
  private ConnectErrorObject() {}

  /** Returns {@code message} as a connect error's payload. */
  public static Map<String, Object> of(String message) {
    return Map.of("message", message);
  }
}
