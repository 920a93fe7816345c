package dev.ipc.socketio;

import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.MemoryLibrary;
import java.util.List;

/** Serves {@link MemoryLibrary} over Socket.IO for the tests of every type. */
final class Libraries {
  private Libraries() {}

  /**
   * Starts a server of a new {@link MemoryLibrary} on a Socket.IO transport on a free port: no
   * descriptor, the model is derived from the plain {@code Library} interface.
   */
  static Server start() {
    return Transports.builder()
        .services(List.of(new MemoryLibrary()))
        .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
        .start();
  }
}
