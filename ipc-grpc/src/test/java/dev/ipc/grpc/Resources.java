package dev.ipc.grpc;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        Transports.builder().services(services).transport(transport).gracePeriod(Duration.ofSeconds(10)).start();
    opened.add(server);
    return server;
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

  @Override
  public void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }
}
