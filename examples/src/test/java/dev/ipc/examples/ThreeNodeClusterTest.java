package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Client;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.redis.testing.RedisProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three example servers, each its own JVM as an operator runs them, with {@code --redis} on one
 * real redis-server, and the article's own clients (socket.io-client v4 on Node, python-socketio)
 * on different nodes: a put over gRPC on node 1 is read over REST on node 2 and pushed once to each
 * client, and the article's {@code message}/{@code login} broadcasts reach every node's clients.
 */
@Interop
@Timeout(300)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNodeClusterTest {
  private RedisProcess redis;
  private NodeProcess node1;
  private NodeProcess node2;
  private NodeProcess node3;

  @BeforeAll
  void startTheCluster() throws Exception {
    redis = new RedisProcess();
    node1 = NodeProcess.start("1", redis.uri());
    node2 = NodeProcess.start("2", redis.uri());
    node3 = NodeProcess.start("3", redis.uri());
  }

  @AfterAll
  void stopTheCluster() throws Exception {
    for (NodeProcess node : new NodeProcess[] {node1, node2, node3}) {
      if (node != null) {
        node.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static String socketIo(NodeProcess node) {
    return "http://127.0.0.1:" + node.port("socketio");
  }

  @Test
  void aGrpcPutOnNode1_isListedOverRestOnNode2_andPushedOnceToClientsOnNodes2And3()
      throws Exception {
    try (EventClient nodeJsOn2 = EventClient.node("socket.io-client@node2", socketIo(node2), null);
        EventClient pythonOn3 = EventClient.python("python-socketio@node3", socketIo(node3), null);
        Client grpcOn1 = Transports.connect("grpc://127.0.0.1:" + node1.port("grpc"));
        Client restOn2 = Transports.connect("rest://127.0.0.1:" + node2.port("rest"))) {
      nodeJsOn2.awaitConnected();
      pythonOn3.awaitConnected();
      TaskService viaGrpc = grpcOn1.service(TaskService.class);

      assertThat(viaGrpc.put(new Task(101, "put on node 1")).created()).isTrue();
      assertThat(restOn2.service(TaskService.class).list())
          .contains(new Task(101, "put on node 1"));

      // Exactly once: a second put from the same node arrives after the first (the bus keeps one
      // node's order), so when a client has it, a duplicate of the first would have been seen.
      viaGrpc.put(new Task(102, "after 101"));
      for (EventClient client : List.of(nodeJsOn2, pythonOn3)) {
        client.awaitEvent("task:saved", "after 101");
        assertThat(client.events("task:saved").stream().filter(e -> e.contains("put on node 1")))
            .as("%s", client)
            .hasSize(1);
      }
      assertThat(List.of(node1, node2, node3)).allMatch(NodeProcess::isAlive);
    }
  }

  @Test
  void theArticlesMessageAndLoginBroadcasts_reachClientsOnEveryNode() throws Exception {
    try (EventClient pythonOn1 =
            EventClient.python("python-socketio@node1", socketIo(node1), null);
        EventClient nodeJsOn2 = EventClient.node("socket.io-client@node2", socketIo(node2), null);
        EventClient pythonOn3 =
            EventClient.python("python-socketio@node3", socketIo(node3), null)) {
      for (EventClient client : List.of(pythonOn1, nodeJsOn2, pythonOn3)) {
        client.awaitConnected();
      }
      // The article's Node server answers `message` and `login` with a broadcast to every client:
      // the sender's own node first (local delivery), then the other nodes.
      nodeJsOn2.emit("message", "\"Hello guys. \"");
      for (EventClient client : List.of(nodeJsOn2, pythonOn1, pythonOn3)) {
        client.awaitEvent("message", "messagetest");
      }
      pythonOn3.emit("login", "{\"user\": \"me\"}");
      for (EventClient client : List.of(pythonOn3, pythonOn1, nodeJsOn2)) {
        client.awaitEvent("login", "logintest");
        // The login broadcast came after the message one: one message each, none doubled.
        assertThat(client.events("message")).as("%s", client).hasSize(1);
      }
    }
  }
}
