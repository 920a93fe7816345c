package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.PersonService;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.http.internal.HttpHandler;
import dev.ipc.http.internal.HttpResponse;
import dev.ipc.http.internal.HttpServer;
import dev.ipc.http.testing.CountingHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link GraphqlClient} against real servers: transport failures apart from service errors. */
@Timeout(60)
class GraphqlClientTest {
  private static Server serve(List<?> services, String uri) {
    return Transports.builder().services(services).transport(uri).start();
  }

  @Test
  void refusedConnection_isTransportException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (GraphqlClient client = GraphqlClient.of("127.0.0.1", port)) {
      PersonService person = client.service(PersonService.DESCRIPTOR);
      assertThatThrownBy(person::person)
          .isInstanceOf(TransportException.class)
          .isNotInstanceOf(ServiceException.class);
    }
  }

  @Test
  void notGraphqlAnswer_isTransportException() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      // What the fake server read, checked on the test thread (an assertion failing in this thread
      // would be lost).
      java.util.concurrent.CompletableFuture<Integer> read =
          new java.util.concurrent.CompletableFuture<>();
      Thread answer =
          new Thread(
              () -> {
                try (Socket c = s.accept()) {
                  byte[] buf = new byte[8192];
                  read.complete(c.getInputStream().read(buf));
                  OutputStream out = c.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  read.completeExceptionally(e);
                }
              });
      answer.start();
      try (GraphqlClient client = GraphqlClient.of("127.0.0.1", s.getLocalPort())) {
        assertThatThrownBy(() -> client.service(PersonService.DESCRIPTOR).person())
            .isInstanceOf(TransportException.class)
            .hasMessageContaining("not a GraphQL response");
      }
      assertThat(read.get(10, TimeUnit.SECONDS)).isPositive();
      answer.join(10_000);
    }
  }

  @Test
  void slowAnswer_timesOutAsTransportException() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    DatingService stuck =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return new Feel(true);
          }

          @Override
          public Feel watchMovie(Movie movie) {
            return new Feel(true);
          }
        };
    try (Server server = serve(List.of(stuck), "graphql://127.0.0.1:0");
        GraphqlClient client =
            GraphqlClient.builder()
                .target("127.0.0.1", server.port("graphql"))
                .timeout(Duration.ofMillis(300))
                .build()) {
      DatingService dating = client.service(DatingService.DESCRIPTOR);
      try {
        assertThatThrownBy(() -> dating.eating(new Eat("slow")))
            .isInstanceOf(TransportException.class)
            .hasMessageContaining("within");
      } finally {
        release.countDown();
      }
      // The server is unharmed (checked with a patient client, so a loaded machine cannot fail
      // this).
      try (GraphqlClient patient = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
        assertThat(patient.service(DatingService.DESCRIPTOR).watchMovie(new Movie("next")))
            .isEqualTo(new Feel(true));
      }
    }
  }

  @Test
  void bodyOverTheServersLimit_isResourceExhausted() {
    try (Server server = serve(Reference.services(), "graphql://127.0.0.1:0?maxMessageBytes=1000");
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> tasks.put(new Task(9, "x".repeat(2000))))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
    }
  }

  @Test
  void bodyBeyondTheServersBodyBudget_isUnavailable_andTheNextCallIsServed() {
    try (Server server =
            serve(Reference.services(), "graphql://127.0.0.1:0?maxBufferedBytes=1000");
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"))) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThatThrownBy(() -> tasks.put(new Task(9, "x".repeat(2000))))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
    }
  }

  @Test
  void closedClient_failsWithTransportException() {
    try (Server server = serve(Reference.services(), "graphql://127.0.0.1:0")) {
      GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"));
      PersonService person = client.service(PersonService.DESCRIPTOR);
      assertThat(person.person().name()).isEqualTo("Rootkit");
      client.close();
      client.close();
      assertThatThrownBy(person::person)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void transportsUris_serveAndConnectOverGraphql() {
    try (Server server =
            serve(Reference.services(), "graphql://127.0.0.1:0?maxAliases=1&introspection=false");
        Client client =
            Transports.connect("graphql://127.0.0.1:" + server.port("graphql") + "?timeout=5s")) {
      assertThat(client).isInstanceOf(GraphqlClient.class);
      assertThat(client.service(TaskService.DESCRIPTOR).list()).hasSize(3);
    }
    assertThatThrownBy(() -> Transports.transport("graphql://127.0.0.1:0?depth=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: depth");
    assertThatThrownBy(() -> Transports.connect("graphql://127.0.0.1:4444?timeout=soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout: soon");
  }

  private static final String TASKS = "{\"data\":{\"tasks\":[{\"id\":1,\"name\":\"t\"}]}}";

  @Test
  void close_closesEveryConnection_afterConcurrentCallsReusedThem() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try (CountingHttpServer server =
        new CountingHttpServer("application/graphql-response+json", TASKS)) {
      GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port());
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      List<CompletableFuture<List<Task>>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(CompletableFuture.supplyAsync(tasks::list, callers));
      }
      for (CompletableFuture<List<Task>> c : calls) {
        assertThat(c.get(20, TimeUnit.SECONDS)).containsExactly(new Task(1, "t"));
      }
      // 40 calls from 8 threads: at most one connection per caller thread, kept alive and reused.
      assertThat(server.accepted()).isBetween(1, 8);

      client.close();

      assertThat(server.awaitAllClosed(Duration.ofSeconds(10))).isTrue();
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void timeoutMidBody_isTransportException_andTheClientGoesOn() throws Exception {
    try (CountingHttpServer server =
            new CountingHttpServer("application/graphql-response+json", TASKS);
        GraphqlClient client =
            GraphqlClient.builder()
                .target("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(1))
                .build()) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      server.stallNextAnswer();
      assertThatThrownBy(tasks::list)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("within");
      assertThat(tasks.list()).containsExactly(new Task(1, "t"));
      client.close();
      assertThat(server.awaitAllClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  /**
   * Runs {@code check} with a client of an ipc-http server answering every request with {@code
   * answer}.
   */
  private static void withServer(
      HttpResponse answer, java.util.function.Consumer<GraphqlClient> check) throws IOException {
    ExecutorService executor = Executors.newFixedThreadPool(2);
    HttpHandler handler = request -> answer;
    HttpServer server =
        HttpServer.builder()
            .host("127.0.0.1")
            .port(0)
            .executor(executor)
            .workerThreads(1)
            .handler(handler)
            .start();
    try (GraphqlClient client = GraphqlClient.of("127.0.0.1", server.localAddress().getPort())) {
      check.accept(client);
    } finally {
      server.shutdownNow();
      executor.shutdownNow();
    }
  }

  private static final String PAGE = "<html>" + "<p>private page</p>".repeat(10_000) + "</html>";

  static List<Arguments> foreignAnswers() {
    return List.of(
        // A REST server (ipc-http's own problem, with a core code) has no POST /graphql.
        Arguments.of(
            HttpResponse.problem(404, "no route: POST /graphql", Map.of("code", "NOT_FOUND")),
            "HTTP 404, application/problem+json"),
        Arguments.of(
            HttpResponse.problem(405, "method not allowed", Map.of("code", "INVALID_ARGUMENT")),
            "HTTP 405, application/problem+json"),
        Arguments.of(
            HttpResponse.of(200, "text/html; charset=utf-8", PAGE.getBytes(StandardCharsets.UTF_8)),
            "HTTP 200, text/html"),
        Arguments.of(HttpResponse.text(502, "Bad Gateway"), "HTTP 502, text/plain"),
        // A framework's problem without our code, and one whose status is no refusal of ours.
        Arguments.of(HttpResponse.problem(500, "boom"), "HTTP 500, application/problem+json"),
        Arguments.of(
            HttpResponse.problem(502, "upstream down", Map.of("code", "UNAVAILABLE")),
            "HTTP 502, application/problem+json"),
        // JSON that is not a GraphQL response, even with a 200 or an error-looking shape.
        Arguments.of(HttpResponse.json(200, "{\"status\":\"ok\"}"), "HTTP 200, application/json"),
        Arguments.of(HttpResponse.json(400, "{\"errors\":\"bad\"}"), "HTTP 400, application/json"),
        // A GraphQL-shaped body on a 5xx our endpoint never sends.
        Arguments.of(
            HttpResponse.of(
                502,
                "application/graphql-response+json",
                "{\"errors\":[{\"message\":\"x\",\"extensions\":{\"code\":\"NOT_FOUND\"}}]}"
                    .getBytes(StandardCharsets.UTF_8)),
            "HTTP 502, application/graphql-response+json"));
  }

  @ParameterizedTest
  @MethodSource("foreignAnswers")
  void answerNotFromOurGraphqlEndpoint_isTransportException_sayingWhatCameBack(
      HttpResponse answer, String what) throws IOException {
    withServer(
        answer,
        client ->
            assertThatThrownBy(() -> client.service(PersonService.DESCRIPTOR).person())
                .isInstanceOf(TransportException.class)
                .isNotInstanceOf(ServiceException.class)
                .hasMessageContaining("not a GraphQL response")
                .hasMessageContaining(what)
                .satisfies(
                    e ->
                        assertThat(e.getMessage())
                            .hasSizeLessThan(300)
                            .doesNotContain("private page")));
  }

  static List<Arguments> ourRefusals() {
    return List.of(
        Arguments.of(
            HttpResponse.problem(
                413, "request body larger than 10 bytes", Map.of("code", "RESOURCE_EXHAUSTED")),
            ErrorCode.RESOURCE_EXHAUSTED),
        Arguments.of(
            HttpResponse.problem(
                429, "server is busy; retry later", Map.of("code", "RESOURCE_EXHAUSTED")),
            ErrorCode.RESOURCE_EXHAUSTED),
        Arguments.of(
            HttpResponse.problem(503, "server is shutting down", Map.of("code", "UNAVAILABLE")),
            ErrorCode.UNAVAILABLE),
        Arguments.of(
            HttpResponse.problem(500, "internal error", Map.of("code", "INTERNAL")),
            ErrorCode.INTERNAL));
  }

  @ParameterizedTest
  @MethodSource("ourRefusals")
  void ipcHttpRefusal_isServiceException_withItsCodeAndDetail(HttpResponse answer, ErrorCode code)
      throws IOException {
    String detail =
        new String(answer.body(), StandardCharsets.UTF_8)
            .replaceAll(".*\"detail\":\"([^\"]*)\".*", "$1");
    withServer(
        answer,
        client ->
            assertThatThrownBy(() -> client.service(PersonService.DESCRIPTOR).person())
                .isInstanceOfSatisfying(
                    ServiceException.class,
                    e -> {
                      assertThat(e.code()).isEqualTo(code);
                      assertThat(e.getMessage()).isEqualTo(detail);
                    }));
  }

  @Test
  void graphqlErrorOverApplicationJson_isServiceException() throws IOException {
    String body =
        "{\"errors\":[{\"message\":\"no such person\",\"extensions\":{\"code\":\"NOT_FOUND\"}}],\"data\":null}";
    withServer(
        HttpResponse.json(200, body),
        client ->
            assertThatThrownBy(() -> client.service(PersonService.DESCRIPTOR).person())
                .isInstanceOfSatisfying(
                    ServiceException.class,
                    e -> {
                      assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                      assertThat(e.getMessage()).isEqualTo("no such person");
                    }));
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> GraphqlClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GraphqlClient.builder().target("h", 0))
        .hasMessageContaining("port: 0");
    assertThatThrownBy(() -> GraphqlClient.builder().timeout(Duration.ZERO))
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> GraphqlTransport.builder().port(70000))
        .hasMessageContaining("port: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> GraphqlTransport.builder().maxDepth(0))
        .hasMessageContaining("depth: 0 (expected: > 0)");
  }
}
