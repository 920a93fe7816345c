package dev.ipc.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Server;
import dev.ipc.core.TransportException;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.HeldDating;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client when no answer comes: every such call ends in a TransportException, never a hang.
 */
@Timeout(60)
class SocketIoClientTest {
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
  }

  @Test
  void call_serviceNeverAnswers_isTransportException() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    DatingService stuck = HeldDating.of(entered, release);
    Server server =
        Transports.builder()
            .services(List.of(stuck))
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    cleanup.add(server);
    cleanup.add(release::countDown);
    SocketIoClient client =
        SocketIoClient.builder()
            .target("127.0.0.1", server.port("socketio"))
            .timeout(Duration.ofMillis(500))
            .build();
    cleanup.add(client);
    DatingService dating = client.service(DatingService.DESCRIPTOR);

    assertThatThrownBy(() -> dating.eating(new Eat("x")))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("dating:eating");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The connection survives a timed-out call.
    assertThat(dating.watchMovie(new Movie("after"))).isEqualTo(new Feel(true));
  }

  @Test
  void call_peerAcceptsButNeverSpeaks_isTransportException() throws Exception {
    ServerSocket silent = new ServerSocket(0);
    cleanup.add(silent);
    List<Socket> accepted = new ArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket s = silent.accept();
                  synchronized (accepted) {
                    accepted.add(s);
                  }
                }
              } catch (java.io.IOException closed) {
                // The test is over.
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    cleanup.add(
        () -> {
          synchronized (accepted) {
            for (Socket s : accepted) {
              s.close();
            }
          }
        });
    SocketIoClient client =
        SocketIoClient.builder()
            .target("127.0.0.1", silent.getLocalPort())
            .timeout(Duration.ofMillis(500))
            .build();
    cleanup.add(client);

    assertThatThrownBy(() -> client.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isInstanceOf(TransportException.class);
  }

  @Test
  void call_connectionCutMidCall_isTransportExceptionBeforeTheTimeout() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Server server =
        Transports.builder()
            .services(List.of(HeldDating.of(entered, release)))
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    cleanup.add(server);
    cleanup.add(release::countDown);
    ServerSocket proxy = new ServerSocket(0);
    cleanup.add(proxy);
    List<Socket> sockets = new ArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  Socket down = proxy.accept();
                  Socket up = new Socket("127.0.0.1", server.port("socketio"));
                  synchronized (sockets) {
                    sockets.add(down);
                    sockets.add(up);
                  }
                  pump(down, up);
                  pump(up, down);
                }
              } catch (java.io.IOException closed) {
                // The test is over.
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    Runnable cut =
        () -> {
          synchronized (sockets) {
            for (Socket s : sockets) {
              try {
                s.close();
              } catch (java.io.IOException ignored) {
                // Closing anyway.
              }
            }
          }
        };
    cleanup.add(cut::run);
    // A timeout far beyond the test's: only noticing the lost connection can end the call in time.
    SocketIoClient client =
        SocketIoClient.builder()
            .target("127.0.0.1", proxy.getLocalPort())
            .timeout(Duration.ofMinutes(10))
            .build();
    cleanup.add(client);
    DatingService dating = client.service(DatingService.DESCRIPTOR);
    java.util.concurrent.CompletableFuture<Feel> call =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> dating.eating(new Eat("x")));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    cut.run();

    assertThat(call)
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(TransportException.class);
  }

  private static void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try {
                from.getInputStream().transferTo(to.getOutputStream());
              } catch (java.io.IOException closed) {
                // Cut.
              }
              try {
                to.close();
              } catch (java.io.IOException ignored) {
                // Closing anyway.
              }
            });
    t.setDaemon(true);
    t.start();
  }

  @Test
  void call_afterClose_isTransportException() {
    SocketIoClient client = SocketIoClient.of("127.0.0.1", 1);
    client.close();

    assertThatThrownBy(() -> client.service(DatingService.DESCRIPTOR).eating(new Eat("x")))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void emitWithAck_binaryArgumentsComeBackAsBytes_evenStartingWith0x04() throws Exception {
    Server server =
        Transports.builder()
            .services(dev.ipc.core.Reference.services())
            .transport(
                SocketIoTransport.builder()
                    .host("127.0.0.1")
                    .port(0)
                    // Echoes every argument, and adds bytes of its own that start with 0x04 too.
                    .on(
                        "/",
                        "echo",
                        (session, args, ack) -> {
                          List<Object> out = new ArrayList<>(args);
                          out.add(new byte[] {4, 4, 0});
                          ack.send(out.toArray());
                        })
                    .build())
            .start();
    cleanup.add(server);
    SocketIoClient client =
        SocketIoClient.builder().target("127.0.0.1", server.port("socketio")).build();
    cleanup.add(client);

    List<Object> acked =
        client.emitWithAck(
            "echo", java.util.Map.of("a", 1), new byte[] {4, 0, 1}, List.of("x", 2), "text");

    assertThat(acked).hasSize(5);
    assertThat(acked.get(0)).isEqualTo(java.util.Map.of("a", 1));
    assertThat(acked.get(1)).isInstanceOf(byte[].class);
    assertThat((byte[]) acked.get(1)).containsExactly(4, 0, 1);
    assertThat(acked.get(2)).isEqualTo(List.of("x", 2));
    assertThat(acked.get(3)).isEqualTo("text");
    assertThat((byte[]) acked.get(4)).containsExactly(4, 4, 0);
  }
}
