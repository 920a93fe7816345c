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
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.ClientBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The options every transport shares, by their shared names, from the builder and from URIs; the
 * deprecated names still work; unknown options are refused with the known ones listed.
 */
class GrpcOptionsTest {
  @Test
  @SuppressWarnings("deprecation")
  void maxMessageBytes_fromBuilderOrUri_andItsDeprecatedAlias_refuseLargerMessages() {
    List<Server> servers =
        List.of(
            Transports.serve(
                Reference.services(),
                GrpcTransport.builder().host("127.0.0.1").port(0).maxMessageBytes(1024).build()),
            Transports.serve(Reference.services(), "grpc://127.0.0.1:0?maxMessageBytes=1KiB"),
            Transports.serve(
                Reference.services(),
                GrpcTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxInboundMessageSize(1024)
                    .build()),
            Transports.serve(
                Reference.services(), "grpc://127.0.0.1:0?maxInboundMessageSize=1KiB"));
    try {
      for (Server server : servers) {
        try (GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
          DatingService dating = client.service(DatingService.DESCRIPTOR);
          assertThat(dating.eating(new Eat("x".repeat(900)))).isEqualTo(new Feel(true));
          assertThatThrownBy(() -> dating.eating(new Eat("x".repeat(2048))))
              .isInstanceOfSatisfying(
                  ServiceException.class,
                  e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
        }
      }
    } finally {
      servers.forEach(Server::close);
    }
  }

  @Test
  void clientMaxMessageBytes_fromUri_refusesLargerAnswers() {
    try (Server server = Transports.serve(Reference.services(), "grpc://127.0.0.1:0");
        Client small =
            Transports.connect("grpc://127.0.0.1:" + server.port("grpc") + "?maxMessageBytes=128");
        Client deprecated =
            Transports.connect(
                "grpc://127.0.0.1:" + server.port("grpc") + "?maxInboundMessageSize=128");
        GrpcClient big = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      big.service(TaskService.DESCRIPTOR).put(new Task(9, "x".repeat(200)));
      for (Client client : List.of(small, deprecated)) {
        TaskService tasks = client.service(TaskService.DESCRIPTOR);
        assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
        assertThatThrownBy(() -> tasks.get(9))
            .isInstanceOfSatisfying(
                ServiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      }
    }
  }

  @Test
  void idleTimeout_fromUri_closesTheIdleConnection() throws InterruptedException {
    try (Server server =
            Transports.serve(Reference.services(), "grpc://127.0.0.1:0?idleTimeout=1s");
        GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"))) {
      assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isEqualTo(new Feel(true));
      assertThat(server.stats().connections().get("grpc")).isEqualTo(1);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (server.stats().connections().get("grpc") != 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(server.stats().connections().get("grpc"))
          .as("connections after the idle timeout")
          .isZero();
      // The client reconnects for its next call.
      assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
          .isEqualTo(new Feel(true));
    }
  }

  @Test
  void workerThreads_fromUri_givesTheServerItsOwnLoops_stoppedWithIt() throws InterruptedException {
    Set<Thread> before = workerLoops();
    Set<Thread> started;
    try (Server server =
        Transports.serve(Reference.services(), "grpc://127.0.0.1:0?workerThreads=2")) {
      // Three connections over two loops: both loops serve one at least.
      List<GrpcClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          GrpcClient client = GrpcClient.of("127.0.0.1", server.port("grpc"));
          clients.add(client);
          assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")))
              .isEqualTo(new Feel(true));
        }
        started = workerLoops();
        started.removeAll(before);
        assertThat(started).hasSize(2);
      } finally {
        clients.forEach(GrpcClient::close);
      }
    }
    // The loops end after the close: join each, within one shared deadline.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (Thread t : started) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    assertThat(started).as("the server's loops after close").noneMatch(Thread::isAlive);
  }

  private static Set<Thread> workerLoops() {
    Set<Thread> loops = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("ipc-grpc-worker-")) {
        loops.add(t);
      }
    }
    return loops;
  }

  @Test
  void unknownOptions_areRefused_namingTheKnownOnes() {
    assertThatThrownBy(() -> Transports.transport("grpc://127.0.0.1:0?maxBodyBytes=1KiB"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: maxBodyBytes")
        .hasMessageContaining("maxMessageBytes, idleTimeout")
        .hasMessageContaining("reflection")
        // Deprecated names work but are not advertised.
        .hasMessageNotContaining("maxInboundMessageSize");
    assertThatThrownBy(() -> GrpcTransport.builder().options(Map.of("maxMessageBytes", "lots")))
        .hasMessageContaining("maxMessageBytes: lots");
    assertThatThrownBy(() -> Transports.connect("grpc://127.0.0.1:1?retries=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("option: retries")
        .hasMessageContaining("timeout, tls, ca, cert, key or maxMessageBytes");
  }

  @Test
  void clientTimeout_defaultsToEveryClientsDefault() {
    assertThat(GrpcClient.DEFAULT_TIMEOUT)
        .isEqualTo(ClientBuilder.DEFAULT_TIMEOUT)
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(GrpcClient.builder().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(GrpcClient.builder().options(Map.of("timeout", "5s")).timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }
}
