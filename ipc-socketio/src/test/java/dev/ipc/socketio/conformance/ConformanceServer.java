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
 * payload, {@code message} is echoed as {@code message-back} and {@code message-with-ack} acked
 * with its own arguments. Not a test: a developer runs it beside the suite, which is kept outside
 * the repository (the project's own tests, such as SocketIoConformanceTest, state its rules). The
 * reference services ride along (Transports needs one); the suite never calls their events. From
 * the repository's root:
 *
 * <pre>
 * mvn -o -q -pl ipc-socketio test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/sio.cp -Dmdep.includeScope=test
 * java -cp ipc-socketio/target/classes:ipc-socketio/target/test-classes:$(cat /tmp/sio.cp) \
 *     dev.ipc.socketio.conformance.ConformanceServer &amp;
 * # in a checkout of socketio/socket.io-protocol:
 * cd test-suite &amp;&amp; npm ci &amp;&amp; npx mocha --exit test-suite.js
 * </pre>
 *
 * ({@code --exit}: the suite leaves sockets open, and mocha would otherwise wait on them.)
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
            .on(
                "/",
                "message",
                (session, values, ack) -> session.send("message-back", values.toArray()))
            .on("/", "message-with-ack", (session, values, ack) -> ack.send(values.toArray()))
            .onConnect("/custom", session -> session.send("auth", session.auth()))
            .build();
    Server server =
        Transports.builder().services(Reference.services()).transport(transport).start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    Thread.currentThread().join();
  }
}
