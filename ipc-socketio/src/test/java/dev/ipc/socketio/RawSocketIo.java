package dev.ipc.socketio;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven Engine.IO v4 WebSocket session, for sending what no well-behaved client library
 * sends: malformed packets, oversized frames, a connection dropped without a disconnect packet.
 */
final class RawSocketIo implements AutoCloseable {
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

  /** Completes with the close status when the server closes the connection (-1 on an error). */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private WebSocket ws;
  private volatile Throwable pongFailure;

  private RawSocketIo() {}

  /**
   * Opens a WebSocket session and connects to the main namespace ({@code 40}), like
   * socket.io-client.
   */
  static RawSocketIo connect(HttpClient http, int port) throws Exception {
    RawSocketIo raw = open(http, port);
    raw.send("40");
    String connected = raw.next();
    if (!connected.startsWith("40{\"sid\"")) {
      throw new AssertionError("expected a namespace connect answer, got " + connected);
    }
    return raw;
  }

  /**
   * Opens a WebSocket session, its Engine.IO open packet read, without connecting to a namespace.
   */
  static RawSocketIo open(HttpClient http, int port) throws Exception {
    RawSocketIo raw = new RawSocketIo();
    raw.ws =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"),
                raw.new Listener())
            .get(10, TimeUnit.SECONDS);
    String open = raw.next();
    if (!open.startsWith("0{")) {
      throw new AssertionError("expected an Engine.IO open packet, got " + open);
    }
    return raw;
  }

  /** Returns the next message from the server, waiting up to 10 s. */
  String next() throws InterruptedException {
    String m = received.poll(10, TimeUnit.SECONDS);
    if (m == null) {
      Throwable pong = pongFailure;
      throw new AssertionError(
          "no message from the server within 10 s"
              + (pong == null ? "" : " (a pong failed to go: " + pong + ")"));
    }
    return m;
  }

  /** Sends one text frame. */
  void send(String text) {
    ws.sendText(text, true).join();
  }

  /** Drops the TCP connection without a close frame or disconnect packet. */
  void abort() {
    ws.abort();
  }

  @Override
  public void close() {
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        if (message.equals("2")) {
          // Engine.IO ping, answered with pong. A pong that fails to go (another send still
          // pending,
          // say) shows later only as the server ending the session: keep why, for next() to tell.
          w.sendText("3", true)
              .exceptionally(
                  e -> {
                    pongFailure = e;
                    return null;
                  });
        } else {
          received.add(message);
        }
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(-1);
    }
  }
}
