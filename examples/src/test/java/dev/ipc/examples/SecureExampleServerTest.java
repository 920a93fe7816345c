package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example server with {@code --tokens} and {@code --tls-cert/--tls-key}: reads stay public,
 * {@code task.put} needs role writer, and every port speaks TLS, through each protocol's Java
 * client.
 */
@Timeout(120)
class SecureExampleServerTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql");

  @Test
  void tokens_putNeedsWriter_readsStayPublic_onEveryProtocol(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "# who may do what\nw-secret=writer,reader\nr-secret=reader\n");
    ExampleServer.Options options =
        LocalOptions.parse("--socketio-port", "off", "--tokens", tokens.toString());
    try (Server server = ExampleServer.start(options)) {
      for (String protocol : PROTOCOLS) {
        long id = 60 + PROTOCOLS.indexOf(protocol);
        try (Client client =
            Transports.connect(protocol + "://127.0.0.1:" + server.port(protocol))) {
          TaskService anonymous = client.service(TaskService.class);
          assertThat(anonymous.get(1)).as(protocol).isEqualTo(new Task(1, "task1"));
          assertCode(() -> anonymous.put(new Task(id, "x")), ErrorCode.UNAUTHENTICATED, protocol);
          assertCode(
              () ->
                  client.withBearerToken("wrong").service(TaskService.class).put(new Task(id, "x")),
              ErrorCode.UNAUTHENTICATED,
              protocol);
          assertCode(
              () ->
                  client
                      .withBearerToken("r-secret")
                      .service(TaskService.class)
                      .put(new Task(id, "x")),
              ErrorCode.PERMISSION_DENIED,
              protocol);
          assertCode(() -> anonymous.get(id), ErrorCode.NOT_FOUND, protocol);
          TaskService writer = client.withBearerToken("w-secret").service(TaskService.class);
          assertThat(writer.put(new Task(id, protocol)).created()).as(protocol).isTrue();
          assertThat(anonymous.get(id)).as(protocol).isEqualTo(new Task(id, protocol));
        }
      }
    }
  }

  @Test
  void tls_everyPortSpeaksTls_withTheCaOnTheClient(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    ExampleServer.Options options =
        LocalOptions.parse(
            "--socketio-port",
            "off",
            "--tls-cert",
            certs.serverCert().toString(),
            "--tls-key",
            certs.serverKey().toString());
    try (Server server = ExampleServer.start(options)) {
      for (String protocol : PROTOCOLS) {
        String uri = protocol + "://localhost:" + server.port(protocol) + "?ca=" + certs.ca();
        try (Client client = Transports.connect(uri)) {
          assertThat(client.service(TaskService.class).get(2))
              .as(protocol)
              .isEqualTo(new Task(2, "task2"));
        }
      }
    }
  }

  @Test
  void socketIo_handshakeTokenAndTls_sameRulesAsTheOtherProtocols(@TempDir Path dir)
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "w-secret=writer\nr-secret=reader\n");
    ExampleServer.Options options =
        LocalOptions.parse(
            "--grpc-port",
            "off",
            "--rest-port",
            "off",
            "--graphql-port",
            "off",
            "--tokens",
            tokens.toString(),
            "--tls-cert",
            certs.serverCert().toString(),
            "--tls-key",
            certs.serverKey().toString());
    try (Server server = ExampleServer.start(options)) {
      int port = server.port("socketio");
      try (Client anonymous = socketIo(port, certs, null);
          Client reader = socketIo(port, certs, "r-secret");
          Client writer = socketIo(port, certs, "w-secret")) {
        assertThat(anonymous.service(TaskService.class).get(1)).isEqualTo(new Task(1, "task1"));
        assertCode(
            () -> anonymous.service(TaskService.class).put(new Task(64, "x")),
            ErrorCode.UNAUTHENTICATED,
            "socketio");
        assertCode(
            () -> reader.service(TaskService.class).put(new Task(64, "x")),
            ErrorCode.PERMISSION_DENIED,
            "socketio");
        assertThat(writer.service(TaskService.class).put(new Task(64, "socketio")).created())
            .isTrue();
        assertThat(reader.service(TaskService.class).get(64)).isEqualTo(new Task(64, "socketio"));
      }
      // A bad token is refused at connect: the client cannot call at all.
      try (Client wrong = socketIo(port, certs, "wrong")) {
        assertThatThrownBy(() -> wrong.service(TaskService.class).get(1))
            .isInstanceOf(dev.ipc.core.TransportException.class)
            .hasMessageContaining("refused the connect")
            .hasMessageContaining("invalid credentials");
      }
    }
  }

  private static Client socketIo(int port, TestCertificates certs, String token) {
    dev.ipc.socketio.SocketIoClient.Builder b =
        dev.ipc.socketio.SocketIoClient.builder().target("localhost", port).ca(certs.ca());
    if (token != null) {
      b.token(token);
    }
    return b.build();
  }

  @Test
  void options_tlsFilesGoTogether_andMissingFilesAreNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> ExampleServer.Options.parse("--tls-cert", "a.pem"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--tls-cert and --tls-key go together");
    ExampleServer.Options missing =
        ExampleServer.Options.parse(
            "--grpc-port",
            "0",
            "--rest-port",
            "off",
            "--graphql-port",
            "off",
            "--socketio-port",
            "off",
            "--tls-cert",
            dir.resolve("nope.pem").toString(),
            "--tls-key",
            dir.resolve("nope.key").toString());
    assertThatThrownBy(() -> ExampleServer.start(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.pem");
  }

  private static void assertCode(Runnable call, ErrorCode code, String protocol) {
    assertThatThrownBy(call::run)
        .as(protocol)
        .isInstanceOfSatisfying(ServiceException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
