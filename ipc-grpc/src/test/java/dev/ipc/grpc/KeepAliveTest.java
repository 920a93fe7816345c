package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's keepalive settings, against real grpc-java clients reaching the server through a
 * proxy that sees the HTTP/2 frames and can play a dead peer. Durations are the shortest grpc-java
 * accepts, so the tests take seconds; waits have generous upper bounds and no lower ones.
 */
@Timeout(30)
class KeepAliveTest {
  // HTTP/2 error codes (RFC 9113, section 7).
  private static final long NO_ERROR = 0x0;
  private static final long ENHANCE_YOUR_CALM = 0xb;

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void permitKeepAliveTime_dropsClientPingingFasterAndKeepsClientPingingWithin() throws Exception {
    FreezableProxy proxy =
        proxy(GrpcTransport.builder().permitKeepAliveTime(Duration.ofMillis(250)));
    // Both clients keep a call open, so the server judges their pings by permitKeepAliveTime alone.
    ManagedChannel polite = channel(proxy, Duration.ofMillis(500));
    CompletableFuture<Status> politeWatch = watch(polite);
    FreezableProxy.Connection politeConnection = proxy.accepted().poll(5, TimeUnit.SECONDS);
    ManagedChannel rude = channel(proxy, Duration.ofMillis(30));
    CompletableFuture<Status> rudeWatch = watch(rude);
    FreezableProxy.Connection rudeConnection = proxy.accepted().poll(5, TimeUnit.SECONDS);

    assertThat(rudeConnection.serverGoAway.get(5, TimeUnit.SECONDS))
        .isEqualTo(new FreezableProxy.GoAway(ENHANCE_YOUR_CALM, "too_many_pings"));
    Status rudeStatus = rudeWatch.get(5, TimeUnit.SECONDS);
    // grpc-java fails the calls open on the connection with RESOURCE_EXHAUSTED, the status it maps
    // ENHANCE_YOUR_CALM to, naming the GOAWAY's debug data.
    assertThat(rudeStatus.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(rudeStatus.getDescription()).contains("too_many_pings");

    // Three pings too early are enough for the server to send GOAWAY: five pings on one connection
    // (one
    // may be the flow-control ping that follows the watch's first answer), with the call still open
    // and
    // a new call answered on it, mean none was refused.
    assertThat(politeConnection.clientPings.tryAcquire(5, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(check(polite)).isEqualTo(ServingStatus.SERVING);
    assertThat(politeWatch).isNotDone();
    assertThat(politeConnection.serverGoAway).isNotDone();
    assertThat(proxy.accepted()).isEmpty();
  }

  @Test
  void permitKeepAliveWithoutCalls_letsAnIdleClientKeepItsConnectionAlive() throws Exception {
    // By default (gRPC's), pings with no call open are refused at this rate...
    FreezableProxy strict =
        proxy(GrpcTransport.builder().permitKeepAliveTime(Duration.ofMillis(250)));
    ManagedChannel refused = channel(strict, Duration.ofMillis(500), true);
    assertThat(check(refused)).isEqualTo(ServingStatus.SERVING);
    FreezableProxy.Connection refusedConnection = strict.accepted().poll(5, TimeUnit.SECONDS);
    assertThat(refusedConnection.serverGoAway.get(10, TimeUnit.SECONDS))
        .isEqualTo(new FreezableProxy.GoAway(ENHANCE_YOUR_CALM, "too_many_pings"));

    // ...and with permitKeepAliveWithoutCalls the same idle client keeps its one connection.
    FreezableProxy lenient =
        proxy(
            GrpcTransport.builder()
                .permitKeepAliveTime(Duration.ofMillis(250))
                .permitKeepAliveWithoutCalls(true));
    ManagedChannel kept = channel(lenient, Duration.ofMillis(500), true);
    assertThat(check(kept)).isEqualTo(ServingStatus.SERVING);
    FreezableProxy.Connection keptConnection = lenient.accepted().poll(5, TimeUnit.SECONDS);
    assertThat(keptConnection.clientPings.tryAcquire(5, 10, TimeUnit.SECONDS)).isTrue();
    assertThat(keptConnection.serverGoAway).isNotDone();
    assertThat(check(kept)).isEqualTo(ServingStatus.SERVING);
    assertThat(lenient.accepted()).isEmpty();
  }

  @Test
  void keepAliveTimeAndTimeout_dropClientThatStopsAnsweringPings() throws Exception {
    // 10 s is the shortest keepalive time grpc-java allows (it raises shorter ones to it).
    FreezableProxy proxy =
        proxy(
            GrpcTransport.builder()
                .keepAliveTime(Duration.ofSeconds(10))
                .keepAliveTimeout(Duration.ofMillis(300)));
    ManagedChannel channel = channel(proxy, null);
    assertThat(check(channel)).isEqualTo(ServingStatus.SERVING);
    FreezableProxy.Connection connection = proxy.accepted().poll(5, TimeUnit.SECONDS);

    connection.freeze();

    // The server pings the silent connection after keepAliveTime, then, with no answer, closes it
    // after keepAliveTimeout; both bounds are generous.
    assertThat(connection.serverPingsWhileFrozen.tryAcquire(1, 25, TimeUnit.SECONDS)).isTrue();
    connection.serverClosed.get(3, TimeUnit.SECONDS);
  }

  @Test
  void maxConnectionIdle_sendsGoAwayAndChannelReconnectsForNextCall() throws Exception {
    // 1 s is the shortest idle time grpc-java allows (it raises shorter ones to it).
    FreezableProxy proxy = proxy(GrpcTransport.builder().maxConnectionIdle(Duration.ofSeconds(1)));
    ManagedChannel channel = channel(proxy, null);
    assertThat(check(channel)).isEqualTo(ServingStatus.SERVING);
    FreezableProxy.Connection first = proxy.accepted().poll(5, TimeUnit.SECONDS);

    assertThat(first.serverGoAway.get(10, TimeUnit.SECONDS).errorCode()).isEqualTo(NO_ERROR);
    first.serverClosed.get(5, TimeUnit.SECONDS);

    assertThat(check(channel)).isEqualTo(ServingStatus.SERVING);
    assertThat(proxy.accepted().poll(5, TimeUnit.SECONDS)).isNotNull();
  }

  /** Starts the reference services with {@code transport} on 127.0.0.1, port 0, behind a proxy. */
  private FreezableProxy proxy(GrpcTransport.Builder transport) throws Exception {
    Server server =
        resources.serve(Reference.services(), transport.host("127.0.0.1").port(0).build());
    FreezableProxy proxy =
        new FreezableProxy(new InetSocketAddress("127.0.0.1", server.port("grpc")));
    resources.add(proxy);
    return proxy;
  }

  /**
   * Returns a channel through {@code proxy} that pings every {@code keepAlive} while a call is open
   * (or never when null). grpc-java raises a client's keepalive time to at least 10 s, too slow for
   * a test, so the builder's field is set directly.
   */
  private ManagedChannel channel(FreezableProxy proxy, Duration keepAlive) throws Exception {
    return channel(proxy, keepAlive, false);
  }

  /** The same, pinging with no call open too when {@code withoutCalls}. */
  private ManagedChannel channel(FreezableProxy proxy, Duration keepAlive, boolean withoutCalls)
      throws Exception {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress("127.0.0.1", proxy.port()).usePlaintext();
    if (keepAlive != null) {
      b.keepAliveTime(10, TimeUnit.SECONDS)
          .keepAliveTimeout(5, TimeUnit.SECONDS)
          .keepAliveWithoutCalls(withoutCalls);
      Field time = NettyChannelBuilder.class.getDeclaredField("keepAliveTimeNanos");
      time.setAccessible(true);
      time.setLong(b, keepAlive.toNanos());
    }
    ManagedChannel channel = b.build();
    resources.add(
        () -> {
          channel.shutdownNow();
          channel.awaitTermination(5, TimeUnit.SECONDS);
        });
    return channel;
  }

  /** Opens a health watch (a call that stays open) and returns the status it ends with. */
  private static CompletableFuture<Status> watch(ManagedChannel channel) {
    CompletableFuture<Status> end = new CompletableFuture<>();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.getDefaultInstance(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {}

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    return end;
  }

  private static ServingStatus check(ManagedChannel channel) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }
}
