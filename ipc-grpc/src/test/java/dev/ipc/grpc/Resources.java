package dev.ipc.grpc;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Servers and channels a test opened, closed in reverse order after it. */
final class Resources implements AutoCloseable {
  private final List<AutoCloseable> opened = new ArrayList<>();

  /** Starts {@code services} over gRPC on 127.0.0.1, port 0. */
  Server serve(List<?> services) {
    return serve(services, GrpcTransport.builder().host("127.0.0.1").port(0).build());
  }

  /** Starts the reference services over gRPC on 127.0.0.1, port 0. */
  Server serve() {
    return serve(Reference.services());
  }

  Server serve(List<?> services, GrpcTransport transport) {
    Server server =
        Transports.builder()
            .services(services)
            .transport(transport)
            .gracePeriod(Duration.ofSeconds(10))
            .start();
    opened.add(server);
    return server;
  }

  /** Closes {@code resource} after the test, before the ones opened earlier. */
  void add(AutoCloseable resource) {
    opened.add(resource);
  }

  /** Returns a plaintext channel to {@code server}'s gRPC port. */
  ManagedChannel channel(Server server) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port("grpc")).usePlaintext().build();
    opened.add(
        () -> {
          channel.shutdownNow();
          channel.awaitTermination(5, TimeUnit.SECONDS);
        });
    return channel;
  }

  /** Returns the statuses the health service reports for {@code service}, as they come. */
  static BlockingQueue<ServingStatus> watchHealth(ManagedChannel channel, String service) {
    BlockingQueue<ServingStatus> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(channel)
        .watch(
            HealthCheckRequest.newBuilder().setService(service).build(),
            new StreamObserver<>() {
              @Override
              public void onNext(HealthCheckResponse value) {
                statuses.add(value.getStatus());
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    return statuses;
  }

  /**
   * Returns a dating service whose {@code eating} counts {@code entered} down, then waits for
   * {@code release} (at most 30 s) and feels good; {@code watchMovie} answers at once.
   */
  static DatingService held(CountDownLatch entered, CountDownLatch release) {
    return new DatingService() {
      @Override
      public Feel eating(Eat eat) {
        entered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new Feel(true);
      }

      @Override
      public Feel watchMovie(Movie movie) {
        return new Feel(true);
      }
    };
  }

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }
}
