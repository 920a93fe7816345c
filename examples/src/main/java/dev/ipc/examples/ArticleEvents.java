package dev.ipc.examples;

import dev.ipc.core.spi.Transport;
import dev.ipc.socketio.SocketIoTransport;
import java.util.List;
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
        .on(
            "message",
            (session, data, ack) -> session.broadcast("message", Map.of("a", "messagetest")))
        .on("login", (session, data, ack) -> session.broadcast("login", Map.of("a", "logintest")))
        // The article's Python server: `msg` D is resent to the sender, `reply` is answered.
        .on("msg", (session, data, ack) -> session.send("message", "resend " + data))
        .on("reply", (session, data, ack) -> session.send("reply"))
        // Beyond the article, the host API a Socket.IO user expects: a namespace with rooms, acks
        // with
        // any number of arguments, binary as byte[] both ways.
        .onConnect("/chat", session -> session.send("welcome", session.namespace()))
        .on(
            "/chat",
            "join",
            (session, args, ack) -> {
              session.join((String) args.get(0));
              ack.send(List.copyOf(session.rooms()));
            })
        .on(
            "/chat",
            "leave",
            (session, args, ack) -> {
              session.leave((String) args.get(0));
              ack.send(List.copyOf(session.rooms()));
            })
        // To the room's other members; the sender hears only its ack.
        .on(
            "/chat",
            "say",
            (session, args, ack) -> {
              session.sendToRoom((String) args.get(0), "said", args.get(1));
              ack.send();
            })
        .on("/chat", "echo", (session, args, ack) -> ack.send(args.toArray()))
        .onConnect(session -> System.out.println(session.id() + " connected"))
        .onDisconnect(session -> System.out.println(session.id() + " disconnected."))
        .build();
  }
}
