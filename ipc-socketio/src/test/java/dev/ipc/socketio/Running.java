package dev.ipc.socketio;

import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportContext;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** Starts services on a Socket.IO transport and hands its running server over, for its counters. */
final class Running {
  private Running() {}

  static Server start(
      SocketIoTransport.Builder builder,
      List<?> services,
      Consumer<DefaultSocketIoServer> running) {
    SocketIoTransport transport = builder.host("127.0.0.1").port(0).build();
    return Transports.builder().services(services).transport(capturing(transport, running)).start();
  }

  /** Returns {@code transport}, handing its running server to {@code running} when it starts. */
  static Transport capturing(SocketIoTransport transport, Consumer<DefaultSocketIoServer> running) {
    return new Transport() {
      @Override
      public String name() {
        return transport.name();
      }

      @Override
      public String address() {
        return transport.address();
      }

      @Override
      public RunningTransport start(TransportContext context) throws IOException {
        RunningTransport r = transport.start(context);
        running.accept((DefaultSocketIoServer) r);
        return r;
      }
    };
  }
}
