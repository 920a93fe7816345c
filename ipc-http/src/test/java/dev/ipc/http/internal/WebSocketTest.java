package dev.ipc.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Tls;
import dev.ipc.core.testing.TestCertificates;
import dev.ipc.http.testing.PemSsl;
import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WebSocket upgrades ({@link HttpResponse#webSocket}) driven by the JDK's WebSocket client and raw
 * sockets.
 */
@Timeout(60)
class WebSocketTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final List<HttpServer> servers = new ArrayList<>();
  private final HttpClient client = HttpClient.newHttpClient();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    servers.forEach(HttpServer::shutdownNow);
    executor.shutdownNow();
  }

  /** Echoes each message with the thread that handled it; "close" closes with 4403. */
  private static final class Echo implements WebSocketHandler {
    final CompletableFuture<WebSocketSession> opened = new CompletableFuture<>();
    final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void onOpen(WebSocketSession session) {
      session.onClose(closed::countDown);
      opened.complete(session);
    }

    @Override
    public void onText(WebSocketSession session, String text) {
      if (text.equals("close")) {
        session.close(4403, "forbidden");
        return;
      }
      session.sendText("echo " + text + " on " + Thread.currentThread().getName());
    }
  }

  private HttpServer start(HttpServerBuilder b) throws IOException {
    HttpServer server = b.host("127.0.0.1").port(0).executor(executor).workerThreads(1).start();
    servers.add(server);
    return server;
  }

  private HttpServer serving(Echo echo, String subprotocol) throws IOException {
    return start(
        HttpServer.builder()
            .maxBodyBytes(1000)
            .handler(
                r ->
                    r.isWebSocketUpgrade()
                        ? HttpResponse.webSocket(subprotocol, echo)
                        : HttpResponse.text(200, "not an upgrade")));
  }

  /** Collects what the client receives. */
  private static final class Listener implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>(); // "code reason"
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      pongs.add(message);
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed.complete(code + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    String next() throws InterruptedException {
      String s = texts.poll(20, TimeUnit.SECONDS);
      assertThat(s).as("a message within 20 s").isNotNull();
      return s;
    }
  }

  private WebSocket connect(HttpServer server, Listener listener, String... subprotocols)
      throws Exception {
    WebSocket.Builder b = client.newWebSocketBuilder();
    if (subprotocols.length > 0) {
      b.subprotocols(
          subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    return b.buildAsync(
            URI.create("ws://127.0.0.1:" + server.localAddress().getPort() + "/ws"), listener)
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void textMessagesReachTheHandlerOffTheEventLoopAndItsAnswersComeBack() throws Exception {
    Echo echo = new Echo();
    HttpServer server = serving(echo, "graphql-transport-ws");
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener, "other", "graphql-transport-ws");
    assertThat(ws.getSubprotocol()).isEqualTo("graphql-transport-ws");
    WebSocketSession session = echo.opened.get(20, TimeUnit.SECONDS);
    assertThat(session.subprotocol()).isEqualTo("graphql-transport-ws");
    assertThat(session.request().path()).isEqualTo("/ws");
    assertThat(session.request().header("sec-websocket-protocol")).contains("graphql-transport-ws");
    for (int i = 0; i < 5; i++) {
      ws.sendText("m" + i, true).get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 5; i++) {
      String answer = listener.next();
      assertThat(answer).startsWith("echo m" + i + " on ").doesNotContain("ipc-http-worker");
    }
    // A message in fragments arrives whole.
    ws.sendText("frag", false).get(20, TimeUnit.SECONDS);
    ws.sendText("mented", true).get(20, TimeUnit.SECONDS);
    assertThat(listener.next()).startsWith("echo fragmented on ");
    assertThat(server.inFlight()).isZero();
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(20, TimeUnit.SECONDS);
    assertThat(listener.closed.get(20, TimeUnit.SECONDS)).startsWith("1000");
    assertThat(echo.closed.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(session.isOpen()).isFalse();
    assertThat(session.sendText("late")).isFalse();
  }

  @Test
  void aSubprotocolTheClientDidNotOfferIsNotSelected() throws Exception {
    Echo echo = new Echo();
    HttpServer server = serving(echo, "graphql-transport-ws");
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener, "graphql-ws");
    assertThat(ws.getSubprotocol()).isEmpty();
    assertThat(echo.opened.get(20, TimeUnit.SECONDS).subprotocol()).isNull();
    WebSocket plain = connect(server, new Listener());
    assertThat(plain.getSubprotocol()).isEmpty();
  }

  @Test
  void aMessageOverTheBodyLimitCloses1009() throws Exception {
    Echo echo = new Echo();
    HttpServer server = serving(echo, null);
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener);
    ws.sendText("x".repeat(999), true).get(20, TimeUnit.SECONDS);
    assertThat(listener.next()).startsWith("echo xxx");
    ws.sendText("y".repeat(1001), true);
    assertThat(listener.closed.get(20, TimeUnit.SECONDS)).startsWith("1009");
    // In fragments each under the limit, whole over it: the same.
    Listener second = new Listener();
    WebSocket ws2 = connect(server, second);
    ws2.sendText("z".repeat(600), false).get(20, TimeUnit.SECONDS);
    ws2.sendText("z".repeat(600), true);
    assertThat(second.closed.get(20, TimeUnit.SECONDS)).startsWith("1009");
  }

  @Test
  void aBinaryMessageCloses1003() throws Exception {
    HttpServer server = serving(new Echo(), null);
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener);
    ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
    assertThat(listener.closed.get(20, TimeUnit.SECONDS)).startsWith("1003");
  }

  @Test
  void pingsGetPongsAndTheServerPingsAQuietConnection() throws Exception {
    Echo echo = new Echo();
    HttpServer server =
        start(
            HttpServer.builder()
                .heartbeat(Duration.ofMillis(50))
                .handler(r -> HttpResponse.webSocket(null, echo)));
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener);
    ws.sendPing(ByteBuffer.wrap(new byte[] {7, 8})).get(20, TimeUnit.SECONDS);
    ByteBuffer pong = listener.pongs.poll(20, TimeUnit.SECONDS);
    assertThat(pong).isNotNull();
    assertThat(pong.remaining()).isEqualTo(2);
    assertThat(pong.get(0)).isEqualTo((byte) 7);
    // The JDK client answers the server's pings itself; the connection outlives many of them.
    echo.opened.get(20, TimeUnit.SECONDS);
    ws.sendText("still here", true);
    assertThat(listener.next()).startsWith("echo still here");
  }

  @Test
  void theHandlerClosesWithItsCodeAndReason() throws Exception {
    Echo echo = new Echo();
    HttpServer server = serving(echo, null);
    Listener listener = new Listener();
    WebSocket ws = connect(server, listener);
    ws.sendText("close", true);
    assertThat(listener.closed.get(20, TimeUnit.SECONDS)).isEqualTo("4403 forbidden");
    assertThat(echo.closed.await(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aGracefulCloseSends1001AfterWhatWasSent() throws Exception {
    Echo echo = new Echo();
    HttpServer server = serving(echo, null);
    Listener listener = new Listener();
    connect(server, listener);
    WebSocketSession session = echo.opened.get(20, TimeUnit.SECONDS);
    server.beginShutdown();
    session.sendText("complete");
    assertThat(server.awaitTermination(Duration.ofSeconds(20))).isTrue();
    assertThat(listener.next()).isEqualTo("complete");
    assertThat(listener.closed.get(20, TimeUnit.SECONDS)).startsWith("1001");
  }

  @Test
  void origins_byTheCorsRule() throws Exception {
    Echo echo = new Echo();
    HttpServer server =
        start(
            HttpServer.builder()
                .cors("https://app.example")
                .handler(r -> HttpResponse.webSocket(null, echo)));
    int port = server.localAddress().getPort();
    String upgrade =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    try (RawHttp c = new RawHttp(port)) {
      c.send(upgrade + "Origin: https://evil.example\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.body()).contains("PERMISSION_DENIED");
    }
    for (String origin : new String[] {"https://app.example", "http://127.0.0.1:" + port, null}) {
      try (RawHttp c = new RawHttp(port)) {
        c.send(upgrade + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n");
        RawHttp.Response r = c.read(true);
        assertThat(r.status()).as(String.valueOf(origin)).isEqualTo(101);
        assertThat(r.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      }
    }
  }

  @Test
  void notAnUpgradeOrAWrongVersionIsRefused() throws Exception {
    HttpServer server =
        start(HttpServer.builder().handler(r -> HttpResponse.webSocket(null, new Echo())));
    int port = server.localAddress().getPort();
    try (RawHttp c = new RawHttp(port)) {
      c.send("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(c.read().status()).isEqualTo(400);
      // The connection is still HTTP.
      c.send(
          "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 6\r\n\r\n");
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(426);
      assertThat(r.header("sec-websocket-version")).isEqualTo("13");
    }
  }

  @Test
  void overTls() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Echo echo = new Echo();
    HttpServer server =
        start(
            HttpServer.builder()
                .tls(Tls.fromPem(certs.serverCert(), certs.serverKey()))
                .handler(r -> HttpResponse.webSocket(null, echo)));
    HttpClient tls =
        HttpClient.newBuilder().sslContext(PemSsl.context(certs.ca(), null, null)).build();
    Listener listener = new Listener();
    WebSocket ws =
        tls.newWebSocketBuilder()
            .buildAsync(
                URI.create("wss://localhost:" + server.localAddress().getPort() + "/ws"), listener)
            .get(20, TimeUnit.SECONDS);
    ws.sendText("secret", true);
    assertThat(listener.next()).startsWith("echo secret");
    assertThat(echo.opened.get().request().isTls()).isTrue();
  }
}
