package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.http.testing.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The options every transport shares, by their shared names (REST's HTTP settings), from the
 * builder and from URIs; the deprecated names still work; unknown options are refused with the
 * known ones listed.
 */
class GraphqlOptionsTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void maxMessageBytes_fromBuilderOrUri_andItsDeprecatedAlias_refuseLargerBodies() {
    for (Server server :
        List.of(
            serve(
                GraphqlTransport.builder().host("127.0.0.1").port(0).maxMessageBytes(1000).build()),
            serve("graphql://127.0.0.1:0?maxMessageBytes=1000"),
            serve(GraphqlTransport.builder().host("127.0.0.1").port(0).maxBodyBytes(1000).build()),
            serve("graphql://127.0.0.1:0?maxBodyBytes=1000"))) {
      TaskService tasks = client(server).service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> tasks.put(new Task(9, "x".repeat(2000))))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void maxBufferedBytes_fromBuilderOrUri_andItsDeprecatedAlias_refuseBodiesBeyondTheBudget() {
    for (Server server :
        List.of(
            serve(
                GraphqlTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxBufferedBytes(1000)
                    .build()),
            serve("graphql://127.0.0.1:0?maxBufferedBytes=1000"),
            serve(
                GraphqlTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxBufferedBodyBytes(1000)
                    .build()),
            serve("graphql://127.0.0.1:0?maxBufferedBodyBytes=1000"))) {
      TaskService tasks = client(server).service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> tasks.put(new Task(9, "x".repeat(2000))))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
    }
  }

  @Test
  void executor_runsTheCalls() {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    cleanup.add(pool::shutdownNow);
    AtomicInteger ran = new AtomicInteger();
    Server server =
        serve(
            GraphqlTransport.builder()
                .host("127.0.0.1")
                .port(0)
                .executor(
                    task -> {
                      ran.incrementAndGet();
                      pool.execute(task);
                    })
                .build());
    assertThat(client(server).service(TaskService.DESCRIPTOR).get(1))
        .isEqualTo(new Task(1, "task1"));
    assertThat(ran.get()).isPositive();
  }

  @Test
  void httpSettings_fromUri_applyAsRestsDo() throws IOException {
    Server server =
        serve(
            "graphql://127.0.0.1:0?cors=https://a.example,https://b.example&maxConnections=1&idleTimeout=1s&workerThreads=1");
    RawHttp first = connect(server);
    RawHttp.Response r = first.send(get("https://b.example")).read();
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("access-control-allow-origin")).isEqualTo("https://b.example");
    // maxConnections=1: one more is refused while the first is open.
    assertThat(connect(server).send(get(null)).read().status()).isEqualTo(503);
    // idleTimeout=1s: the silent first connection is closed (RawHttp's reads time out after 20 s).
    assertThat(first.closedByServer()).isTrue();
  }

  @Test
  void graphqlLimits_fromUri_acceptZeroWhereTheBuilderDoes() {
    // maxAliases=0 (no alias at all) and documentCacheSize=0 (no cache) are valid on the builder
    // too.
    Server server = serve("graphql://127.0.0.1:0?maxAliases=0&documentCacheSize=0&maxDepth=5");
    assertThat(client(server).service(TaskService.DESCRIPTOR).get(1))
        .isEqualTo(new Task(1, "task1"));
    assertThatThrownBy(() -> Transports.transport("graphql://127.0.0.1:0?maxDepth=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depth: 0");
  }

  @Test
  void unknownOptions_areRefused_namingTheKnownOnes() {
    assertThatThrownBy(() -> Transports.transport("graphql://127.0.0.1:0?maxPayload=1KiB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: maxPayload")
        .hasMessageContaining("maxDepth")
        .hasMessageContaining("maxMessageBytes, maxBufferedBytes, cors, idleTimeout")
        .hasMessageNotContaining("maxBodyBytes");
    assertThatThrownBy(() -> Transports.connect("graphql://127.0.0.1:1?retries=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: retries (expected: one of timeout, tls, ca, cert or key)");
  }

  @Test
  void clientTimeout_defaultsToEveryClientsDefault() {
    assertThat(GraphqlClient.DEFAULT_TIMEOUT)
        .isEqualTo(ClientBuilder.DEFAULT_TIMEOUT)
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(GraphqlClient.builder().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(GraphqlClient.builder().options(Map.of("timeout", "5s")).timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  private Server serve(Object transport) {
    Server server =
        transport instanceof String uri
            ? Transports.serve(Reference.services(), uri)
            : Transports.serve(Reference.services(), (GraphqlTransport) transport);
    cleanup.add(0, server);
    return server;
  }

  private Client client(Server server) {
    GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"));
    cleanup.add(0, client);
    return client;
  }

  private RawHttp connect(Server server) throws IOException {
    RawHttp c = new RawHttp(server.port("graphql"));
    cleanup.add(0, c);
    return c;
  }

  private static String get(String origin) {
    return "GET /graphql?query=%7Bname%7D HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }
}
