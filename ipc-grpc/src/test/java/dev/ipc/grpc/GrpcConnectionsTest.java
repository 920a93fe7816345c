package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Client;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server counts open HTTP/2 connections for {@code ipc.server.connections}. */
@Timeout(60)
class GrpcConnectionsTest {
  @Test
  void eachClientConnectionCountsWhileOpen() throws Exception {
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport("grpc://127.0.0.1:0")
            .start()) {
      assertThat(server.stats().connections()).containsEntry("grpc", 0);
      String uri = "grpc://127.0.0.1:" + server.port("grpc");
      try (Client a = Transports.connect(uri);
          Client b = Transports.connect(uri)) {
        assertThat(a.service(TaskService.class).get(1)).isEqualTo(new Task(1, "task1"));
        assertThat(b.service(TaskService.class).get(2)).isEqualTo(new Task(2, "task2"));
        // Many calls, one connection each.
        a.service(TaskService.class).list();
        assertThat(server.stats().connections()).containsEntry("grpc", 2);
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (server.stats().connections().get("grpc") > 0 && System.nanoTime() < end) {
        Thread.sleep(10);
      }
      assertThat(server.stats().connections()).containsEntry("grpc", 0);
    }
  }
}
