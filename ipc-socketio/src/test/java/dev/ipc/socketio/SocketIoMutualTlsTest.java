package dev.ipc.socketio;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on the Socket.IO port: the chain a client presented on the connection that carried its
 * Engine.IO handshake is what every call of its session sees ({@code
 * CallContext.peerCertificates()}), over WebSocket and polling, for calls and live feeds; under
 * REQUIRE a client without a certificate is refused at the TLS handshake and no call reaches the
 * interceptors; under OPTIONAL it is served with an empty chain. The Java client, curl and
 * python-socketio's sync client against a real server and certificates generated at test time.
 */
@Timeout(120)
class SocketIoMutualTlsTest {
  private static final String CLIENT_SUBJECT = "CN=test client";
  private static final String NONE = "no certificate";

  @TempDir static Path dir;
  static TestCertificates certs;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** What the interceptor saw, one entry per call: "operation subject". */
  private final List<String> seen = new CopyOnWriteArrayList<>();

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

  private int start(Tls.ClientAuth mode) {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .pingInterval(Duration.ofSeconds(2))
                    .build())
            .interceptor(
                (context, request, next) -> {
                  List<java.security.cert.X509Certificate> chain = context.peerCertificates();
                  seen.add(
                      context.operation().name()
                          + " "
                          + (chain.isEmpty()
                              ? NONE
                              : chain.get(0).getSubjectX500Principal().getName()));
                  return next.proceed(request);
                })
            .tls(Tls.fromPem(certs.serverCert(), certs.serverKey()).withClientCa(certs.ca(), mode))
            .start();
    cleanup.add(server);
    return server.port("socketio");
  }

  private SocketIoClient client(SocketIoClient.Builder b) {
    SocketIoClient c = b.build();
    cleanup.add(c);
    return c;
  }

  private SocketIoClient.Builder withCertificate(int port, String transport) {
    return SocketIoClient.builder()
        .target("127.0.0.1", port)
        .ca(certs.ca())
        .cert(certs.clientCert())
        .key(certs.clientKey())
        .transports(transport);
  }

  @Test
  void
      require_theJavaClientsCertificateReachesTheInterceptor_overWebSocketAndPolling_forCallsAndFeeds()
          throws Exception {
    int port = start(Tls.ClientAuth.REQUIRE);

    for (String transport : List.of("websocket", "polling")) {
      seen.clear();
      SocketIoClient c = client(withCertificate(port, transport));
      assertThat(c.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
          .isEqualTo(new Feel(true));
      TaskService tasks = c.service(TaskService.DESCRIPTOR);
      LinkedBlockingQueue<Task> watched = new LinkedBlockingQueue<>();
      tasks
          .watchTasks(null, null)
          .subscribe(
              new Flow.Subscriber<Task>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Task item) {
                  watched.add(item);
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
              });
      SocketIoStreamTest.await(
          () -> seen.contains("watchTasks " + CLIENT_SUBJECT), "the watch's interceptor");
      tasks.put(new Task(31, "over " + transport));
      assertThat(watched.poll(30, TimeUnit.SECONDS)).isEqualTo(new Task(31, "over " + transport));

      assertThat(seen)
          .as(transport)
          .containsExactlyInAnyOrder(
              "eating " + CLIENT_SUBJECT, "watchTasks " + CLIENT_SUBJECT, "put " + CLIENT_SUBJECT);
    }
  }

  @Test
  @Interop
  void
      require_clientsWithoutACertificateAreRefusedAtTheTlsHandshake_andNoCallReachesTheInterceptor()
          throws Exception {
    int port = start(Tls.ClientAuth.REQUIRE);
    String handshake = "https://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling";

    // curl without a certificate: the TLS handshake fails (an alert or a reset), never an HTTP
    // answer.
    Curl refused = curl("--cacert", certs.ca().toString(), handshake);
    assertThat(refused.exit()).as(refused.out()).isIn(35, 56);
    assertThat(refused.out()).doesNotContain("HTTP/1.1");
    // With one: the Engine.IO handshake is answered (the refusal above was the certificate's
    // alone).
    Curl served =
        curl(
            "--cacert",
            certs.ca().toString(),
            "--cert",
            certs.clientCert().toString(),
            "--key",
            certs.clientKey().toString(),
            handshake);
    assertThat(served.exit()).as(served.out()).isZero();
    assertThat(served.out()).startsWith("HTTP/1.1 200").contains("0{\"sid\":");

    for (String transport : List.of("websocket", "polling")) {
      SocketIoClient without =
          client(
              SocketIoClient.builder()
                  .target("127.0.0.1", port)
                  .ca(certs.ca())
                  .transports(transport)
                  .timeout(Duration.ofSeconds(3)));
      assertThatThrownBy(() -> without.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
          .as(transport)
          .isInstanceOf(TransportException.class);
    }
    assertThat(seen).isEmpty();

    // The same server serves the Java client with its certificate.
    assertThat(
            client(withCertificate(port, "websocket"))
                .service(DatingService.DESCRIPTOR)
                .eating(new Eat("soup")))
        .isEqualTo(new Feel(true));
    assertThat(seen).containsExactly("eating " + CLIENT_SUBJECT);
  }

  @Test
  void optional_aClientWithoutACertificateIsServedWithAnEmptyChain_oneWithItIsSeen()
      throws Exception {
    int port = start(Tls.ClientAuth.OPTIONAL);

    for (String transport : List.of("websocket", "polling")) {
      seen.clear();
      SocketIoClient without =
          client(
              SocketIoClient.builder()
                  .target("127.0.0.1", port)
                  .ca(certs.ca())
                  .transports(transport));
      assertThat(without.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
          .isEqualTo(new Feel(true));
      assertThat(seen).as(transport).containsExactly("eating " + NONE);

      seen.clear();
      SocketIoClient with = client(withCertificate(port, transport));
      assertThat(with.service(DatingService.DESCRIPTOR).eating(new Eat("soup")))
          .isEqualTo(new Feel(true));
      assertThat(seen).as(transport).containsExactly("eating " + CLIENT_SUBJECT);
    }
  }

  @Test
  @Interop
  void require_pythonSocketIoSyncClient_withACertificateThroughItsRequestsSession_isSeen()
      throws Exception {
    int port = start(Tls.ClientAuth.REQUIRE);

    JsonNode r =
        Processes.python(
            "mtls.py",
            "https://127.0.0.1:" + port,
            certs.ca().toAbsolutePath(),
            certs.clientCert().toAbsolutePath(),
            certs.clientKey().toAbsolutePath());

    for (String session : List.of("polling", "websocket")) {
      assertThat(r.get(session).get("eating"))
          .as(session)
          .isEqualTo(Processes.json("{\"feeling\":true}"));
      assertThat(r.get(session).get("transport").asText()).isEqualTo(session);
    }
    assertThat(r.get("withoutCertificate").asText()).isEqualTo("refused");
    // Two calls (one per session), each seen with the certificate; the refused client made none.
    assertThat(seen).containsExactly("eating " + CLIENT_SUBJECT, "eating " + CLIENT_SUBJECT);
  }

  private record Curl(int exit, String out) {}

  private static Curl curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "20"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Curl(p.exitValue(), out);
  }
}
