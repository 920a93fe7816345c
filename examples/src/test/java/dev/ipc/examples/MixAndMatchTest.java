package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Movie;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.socketio.SocketIoClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MixAndMatchTest {

  @Test
  void datingOverGrpc_answersTheArticlesCallsAndNothingElse() {
    try (Server server = DatingOverGrpc.start(0);
        Client client = Transports.connect("grpc://127.0.0.1:" + server.port("grpc"))) {
      DatingService dating = client.service(DatingService.DESCRIPTOR);
      assertThat(dating.eating(new Eat("steak")).feeling()).isTrue();
      assertThat(dating.watchMovie(new Movie("星际穿越")).feeling()).isTrue();
      assertThat(server.addresses()).containsOnlyKeys("grpc");
      // Only Dating is served: the task service is not there.
      assertThatThrownBy(() -> client.service(TaskService.DESCRIPTOR).list())
          .isInstanceOfSatisfying(
              dev.ipc.core.ServiceException.class,
              e -> assertThat(e.code()).isEqualTo(dev.ipc.core.ErrorCode.UNIMPLEMENTED));
    }
  }

  @Test
  void tasksOverRestAndSocketIo_aRestPutReachesSocketIoClients() throws Exception {
    try (Server server = TasksOverRestAndSocketIo.start(0, 0);
        SocketIoClient sockets = SocketIoClient.of("127.0.0.1", server.port("socketio"));
        Client rest = Transports.connect("rest://127.0.0.1:" + server.port("rest"))) {
      CompletableFuture<Object> saved = new CompletableFuture<>();
      sockets.onEvent("task:saved", saved::complete);
      // A call first, so the socket is connected before the put is broadcast.
      assertThat(sockets.service(TaskService.DESCRIPTOR).list()).hasSize(3);

      rest.service(TaskService.DESCRIPTOR).put(new Task(5, "task5"));

      assertThat(saved.get(20, TimeUnit.SECONDS)).asString().contains("task5");
      assertThat(sockets.service(TaskService.DESCRIPTOR).get(5)).isEqualTo(new Task(5, "task5"));
    }
  }
}
