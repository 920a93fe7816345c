package dev.ipc.examples;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.util.List;

/** Mix and match: the article's Dating service over gRPC only, on the article's port. */
public final class DatingOverGrpc {
  private DatingOverGrpc() {}

  /** Serves Dating over gRPC on {@code port}. */
  static Server start(int port) {
    return Transports.serve(List.of(Reference.dating()), "grpc://0.0.0.0:" + port);
  }

  /** Runs until Ctrl-C. */
  public static void main(String[] args) throws InterruptedException {
    Server server = start(6666).closeOnJvmShutdown();
    System.out.println("dating over grpc on " + server.address("grpc"));
    server.awaitTermination();
  }
}
