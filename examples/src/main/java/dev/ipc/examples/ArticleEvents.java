package dev.ipc.examples;

import dev.ipc.core.spi.Transport;
import dev.ipc.socketio.SocketIoTransport;
import java.util.Map;

/** The article's Socket.IO events, registered next to the services through the adapter's API. */
final class ArticleEvents {
  private ArticleEvents() {}

  /** Returns a Socket.IO transport on {@code host}:{@code port} with the article's events. */
  static Transport socketIo(String host, int port) {
    return SocketIoTransport.builder()
        .host(host)
        .port(port)
        // The article's Node server: `message` and `login` answer every connected client.
        .on("message", (session, data, ack) -> session.broadcast("message", Map.of("a", "messagetest")))
        .on("login", (session, data, ack) -> session.broadcast("login", Map.of("a", "logintest")))
        // The article's Python server: `msg` D is resent to the sender, `reply` is answered.
        .on("msg", (session, data, ack) -> session.send("message", "resend " + data))
        .on("reply", (session, data, ack) -> session.send("reply"))
        .onConnect(session -> System.out.println(session.id() + " connected"))
        .onDisconnect(session -> System.out.println(session.id() + " disconnected."))
        .build();
  }
}
