package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Feel;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TaskService;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Genre;
import dev.ipc.core.testing.Library;
import dev.ipc.core.testing.MemoryLibrary;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The URI entry points and the client's failure modes: refused, timed out, garbage, closed. */
@Timeout(60)
class GrpcClientTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void derivedService_aValueProtobufCannotCarry_isTheCallersInvalidArgument() {
    Server server = resources.serve(List.of(new MemoryLibrary()));
    try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      Library library = client.service(Library.class);
      Book far =
          new Book(
              1,
              "Far",
              Genre.NOVEL,
              List.of(),
              Map.of(),
              Instant.parse("+10000-01-01T00:00:00Z"),
              Optional.empty(),
              null);
      assertThatThrownBy(() -> library.add(far))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("published: +10000-01-01T00:00:00Z");
              });
      // Nothing was sent: the book is not there.
      assertThatThrownBy(() -> library.get(1))
          .isInstanceOfSatisfying(
              ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
  }

  @Test
  void uris_serveAndConnectThroughTheProvider() {
    Server server =
        Transports.builder()
            .services(Reference.services())
            .transport(
                "grpc://127.0.0.1:0?maxInboundMessageSize=1KiB&keepAliveTime=30s&maxConcurrentCallsPerConnection=8")
            .start();
    try (server;
        Client client =
            Transports.connect("grpc://127.0.0.1:" + server.port("grpc") + "?timeout=5s")) {
      assertThat(client).isInstanceOf(GrpcClient.class);
      assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isEqualTo(new Feel(true));
      assertThat(client.service(TaskService.DESCRIPTOR).list()).hasSize(3);
      // The 1 KiB limit from the URI applies.
      assertThatThrownBy(
              () -> client.service(DatingService.DESCRIPTOR).eating(new Eat("x".repeat(2048))))
          .isInstanceOfSatisfying(
              ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }
  }

  @Test
  void uris_unknownOrMalformedOption_isRejected() {
    assertThatThrownBy(() -> Transports.transport("grpc://127.0.0.1:0?color=blue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("color");
    assertThatThrownBy(() -> Transports.transport("grpc://127.0.0.1:0?keepAliveTime=soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAliveTime");
    assertThatThrownBy(() -> Transports.connect("grpc://127.0.0.1:1?timeout=-1s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void refusedConnection_isTransportException() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (GrpcClient client =
        GrpcClient.builder().target("127.0.0.1", port).timeout(Duration.ofSeconds(10)).build()) {
      assertThatThrownBy(() -> client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("/date.Dating/Eating");
    }
  }

  @Test
  void slowService_pastTheTimeout_isTransportException() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    DatingService slow = Resources.held(new CountDownLatch(1), release);
    Server server = resources.serve(List.of(slow));
    try (GrpcClient client =
        GrpcClient.builder()
            .target("127.0.0.1", server.port("grpc"))
            .timeout(Duration.ofMillis(300))
            .build()) {
      assertThatThrownBy(() -> client.service(DatingService.DESCRIPTOR).eating(new Eat("slow")))
          .isInstanceOf(TransportException.class)
          .hasMessageContaining("DEADLINE_EXCEEDED");
    } finally {
      release.countDown();
    }
  }

  @Test
  void garbageAnswer_isTransportException() throws Exception {
    try (ServerSocket fake = new ServerSocket(0)) {
      CompletableFuture<Void> answering =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = fake.accept()) {
                  OutputStream out = s.getOutputStream();
                  out.write(
                      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (GrpcClient client =
          GrpcClient.builder()
              .target("127.0.0.1", fake.getLocalPort())
              .timeout(Duration.ofSeconds(10))
              .build()) {
        assertThatThrownBy(() -> client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
            .isInstanceOf(TransportException.class);
      }
      answering.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void closedClient_isTransportException() {
    Server server = resources.serve();
    GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"));
    DatingService dating = client.service(DatingService.DESCRIPTOR);
    assertThat(dating.eating(new Eat("steak")).feeling()).isTrue();
    client.close();
    client.close();
    assertThatThrownBy(() -> dating.eating(new Eat("steak")))
        .isInstanceOf(TransportException.class);
  }

  @Test
  void takenPort_failsToStartNamingTheTransport() {
    Server first = resources.serve();
    GrpcTransport same = GrpcTransport.builder().host("127.0.0.1").port(first.port("grpc")).build();
    assertThatThrownBy(() -> resources.serve(Reference.services(), same))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("grpc")
        .hasMessageContaining(String.valueOf(first.port("grpc")));
  }

  @Test
  void builder_rejectsBadSettings() {
    assertThatThrownBy(() -> GrpcClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> GrpcClient.builder().target("h", 0)).hasMessageContaining("port: 0");
    assertThatThrownBy(() -> GrpcTransport.builder().port(70000))
        .hasMessageContaining("port: 70000");
    assertThatThrownBy(() -> GrpcTransport.builder().maxInboundMessageSize(0))
        .hasMessageContaining("bytes: 0");
    assertThat(GrpcTransport.of(6666).address()).isEqualTo("0.0.0.0:6666");
  }
}
