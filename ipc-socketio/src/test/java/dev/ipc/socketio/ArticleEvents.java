package dev.ipc.socketio;

import java.util.Map;

/** The article's host events, registered the way the examples do it, plus a binary echo. */
final class ArticleEvents {
  private ArticleEvents() {}

  static SocketIoTransport.Builder register(SocketIoTransport.Builder builder) {
    return builder
        // The article's Node server: `message` and `login` answer every connected client.
        .on(
            "message",
            (session, data, ack) -> session.broadcast("message", Map.of("a", "messagetest")))
        .on("login", (session, data, ack) -> session.broadcast("login", Map.of("a", "logintest")))
        // The article's Python server: `msg` is resent to the sender, `reply` is answered.
        .on("msg", (session, data, ack) -> session.send("message", "resend " + data))
        .on("reply", (session, data, ack) -> session.send("reply"))
        // A binary attachment arrives as byte[], and a byte[] goes back as a binary attachment.
        .on("binary", (session, data, ack) -> ack.send(data));
  }
}
