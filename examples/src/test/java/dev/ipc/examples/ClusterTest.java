package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.AbstractTransportContractTest;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.testing.RedisProcess;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two example servers with {@code --redis} on one real redis-server: the task list is one,
 * whichever node and protocol a put comes through, and every node's watchers hear every save once.
 */
@Interop
@Timeout(120)
class ClusterTest {
  private static ExampleServer.Options node(String redis) {
    return LocalOptions.parse("--redis", redis);
  }

  @Test
  void twoNodesShareTheirTasksAndTheirSaves() throws Exception {
    try (RedisProcess redis = new RedisProcess();
        Server a = ExampleServer.start(node(redis.uri()));
        Server b = ExampleServer.start(node(redis.uri()));
        Client restOnA = Transports.connect("rest://127.0.0.1:" + a.port("rest"));
        Client grpcOnB = Transports.connect("grpc://127.0.0.1:" + b.port("grpc"));
        Client socketIoOnB = Transports.connect("socketio://127.0.0.1:" + b.port("socketio"))) {
      TaskService viaA = restOnA.service(TaskService.class);
      TaskService viaB = grpcOnB.service(TaskService.class);
      // Seeded once, by whichever node came first: the article's three tasks, on both.
      assertThat(viaA.list())
          .containsExactly(new Task(1, "task1"), new Task(2, "task2"), new Task(3, "task3"));
      assertThat(viaB.list()).isEqualTo(viaA.list());

      AbstractTransportContractTest.Collector<Task> onA =
          new AbstractTransportContractTest.Collector<>(true);
      AbstractTransportContractTest.Collector<Task> onB =
          new AbstractTransportContractTest.Collector<>(true);
      viaA.watchTasks(10L, 19L).subscribe(onA);
      socketIoOnB.service(TaskService.class).watchTasks(10L, 19L).subscribe(onB);
      long end = System.nanoTime() + 20_000_000_000L;
      while ((a.openStreams() != 1 || b.openStreams() != 1) && System.nanoTime() < end) {
        Thread.sleep(10);
      }

      // Created on A, read and replaced on B, read again on A: one list, created-or-replaced as
      // ever.
      assertThat(viaA.put(new Task(10, "from a")).created()).isTrue();
      assertThat(viaB.get(10)).isEqualTo(new Task(10, "from a"));
      assertThat(viaB.put(new Task(10, "replaced on b")).created()).isFalse();
      assertThat(viaA.get(10)).isEqualTo(new Task(10, "replaced on b"));
      assertThat(viaB.put(new Task(11, "new on b")).created()).isTrue();
      assertThatThrownBy(() -> viaA.get(12)).hasMessageContaining("not found");

      List<Task> saves =
          List.of(new Task(10, "from a"), new Task(10, "replaced on b"), new Task(11, "new on b"));
      assertThat(onA.await(3)).containsExactlyElementsOf(saves);
      assertThat(onB.await(3)).containsExactlyElementsOf(saves);
    }
  }
}
