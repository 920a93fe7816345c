package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.PersonService;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.testing.RedisProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis stopped in the middle of a run and started again, under two example nodes with {@code
 * --redis}. With Redis gone the task list (which lives in Redis) answers UNAVAILABLE at once on
 * every protocol (gRPC 14, HTTP 503), the Dating service and each node's own Socket.IO broadcasts
 * keep working, and no node falls over; once Redis is back, task calls and cross-node delivery
 * resume by themselves within seconds.
 */
@Interop
@Timeout(240)
class RedisOutageTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql", "socketio");

  private static ExampleServer.Options node(String redis) {
    return LocalOptions.parse("--redis", redis);
  }

  @Test
  void redisStopsAndComesBack_callsFailCleanly_localDeliveryGoesOn_crossNodeDeliveryResumes()
      throws Exception {
    List<Client> clients = new ArrayList<>();
    try (RedisProcess redis = new RedisProcess();
        Server a = ExampleServer.start(node(redis.uri()));
        Server b = ExampleServer.start(node(redis.uri()));
        EventClient senderOnA =
            EventClient.python("python-socketio@a (sender)", socketIo(a), null);
        EventClient listenerOnA =
            EventClient.python("python-socketio@a (listener)", socketIo(a), null);
        EventClient listenerOnB = EventClient.python("python-socketio@b", socketIo(b), null)) {
      for (EventClient c : List.of(senderOnA, listenerOnA, listenerOnB)) {
        c.awaitConnected();
      }
      for (Server node : List.of(a, b)) {
        for (String protocol : PROTOCOLS) {
          clients.add(Transports.connect(protocol + "://127.0.0.1:" + node.port(protocol)));
        }
      }
      TaskService grpcOnA = clients.get(0).service(TaskService.class);
      assertThat(grpcOnA.put(new Task(201, "before the outage")).created()).isTrue();
      listenerOnB.awaitEvent("task:saved", "before the outage");

      redis.stop();

      for (Client client : clients) {
        // The store is Redis: no answer to give, but a prompt and honest one (the class @Timeout
        // catches a hang; Lettuce's default would have queued the command for 60 s, then INTERNAL).
        assertThatThrownBy(() -> client.service(TaskService.class).get(1))
            .as("%s", client)
            .isInstanceOfSatisfying(
                ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThatThrownBy(
                () -> client.service(TaskService.class).put(new Task(202, "during the outage")))
            .as("%s", client)
            .isInstanceOfSatisfying(
                ServiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        // What does not need Redis answers as ever.
        assertThat(client.service(DatingService.DESCRIPTOR).eating(new Eat("steak")).feeling())
            .as("%s", client)
            .isTrue();
        assertThat(client.service(PersonService.DESCRIPTOR).person().name())
            .as("%s", client)
            .isEqualTo("Rootkit");
      }
      // HTTP's own form of UNAVAILABLE, as curl would see it.
      HttpResponse<String> rest =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + a.port("rest") + "/tasks/1"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(rest.statusCode()).isEqualTo(503);
      assertThat(rest.body()).doesNotContain("127.0.0.1:" + redis.port());
      // A Socket.IO ack carries the code too.
      assertThat(senderOnA.call("task:get", "{\"id\": 1}")).contains("UNAVAILABLE");
      // Local delivery: the article's `message` broadcast reaches the clients of the sender's node.
      senderOnA.emit("message", "\"during the outage\"");
      listenerOnA.awaitEvent("message", "messagetest");
      senderOnA.awaitEvent("message", "messagetest");

      redis.start();

      // Task calls and cross-node delivery come back by themselves: put on a until a save reaches
      // the client on b (a put may still fail, or its publish be missed, while the nodes
      // reconnect).
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int attempt = 0;
      long saved = -1;
      while (listenerOnB.events("task:saved").stream()
          .noneMatch(e -> e.contains("after the outage"))) {
        assertThat(System.nanoTime())
            .as("cross-node delivery resumed within 60 s; b saw %s", listenerOnB)
            .isLessThan(end);
        try {
          long id = 300 + attempt++;
          grpcOnA.put(new Task(id, "after the outage"));
          saved = id;
        } catch (ServiceException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        }
        Thread.sleep(200);
      }
      // Both nodes serve every protocol again, tasks included.
      for (Client client : clients) {
        assertThat(client.service(TaskService.class).get(saved).name())
            .as("%s", client)
            .isEqualTo("after the outage");
      }
    } finally {
      for (Client client : clients) {
        client.close();
      }
    }
  }

  private static String socketIo(Server node) {
    return "http://127.0.0.1:" + node.port("socketio");
  }
}
