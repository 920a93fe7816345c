package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
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

/** The client's side of failures: no answer is a TransportException, never a service error. */
@Timeout(60)
class RestClientTest {
  @Test
  void connect_throughTransportsUri() {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0");
        Client client =
            Transports.connect("rest://127.0.0.1:" + server.port("rest") + "?timeout=5s")) {
      assertThat(client).isInstanceOf(RestClient.class);
      assertThat(client.service(TaskService.DESCRIPTOR).get(3)).isEqualTo(new Task(3, "task3"));
    }
  }

  @Test
  void refusedConnection_isTransportException() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (RestClient client = RestClient.of("127.0.0.1", port)) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThatThrownBy(tasks::list)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("connect");
    }
  }

  @Test
  void answerThatIsNotTheProtocols_isTransportException() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    HttpServer other =
        HttpServer.builder()
            .host("127.0.0.1")
            .executor(executor)
            .handler(
                r ->
                    r.path().equals("/tasks")
                        ? HttpResponse.text(200, "<html>hi</html>")
                        : HttpResponse.text(502, "bad gateway"))
            .start();
    try (RestClient client = RestClient.of("127.0.0.1", other.localAddress().getPort())) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThatThrownBy(tasks::list)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("malformed");
      assertThatThrownBy(() -> tasks.get(1))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("502");
    } finally {
      other.shutdownNow();
      executor.shutdownNow();
    }
  }

  @Test
  void slowService_isTransportExceptionAfterTheTimeout() {
    CountDownLatch release = new CountDownLatch(1);
    DatingService stuck =
        new DatingService() {
          @Override
          public Feel eating(Eat eat) {
            try {
              release.await();
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
    try (Server server = Transports.serve(List.of(stuck), "rest://127.0.0.1:0");
        RestClient client =
            RestClient.builder()
                .target("127.0.0.1", server.port("rest"))
                .timeout(Duration.ofMillis(200))
                .build()) {
      DatingService dating = client.service(DatingService.DESCRIPTOR);
      assertThatThrownBy(() -> dating.eating(new Eat("soup")))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("no answer");
      release.countDown();
      // The server still serves; asked with the default timeout, as 200 ms for a whole call would
      // be a
      // race on a busy machine.
      try (RestClient patient = RestClient.of("127.0.0.1", server.port("rest"))) {
        assertThat(patient.service(DatingService.DESCRIPTOR).watchMovie(new Movie("after")))
            .isEqualTo(new Feel(true));
      }
    }
  }

  @Test
  void answerStallingMidBody_isTransportExceptionAfterTheTimeout() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (ServerSocket fake = new ServerSocket(0)) {
      CompletableFuture<Void> answering =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = fake.accept()) {
                  s.getInputStream().read(new byte[8192]);
                  OutputStream out = s.getOutputStream();
                  // Headers and the first bytes of the body, then nothing: the call must not hang.
                  out.write(
                      ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                              + "[{\"id\"")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  done.await(30, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      try (RestClient client =
          RestClient.builder()
              .target("127.0.0.1", fake.getLocalPort())
              .timeout(Duration.ofMillis(300))
              .build()) {
        TaskService tasks = client.service(TaskService.DESCRIPTOR);
        assertThatThrownBy(tasks::list)
            .isInstanceOf(TransportException.class)
            .hasMessageContaining("no answer");
      } finally {
        done.countDown();
      }
      answering.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void closedClient_failsWithTransportException() {
    try (Server server = Transports.serve(Reference.services(), "rest://127.0.0.1:0")) {
      RestClient client = RestClient.of("127.0.0.1", server.port("rest"));
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      assertThat(tasks.list()).hasSize(3);
      client.close();
      client.close();
      assertThatThrownBy(tasks::list)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void close_closesEveryConnection_afterConcurrentCallsReusedThem() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try (CountingHttpServer server =
        new CountingHttpServer("application/json", "[{\"id\":1,\"name\":\"t\"}]")) {
      RestClient client = RestClient.of("127.0.0.1", server.port());
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
            new CountingHttpServer("application/json", "[{\"id\":1,\"name\":\"t\"}]");
        RestClient client =
            RestClient.builder()
                .target("127.0.0.1", server.port())
                .timeout(Duration.ofSeconds(1))
                .build()) {
      TaskService tasks = client.service(TaskService.DESCRIPTOR);
      server.stallNextAnswer();
      assertThatThrownBy(tasks::list)
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("no answer");
      assertThat(tasks.list()).containsExactly(new Task(1, "t"));
      client.close();
      assertThat(server.awaitAllClosed(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> RestClient.builder().target("h", 0)).hasMessageContaining("port: 0");
    assertThatThrownBy(() -> RestClient.builder().options(Map.of("nope", "1")))
        .hasMessageContaining("option: nope");
    assertThatThrownBy(() -> RestTransport.builder().options(Map.of("maxBodyBytes", "lots")))
        .hasMessageContaining("maxBodyBytes: lots");
    assertThat(
            RestTransport.builder()
                .options(
                    Map.of(
                        "maxBodyBytes",
                        "2MiB",
                        "cors",
                        "*",
                        "requestTimeout",
                        "10s",
                        "idleTimeout",
                        "1m"))
                .build()
                .maxBodyBytes)
        .isEqualTo(2 * 1024 * 1024);
  }
}
