package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example server's telemetry: OTLP traces only when the environment names an endpoint. */
@Timeout(120)
class TelemetryTest {
  private static final ExampleServer.Options REST_AND_GRPC =
      LocalOptions.parse("--graphql-port", "off", "--socketio-port", "off");

  /** What a collector received: the path, content type and body of each export. */
  record Export(String path, String contentType, byte[] body) {}

  @Test
  void anOtlpEndpointInTheEnvironmentGetsOneSpanPerCall() throws Exception {
    List<Export> exports = new CopyOnWriteArrayList<>();
    HttpServer collector =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/",
        exchange -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          exchange.getRequestBody().transferTo(body);
          exports.add(
              new Export(
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body.toByteArray()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    Telemetry telemetry =
        Telemetry.from(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "http://127.0.0.1:" + collector.getAddress().getPort(),
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_SERVICE_NAME", "ipc-example-test",
                "OTEL_BSP_SCHEDULE_DELAY", "50"));
    try (Server server = ExampleServer.start(REST_AND_GRPC, telemetry)) {
      assertThat(telemetry.tracing()).isTrue();
      for (String protocol : List.of("grpc", "rest")) {
        try (Client client =
            Transports.connect(protocol + "://127.0.0.1:" + server.port(protocol))) {
          assertThat(client.service(DatingService.class).eating(new Eat("soup")).feeling())
              .isTrue();
        }
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (spans(exports) < 2 && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(spans(exports)).isEqualTo(2);
      assertThat(exports).allSatisfy(e -> assertThat(e.path()).isEqualTo("/v1/traces"));
      assertThat(exports)
          .allSatisfy(e -> assertThat(e.contentType()).isEqualTo("application/x-protobuf"));
      assertThat(new String(exports.get(0).body(), StandardCharsets.ISO_8859_1))
          .contains("ipc-example-test");
    } finally {
      telemetry.close();
      collector.stop(0);
    }
  }

  @Test
  void withoutAnEndpointNothingIsExportedAndMetricsAreAtGetMetrics() {
    Telemetry telemetry = Telemetry.from(Map.of("OTEL_SERVICE_NAME", "ignored"));
    try (Server server = ExampleServer.start(REST_AND_GRPC, telemetry)) {
      assertThat(telemetry.tracing()).isFalse();
      try (Client client = Transports.connect("rest://127.0.0.1:" + server.port("rest"))) {
        client.service(DatingService.class).eating(new Eat("soup"));
      }
      String scraped;
      try {
        scraped =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(
                                "http://127.0.0.1:" + server.port("rest") + "/metrics"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThat(scraped)
          .contains(
              "ipc_server_calls_total{code=\"OK\",rpc_method=\"eating\",rpc_service=\"dating\",rpc_system=\"ipc\",transport=\"rest\"} 1.0")
          .contains("ipc_server_streams_open")
          .contains("ipc_server_connections{transport=\"rest\"}")
          .contains("ipc_server_executor_queued");
    }
  }

  @Test
  void socketIoBroadcastsAreCountedPerRecipient_atGetMetrics() throws Exception {
    ExampleServer.Options restAndSocketIo =
        LocalOptions.parse("--grpc-port", "off", "--graphql-port", "off");
    Telemetry telemetry = Telemetry.from(Map.of());
    try (Server server = ExampleServer.start(restAndSocketIo, telemetry);
        dev.ipc.socketio.SocketIoClient a =
            dev.ipc.socketio.SocketIoClient.of("127.0.0.1", server.port("socketio"));
        dev.ipc.socketio.SocketIoClient b =
            dev.ipc.socketio.SocketIoClient.of("127.0.0.1", server.port("socketio"));
        Client rest = Transports.connect("rest://127.0.0.1:" + server.port("rest"))) {
      java.util.concurrent.CountDownLatch heard = new java.util.concurrent.CountDownLatch(2);
      a.onEvent("task:saved", v -> heard.countDown());
      b.onEvent("task:saved", v -> heard.countDown());
      // Both connected before the put: a round trip each.
      a.service(dev.ipc.core.TaskService.class).get(1);
      b.service(dev.ipc.core.TaskService.class).get(1);
      rest.service(dev.ipc.core.TaskService.class).put(new dev.ipc.core.Task(40, "counted"));
      assertThat(heard.await(20, TimeUnit.SECONDS)).isTrue();
      String scraped =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              "http://127.0.0.1:" + server.port("rest") + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      // One saved task, two Socket.IO clients: two deliveries, none dropped; one node, no bus
      // drops.
      assertThat(scraped)
          .contains("ipc_server_events_delivered_total{transport=\"socketio\"} 2.0")
          .contains("ipc_server_events_dropped_total{transport=\"socketio\"} 0.0")
          .contains("ipc_server_bus_dropped_total 0.0")
          .doesNotContain("ipc_server_events_delivered_total{transport=\"rest\"}");
    } finally {
      telemetry.close();
    }
  }

  /** Counts the span name in every export: a protobuf keeps strings as they are. */
  private static int spans(List<Export> exports) {
    int n = 0;
    for (Export e : exports) {
      String s = new String(e.body(), StandardCharsets.ISO_8859_1);
      for (int i = s.indexOf("dating/eating"); i >= 0; i = s.indexOf("dating/eating", i + 1)) {
        n++;
      }
    }
    return n;
  }
}
