package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.ClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The options every transport shares, by their shared names, from the builder and from URIs; the
 * deprecated names still work; unknown options are refused with the known ones listed.
 */
class SocketIoOptionsTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void maxMessageBytes_fromBuilderOrUri_andItsDeprecatedAlias_isTheHandshakesMaxPayload()
      throws Exception {
    for (Server server :
        List.of(
            serve(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxMessageBytes(4096)
                    .build()),
            serve("socketio://127.0.0.1:0?maxMessageBytes=4KiB"),
            serve(SocketIoTransport.builder().host("127.0.0.1").port(0).maxPayload(4096).build()),
            serve("socketio://127.0.0.1:0?maxPayload=4KiB"))) {
      HttpResponse<String> open = handshake(server, null);
      assertThat(open.statusCode()).isEqualTo(200);
      assertThat(open.body()).contains("\"maxPayload\":4096");
    }
  }

  @Test
  void executor_runsServiceCodeAndHostHandlers_insteadOfTheServers() throws Exception {
    java.util.concurrent.ExecutorService own =
        java.util.concurrent.Executors.newFixedThreadPool(
            2, r -> new Thread(r, "own-socketio-executor"));
    cleanup.add(own::shutdownNow);
    Server server =
        serve(
            SocketIoTransport.builder()
                .host("127.0.0.1")
                .port(0)
                .executor(own)
                .on("where", (session, data, ack) -> ack.send(Thread.currentThread().getName()))
                .build());
    try (SocketIoClient client = SocketIoClient.of("127.0.0.1", server.port("socketio"))) {
      assertThat(client.emitWithAck("where")).containsExactly("own-socketio-executor");
      // Service calls go through the same context, whose executor is the transport's own.
      assertThat(client.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
    }
  }

  @Test
  void corsAndMaxConnections_fromUri_apply() throws Exception {
    Server server =
        serve("socketio://127.0.0.1:0?cors=https://a.example,https://b.example&maxConnections=1");
    assertThat(handshake(server, "https://c.example").statusCode()).isEqualTo(403);
    HttpResponse<String> allowed = handshake(server, "https://b.example");
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://b.example");
    // That session is open: one more is over maxConnections=1.
    assertThat(handshake(server, null).statusCode()).isEqualTo(503);
  }

  @Test
  void clientOptions_fromUri_includingItsOwnTransports() throws Exception {
    Server server = serve("socketio://127.0.0.1:0?maxBufferedBytes=64MiB&workerThreads=1");
    dev.ipc.core.Client client =
        Transports.connect(
            "socketio://127.0.0.1:" + server.port("socketio") + "?timeout=5s&transports=polling");
    cleanup.add(0, client);
    assertThat(client.service(TaskService.DESCRIPTOR).get(1)).isEqualTo(new Task(1, "task1"));
  }

  @Test
  void unknownOptions_areRefused_namingTheKnownOnes() {
    assertThatThrownBy(() -> Transports.transport("socketio://127.0.0.1:0?maxBodyBytes=1KiB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: maxBodyBytes")
        .hasMessageContaining("maxMessageBytes, maxBufferedBytes, cors, maxConnections")
        .hasMessageContaining("pingInterval")
        .hasMessageNotContaining("maxPayload");
    assertThatThrownBy(() -> Transports.connect("socketio://127.0.0.1:1?retries=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "option: retries (expected: one of timeout, tls, ca, cert, key or transports)");
  }

  @Test
  void clientTimeout_defaultsToEveryClientsDefault() {
    assertThat(SocketIoClient.DEFAULT_TIMEOUT)
        .isEqualTo(ClientBuilder.DEFAULT_TIMEOUT)
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(SocketIoClient.builder().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(SocketIoClient.builder().options(Map.of("timeout", "5s")).timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  private Server serve(Object transport) {
    Server server =
        transport instanceof String uri
            ? Transports.serve(Reference.services(), uri)
            : Transports.serve(Reference.services(), (SocketIoTransport) transport);
    cleanup.add(0, server);
    return server;
  }

  /** Opens an Engine.IO long-polling session, as a browser page of {@code origin} would. */
  private HttpResponse<String> handshake(Server server, String origin) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:"
                    + server.port("socketio")
                    + "/socket.io/?EIO=4&transport=polling"));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
