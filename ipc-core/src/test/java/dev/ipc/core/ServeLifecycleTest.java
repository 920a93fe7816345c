package dev.ipc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.testing.HeldDating;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ServeLifecycleTest {

  @Test
  void serve_bindsEveryTransportAndReportsAddresses() {
    TestTransport a = new TestTransport("a", 0);
    TestTransport b = new TestTransport("b", 0);
    try (Server server = Transports.serve(Reference.services(), a, b)) {
      assertThat(server.port("a")).isPositive().isEqualTo(a.socket.getLocalPort());
      assertThat(server.port("b")).isPositive().isEqualTo(b.socket.getLocalPort());
      assertThat(server.addresses()).containsOnlyKeys("a", "b");
      assertThat(a.socket.isBound()).isTrue();
      assertThatThrownBy(() -> server.address("grpc"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("grpc")
          .hasMessageContaining("[a, b]");
    }
    assertThat(a.socket.isClosed()).isTrue();
    assertThat(b.socket.isClosed()).isTrue();
  }

  @Test
  void serve_failedStartStopsTheOthersAndNamesTransportAndAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      TestTransport first = new TestTransport("first", 0);
      TestTransport second = new TestTransport("second", taken.getLocalPort());
      assertThatThrownBy(() -> Transports.serve(Reference.services(), first, second))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("second")
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
      assertThat(first.events).contains("start", "shutdownNow");
      assertThat(first.socket.isClosed()).isTrue();
    }
  }

  @Test
  void close_waitsForCallsInFlightThenStops() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestTransport t = new TestTransport("t", 0);
    Server server =
        Transports.builder()
            .service(HeldDating.of(entered, release))
            .transport(t)
            .gracePeriod(Duration.ofSeconds(20))
            .start();
    BoundOperation eating = t.operation("dating", "eating");
    CompletableFuture<Object> call =
        CompletableFuture.supplyAsync(() -> eating.call(new Eat("soup")).value());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    assertThat(t.shutdownBegun.await(10, TimeUnit.SECONDS)).isTrue();
    // The call is blocked in the service, so closing cannot have reached shutdownNow.
    assertThat(t.events).doesNotContain("shutdownNow");
    assertThat(closing).isNotDone();

    release.countDown();
    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo(new Feel(true));
    closing.get(10, TimeUnit.SECONDS);
    assertThat(t.events)
        .containsExactly("start", "drain", "beginShutdown", "awaitTermination", "shutdownNow");
  }

  @Test
  void close_givesUpAfterTheGracePeriod() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestTransport t = new TestTransport("t", 0);
    Server server =
        Transports.builder()
            .service(HeldDating.of(entered, release))
            .transport(t)
            .gracePeriod(Duration.ofMillis(100))
            .start();
    CompletableFuture<Void> stuck =
        CompletableFuture.runAsync(() -> t.operation("dating", "eating").call(new Eat("stuck")));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      server.close();
      assertThat(t.events).contains("shutdownNow");
    } finally {
      release.countDown();
    }
    // Once released, the call the server gave up on still ends, and a failure of it shows here.
    stuck.get(10, TimeUnit.SECONDS);
  }

  @Test
  void close_isIdempotent() throws Exception {
    TestTransport t = new TestTransport("t", 0);
    Server server = Transports.serve(Reference.services(), t);
    server.close();
    server.close();
    server.awaitTermination();
    assertThat(t.events)
        .containsExactly("start", "drain", "beginShutdown", "awaitTermination", "shutdownNow");
  }

  @Test
  void close_releasesThePort() throws Exception {
    TestTransport t = new TestTransport("t", 0);
    int port;
    try (Server server = Transports.serve(Reference.services(), t)) {
      port = server.port("t");
    }
    try (Server again = Transports.serve(Reference.services(), new TestTransport("t", port))) {
      assertThat(again.port("t")).isEqualTo(port);
    }
  }

  @Test
  void closeOnJvmShutdown_closesTheServerWhenTheJvmExits() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    // The child JVM writes its stdout in the platform charset, as this one reads it.
    String out = new String(p.getInputStream().readAllBytes(), Charset.defaultCharset());
    assertThat(out).contains("serving").contains("shutdownNow");
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void builder_rejectsDuplicatesAndEmptyConfigurations() {
    assertThatThrownBy(
            () -> Transports.builder().service(Reference.dating()).service(Reference.dating()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dating");
    assertThatThrownBy(() -> Transports.builder().transport(new TestTransport("t", 0)).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no services");
    assertThatThrownBy(() -> Transports.builder().service(Reference.dating()).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no transports");
    assertThatThrownBy(() -> Transports.builder().service(new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service interface");
    assertThatThrownBy(
            () ->
                Transports.serve(
                    Reference.services(), new TestTransport("x", 0), new TestTransport("x", 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'x' given twice");
  }

  @Test
  void spi_findsProvidersAndNamesTheMissingArtifact() {
    assertThatThrownBy(() -> Transports.transport("grpc://0.0.0.0:6666"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no transport 'grpc'")
        .hasMessageContaining("dev.ipc:ipc-grpc");
    assertThatThrownBy(() -> Transports.serve(Reference.services(), "socketio://0.0.0.0:8080"))
        .hasMessageContaining("dev.ipc:ipc-socketio");

    try (Server server =
        Transports.serve(Reference.services(), "test://127.0.0.1:0?limit=5&mode=x")) {
      assertThat(server.port("test")).isPositive();
      assertThat(TestTransportProvider.lastOptions)
          .containsEntry("limit", "5")
          .containsEntry("mode", "x");
    }
    Transports.transport("test://[::1]:0");
    assertThat(TestTransportProvider.lastHost).isEqualTo("::1");
    assertThatThrownBy(() -> Transports.transport("test://localhost")).hasMessageContaining("port");
    assertThatThrownBy(() -> Transports.transport("test://localhost:99999"))
        .hasMessageContaining("0-65535");
    assertThatThrownBy(() -> Transports.transport("localhost:5000"))
        .hasMessageContaining("scheme://");
    assertThatThrownBy(() -> Transports.connect("test://localhost:1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void publishingOperation_reachesSubscribersWhateverTheCaller() throws Exception {
    TestTransport t = new TestTransport("t", 0);
    try (Server server = Transports.serve(Reference.services(), t)) {
      List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      AutoCloseable sub = t.context.subscribe(p -> seen.add(p.event() + "=" + p.value()));
      t.operation("task", "put").call(new Task(9, "nine"));
      t.operation("task", "get").call(new Object[] {9L});
      sub.close();
      t.operation("task", "put").call(new Task(10, "ten"));
      assertThat(seen).containsExactly("task:saved=" + new Task(9, "nine"));
      assertThat(server.port("t")).isPositive();
    }
  }

  /**
   * Started in a child JVM: serves, then lets the JVM exit so the shutdown hook closes the server.
   */
  static final class ShutdownHookMain {
    public static void main(String[] args) {
      TestTransport t =
          new TestTransport("t", 0) {
            @Override
            public dev.ipc.core.spi.RunningTransport start(dev.ipc.core.spi.TransportContext ctx)
                throws java.io.IOException {
              dev.ipc.core.spi.RunningTransport r = super.start(ctx);
              return new dev.ipc.core.spi.RunningTransport() {
                @Override
                public InetSocketAddress localAddress() {
                  return r.localAddress();
                }

                @Override
                public void beginShutdown() {
                  r.beginShutdown();
                }

                @Override
                public boolean awaitTermination(Duration timeout) throws InterruptedException {
                  return r.awaitTermination(timeout);
                }

                @Override
                public void shutdownNow() {
                  r.shutdownNow();
                  System.out.println("shutdownNow");
                  System.out.flush();
                }
              };
            }
          };
      Transports.builder().services(Reference.services()).transport(t).closeOnJvmShutdown().start();
      System.out.println("serving");
    }
  }
}
