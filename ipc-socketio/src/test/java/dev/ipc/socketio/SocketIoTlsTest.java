package dev.ipc.socketio;

import static dev.ipc.socketio.Processes.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Tls;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.core.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Socket.IO port under {@code Transports.builder().tls(...)}: TLS only, for socket.io-client,
 * python-socketio and the Java client trusting the test CA; plain text refused; acks and
 * broadcasts, which DirectWrites would write past the pipeline, all go through TLS.
 */
@Timeout(120)
class SocketIoTlsTest {
  @TempDir static Path dir;
  static TestCertificates certs;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeAll
  static void certificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  private Server start(AtomicReference<DefaultSocketIoServer> running) {
    // A short ping interval: python-socketio's sync client ends a polling session only once its
    // long-poll returns.
    SocketIoTransport transport =
        ArticleEvents.register(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .pingInterval(Duration.ofSeconds(2)))
            .build();
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                new dev.ipc.core.spi.Transport() {
                  @Override
                  public String name() {
                    return transport.name();
                  }

                  @Override
                  public String address() {
                    return transport.address();
                  }

                  @Override
                  public dev.ipc.core.spi.RunningTransport start(
                      dev.ipc.core.spi.TransportContext context) throws java.io.IOException {
                    dev.ipc.core.spi.RunningTransport r = transport.start(context);
                    running.set((DefaultSocketIoServer) r);
                    return r;
                  }
                })
            .tls(Tls.fromPem(certs.serverCert(), certs.serverKey()))
            .start();
    cleanup.add(server);
    return server;
  }

  private SocketIoClient client(SocketIoClient.Builder b) {
    SocketIoClient c = b.build();
    cleanup.add(c);
    return c;
  }

  @Test
  void javaClient_withCa_overWebSocketAndPolling_neverThroughDirectWrites() throws Exception {
    AtomicReference<DefaultSocketIoServer> running = new AtomicReference<>();
    Server server = start(running);
    int port = server.port("socketio");

    for (String transport : List.of("websocket", "polling")) {
      SocketIoClient c =
          client(
              SocketIoClient.builder()
                  .target("127.0.0.1", port)
                  .ca(certs.ca())
                  .transports(transport));
      List<Object> saved = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.CountDownLatch got = new java.util.concurrent.CountDownLatch(1);
      c.onEvent(
          "task:saved",
          t -> {
            saved.add(t);
            got.countDown();
          });
      for (int i = 0; i < 50; i++) {
        assertThat(c.service(DatingService.DESCRIPTOR).eating(new Eat("soup" + i)))
            .isEqualTo(new Feel(true));
      }
      c.service(TaskService.DESCRIPTOR).put(new Task(9, "over " + transport));
      assertThat(c.service(TaskService.DESCRIPTOR).get(9))
          .isEqualTo(new Task(9, "over " + transport));
      assertThat(got.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    // Under TLS every ack and broadcast went through the pipeline's SslHandler: none written past
    // it.
    assertThat(running.get().directWrites()).isZero();
  }

  @Test
  void javaClient_fromUri_withCa() throws Exception {
    Server server = start(new AtomicReference<>());
    dev.ipc.core.Client c =
        Transports.connect(
            "socketio://127.0.0.1:"
                + server.port("socketio")
                + "?ca="
                + certs.ca()
                + "&timeout=10s");
    cleanup.add(c);

    assertThat(c.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
  }

  @Test
  void plaintextClients_areRefusedCleanly_whileTlsClientsAreServed() throws Exception {
    Server server = start(new AtomicReference<>());
    int port = server.port("socketio");

    // Raw HTTP: the connection is closed, no HTTP answer, no hang (the socket's timeout would fail
    // it).
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      for (int b; (b = readOrEof(in)) >= 0; ) {
        got.write(b);
      }
      assertThat(got.toString(StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
    }
    // Our client without TLS: calls fail, they do not hang.
    SocketIoClient plain =
        client(SocketIoClient.builder().target("127.0.0.1", port).timeout(Duration.ofSeconds(2)));
    assertThatThrownBy(() -> plain.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isInstanceOf(TransportException.class);
    // Trusting the JDK's store only, the test CA's certificate is refused.
    SocketIoClient untrusted =
        client(
            SocketIoClient.builder()
                .target("127.0.0.1", port)
                .tls(true)
                .timeout(Duration.ofSeconds(2)));
    assertThatThrownBy(() -> untrusted.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isInstanceOf(TransportException.class);

    SocketIoClient good = client(SocketIoClient.builder().target("127.0.0.1", port).ca(certs.ca()));
    assertThat(good.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
  }

  @Test
  @Interop
  void pythonSocketIo_overHttpsAndWss_withTheCa() throws Exception {
    Server server = start(new AtomicReference<>());

    JsonNode r =
        Processes.python(
            "tls.py", "https://127.0.0.1:" + server.port("socketio"), certs.ca().toAbsolutePath());

    for (String session : List.of("syncPolling", "syncWebsocket", "asyncWebsocket")) {
      assertThat(r.get(session).get("eating")).as(session).isEqualTo(json("{\"feeling\":true}"));
      assertThat(r.get(session).get("get"))
          .as(session)
          .isEqualTo(json("{\"id\":2,\"name\":\"task2\"}"));
    }
    assertThat(r.get("syncPolling").get("transport").asText()).isEqualTo("polling");
    assertThat(r.get("syncWebsocket").get("transport").asText()).isEqualTo("websocket");
    assertThat(r.get("untrusted").asText()).isEqualTo("refused");
  }

  @Test
  @Interop
  void socketIoClientV4_overHttpsAndWss_withTheCa() throws Exception {
    Server server = start(new AtomicReference<>());

    JsonNode r =
        Processes.node(
            "tls.js", "https://127.0.0.1:" + server.port("socketio"), certs.ca().toAbsolutePath());

    for (String session : List.of("polling", "websocket", "upgrade")) {
      assertThat(r.get(session).get("eating")).as(session).isEqualTo(json("{\"feeling\":true}"));
      assertThat(r.get(session).get("get"))
          .as(session)
          .isEqualTo(json("{\"id\":2,\"name\":\"task2\"}"));
    }
    assertThat(r.get("polling").get("transport").asText()).isEqualTo("polling");
    assertThat(r.get("websocket").get("transport").asText()).isEqualTo("websocket");
    assertThat(r.get("untrusted").has("connectError")).as("%s", r.get("untrusted")).isTrue();
  }

  private static int readOrEof(InputStream in) throws java.io.IOException {
    try {
      return in.read();
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
