package dev.ipc.socketio.conformance;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.socketio.SocketIoTransport;
import java.time.Duration;

/**
 * The server the official Socket.IO protocol test suite ({@code socketio/socket.io-protocol},
 * {@code test-suite/}) expects, configured as its Readme's reference server and built only with the
 * public API: port 3000, ping every 300 ms with a 200 ms timeout, 1,000,000-byte payloads, every
 * origin; each connection (main namespace and {@code /custom}) is sent its handshake's {@code auth}
 * payload, {@code message} is echoed as {@code message-back} and {@code message-with-ack} acked with
 * its own arguments. Not a test: a developer runs it beside the suite ({@code npm test}), which is
 * kept outside the repository. The reference services ride along (Transports needs one); the suite
 * never calls their events.
 */
public final class ConformanceServer {
  private ConformanceServer() {}

  /** Starts the server on port 3000 (or {@code args[0]}) and keeps it running until killed. */
  public static void main(String[] args) throws InterruptedException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    SocketIoTransport transport =
        SocketIoTransport.builder()
            .port(port)
            .pingInterval(Duration.ofMillis(300))
            .pingTimeout(Duration.ofMillis(200))
            .maxPayload(1_000_000)
            .onConnect(session -> session.send("auth", session.auth()))
            .on("/", "message", (session, values, ack) -> session.send("message-back", values.toArray()))
            .on("/", "message-with-ack", (session, values, ack) -> ack.send(values.toArray()))
            .onConnect("/custom", session -> session.send("auth", session.auth()))
            .build();
    Server server = Transports.builder().services(Reference.services()).transport(transport).start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    Thread.currentThread().join();
  }
}
