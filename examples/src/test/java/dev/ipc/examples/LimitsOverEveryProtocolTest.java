package dev.ipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Limits;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.socketio.SocketIoClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One flooding caller is limited while another keeps being served, on every protocol: a rate limit
 * per principal, after authentication, through each protocol's Java client.
 */
@Timeout(120)
class LimitsOverEveryProtocolTest {
  private static final Map<String, Principal> TOKENS =
      Map.of("flood", Principal.of("flooder"), "calm", Principal.of("calm"));

  private static Client client(String protocol, int port, String token) {
    if (protocol.equals("socketio")) {
      // Socket.IO sends credentials once, in the handshake.
      return SocketIoClient.builder().target("127.0.0.1", port).token(token).build();
    }
    Client plain = Transports.connect(protocol + "://127.0.0.1:" + port);
    Client view = plain.withBearerToken(token);
    return new Client() {
      @Override
      public dev.ipc.core.model.Reply call(
          dev.ipc.core.model.Operation<?, ?, ?> op, Object request) {
        return view.call(op, request);
      }

      @Override
      public void close() {
        plain.close();
      }
    };
  }

  @Test
  void aFloodingCallerIsLimited_anotherIsServed_onEveryProtocol() {
    Transports.Builder b =
        Transports.builder()
            .services(Reference.services())
            .authenticate(TOKENS::get)
            // A bucket of 5 that refills once in 1000 s: the sixth call of a caller is refused.
            .interceptor(Limits.rate(0.001, 5));
    List<String> protocols = List.of("grpc", "rest", "graphql", "socketio");
    for (String p : protocols) {
      b.transport(p + "://127.0.0.1:0");
    }
    try (Server server = b.start()) {
      for (String p : protocols) {
        // The buckets are per principal, so shared across transports: one caller, one budget.
        try (Client flood = client(p, server.port(p), "flood");
            Client calm = client(p, server.port(p), "calm")) {
          TaskService flooding = flood.service(TaskService.class);
          TaskService served = calm.service(TaskService.class);
          if (p.equals("grpc")) {
            int refused = 0;
            for (int i = 0; i < 8; i++) {
              try {
                assertThat(flooding.get(1)).isEqualTo(new Task(1, "task1"));
              } catch (ServiceException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
                refused++;
              }
            }
            assertThat(refused).as(p).isEqualTo(3);
          } else {
            // The flooder's bucket is already empty from the gRPC round: every call is refused.
            for (int i = 0; i < 3; i++) {
              try {
                flooding.get(1);
                throw new AssertionError(p + ": the flooder was served");
              } catch (ServiceException e) {
                assertThat(e.code()).as(p).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
              }
            }
          }
          // The other caller is served throughout (its 5 calls spread over the four protocols).
          assertThat(served.get(2)).as(p).isEqualTo(new Task(2, "task2"));
        }
      }
    }
  }
}
