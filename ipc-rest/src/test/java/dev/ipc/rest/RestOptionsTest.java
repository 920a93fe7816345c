package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
class RestOptionsTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void maxMessageBytes_fromBuilderOrUri_andItsDeprecatedAlias_answer413() throws IOException {
    for (int port :
        List.of(
            serve(RestTransport.builder().host("127.0.0.1").port(0).maxMessageBytes(64).build()),
            serve("rest://127.0.0.1:0?maxMessageBytes=64"),
            serve(RestTransport.builder().host("127.0.0.1").port(0).maxBodyBytes(64).build()),
            serve("rest://127.0.0.1:0?maxBodyBytes=64"))) {
      RawHttp c = connect(port);
      assertThat(c.send(put("x".repeat(100))).read().status()).isEqualTo(413);
      assertThat(c.send(put("ok")).read().status()).isEqualTo(201);
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void maxBufferedBytes_fromBuilderOrUri_andItsDeprecatedAlias_answer503() throws IOException {
    for (int port :
        List.of(
            serve(RestTransport.builder().host("127.0.0.1").port(0).maxBufferedBytes(1024).build()),
            serve("rest://127.0.0.1:0?maxBufferedBytes=1KiB"),
            serve(
                RestTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxBufferedBodyBytes(1024)
                    .build()),
            serve("rest://127.0.0.1:0?maxBufferedBodyBytes=1KiB"))) {
      assertThat(connect(port).send(put("x".repeat(2000))).read().status()).isEqualTo(503);
      assertThat(connect(port).send(put("ok")).read().status()).isEqualTo(201);
    }
  }

  @Test
  void idleTimeout_fromUri_closesASilentConnection() throws IOException {
    RawHttp c = connect(serve("rest://127.0.0.1:0?idleTimeout=1s"));
    // RawHttp's reads time out after 20 s: the server must close well before.
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void cors_fromUri_allowsTheListedOrigins() throws IOException {
    int port = serve("rest://127.0.0.1:0?cors=https://a.example,https://b.example");
    for (String origin : List.of("https://a.example", "https://b.example")) {
      RawHttp.Response r = connect(port).send(get("/tasks/1", origin)).read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("access-control-allow-origin")).isEqualTo(origin);
    }
    assertThat(
            connect(port)
                .send(get("/tasks/1", "https://c.example"))
                .read()
                .header("access-control-allow-origin"))
        .isNull();
  }

  @Test
  void maxConnections_fromUri_refusesOneMore() throws IOException {
    int port = serve("rest://127.0.0.1:0?maxConnections=1&workerThreads=1");
    RawHttp first = connect(port);
    assertThat(first.send(get("/tasks/1", null)).read().status()).isEqualTo(200);
    assertThat(connect(port).send(get("/tasks/1", null)).read().status()).isEqualTo(503);
    assertThat(first.send(get("/tasks/1", null)).read().status()).isEqualTo(200);
  }

  @Test
  void unknownOptions_areRefused_namingTheKnownOnes() {
    assertThatThrownBy(() -> Transports.transport("rest://127.0.0.1:0?maxPayload=1KiB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: maxPayload")
        .hasMessageContaining("maxMessageBytes, maxBufferedBytes, cors, idleTimeout")
        .hasMessageContaining("workerThreads")
        .hasMessageNotContaining("maxBodyBytes");
    assertThatThrownBy(() -> Transports.connect("rest://127.0.0.1:1?retries=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: retries")
        .hasMessageContaining("timeout, tls, ca, cert, key or connectTimeout");
  }

  @Test
  void clientTimeout_defaultsToEveryClientsDefault() {
    assertThat(RestClient.builder().timeout())
        .isEqualTo(ClientBuilder.DEFAULT_TIMEOUT)
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(RestClient.builder().options(Map.of("timeout", "5s")).timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  private int serve(Object transport) {
    Server server =
        transport instanceof String uri
            ? Transports.serve(Reference.services(), uri)
            : Transports.serve(Reference.services(), (RestTransport) transport);
    cleanup.add(0, server);
    return server.port("rest");
  }

  private RawHttp connect(int port) throws IOException {
    RawHttp c = new RawHttp(port);
    cleanup.add(0, c);
    return c;
  }

  private static String get(String path, String origin) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: x\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }

  private static String put(String name) {
    byte[] body = ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
    return "PUT /tasks/5 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length
        + "\r\n\r\n"
        + new String(body, StandardCharsets.UTF_8);
  }
}
