package com.example.quickstart;

import dev.ipc.core.DatingService;
import dev.ipc.core.Eat;
import dev.ipc.core.Feel;
import dev.ipc.core.Movie;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.util.List;

/** Implement a service, serve it over gRPC and REST: the whole program. */
public final class Main {
  public static void main(String[] args) throws InterruptedException {
    DatingService dating = new DatingService() {
      public Feel eating(Eat eat) { return new Feel(true); }
      public Feel watchMovie(Movie movie) { return new Feel(!movie.film().isBlank()); }
    };
    String port = args.length > 0 ? args[0] : "6666";
    Server server = Transports.serve(List.of(dating), "grpc://0.0.0.0:" + port, "rest://0.0.0.0:" + (args.length > 1 ? args[1] : "5000"));
    System.out.println("grpc " + server.port("grpc") + " rest " + server.port("rest"));
    server.closeOnJvmShutdown().awaitTermination();
  }
}
