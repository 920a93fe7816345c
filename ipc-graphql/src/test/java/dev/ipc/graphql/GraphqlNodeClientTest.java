package dev.ipc.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The npm clients against a real server: {@code graphql-ws} 6.4 (GraphQL over WebSocket, with the
 * {@code ws} package under Node 20) and {@code graphql-sse} 2.6 (distinct connections) subscribe to
 * {@code taskSaved} and hear every task put through the Java client, then one put with a mutation
 * over the WebSocket, authorized by the token of {@code connection_init}; a server close ends both
 * with {@code complete}. Needs {@code node} and {@code npm ci} in src/test/js.
 */
@Timeout(120)
@Interop
class GraphqlNodeClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Server serve() {
    return Transports.builder()
        .services(Reference.services())
        .authenticate(t -> GraphqlSecurityTest.TOKENS.get(t))
        .transport(GraphqlTransport.builder().host("127.0.0.1").port(0).build())
        .start();
  }

  static void awaitOpenStreams(Server server, int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (server.openStreams() != n && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(server.openStreams()).as("open streams").isEqualTo(n);
  }

  @Test
  void graphqlWsAndGraphqlSse_hearEverySaveInOrder_andTheMutationOverTheSocket() throws Exception {
    try (Server server = serve();
        GraphqlClient client = GraphqlClient.of("127.0.0.1", server.port("graphql"));
        Node node = Node.start("live.js", server.port("graphql"), 100, 3, "w-token")) {
      awaitOpenStreams(server, 2);
      TaskService tasks = client.withBearerToken("w-token").service(TaskService.DESCRIPTOR);
      tasks.put(new Task(99, "below the range"));
      for (long id = 100; id < 103; id++) {
        tasks.put(new Task(id, "task " + id));
      }
      JsonNode r = node.result();
      String expected =
          "[{\"id\":100,\"name\":\"task 100\"},{\"id\":101,\"name\":\"task 101\"},"
              + "{\"id\":102,\"name\":\"task 102\"},{\"id\":103,\"name\":\"from node\"}]";
      assertThat(r.get("ws")).isEqualTo(JSON.readTree(expected));
      assertThat(r.get("sse")).isEqualTo(JSON.readTree(expected));
      assertThat(r.get("mutation"))
          .isEqualTo(
              JSON.readTree(
                  "{\"data\":{\"putTask\":{\"id\":103,\"name\":\"from node\"}},"
                      + "\"extensions\":{\"created\":{\"putTask\":true}}}"));
      assertThat(r.get("endsBeforeDispose")).isEmpty();
      // Both clients gone: nothing left open on the server.
      awaitOpenStreams(server, 0);
    }
  }

  @Test
  void serverClose_endsBothSubscriptionsWithComplete() throws Exception {
    Server server = serve();
    try (Node node = Node.start("close.js", server.port("graphql"))) {
      awaitOpenStreams(server, 2);
      server.close();
      JsonNode r = node.result();
      assertThat(r.get("ends"))
          .isEqualTo(JSON.readTree("{\"ws\":\"complete\",\"sse\":\"complete\"}"));
      assertThat(server.openStreams()).isZero();
    } finally {
      server.close();
    }
  }
}
