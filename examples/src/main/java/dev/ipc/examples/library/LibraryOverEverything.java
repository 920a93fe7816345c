package dev.ipc.examples.library;

import dev.ipc.core.Client;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's whole program: implement a plain interface, serve it on four protocols with one call,
 * and call it through a typed proxy over any of them.
 */
public final class LibraryOverEverything {
  private LibraryOverEverything() {}

  /** Serves {@link MyLibrary} over gRPC, REST, GraphQL and Socket.IO on free ports. */
  static Server start() {
    return Transports.serve(
        List.of(new MyLibrary()),
        "grpc://0.0.0.0:0",
        "rest://0.0.0.0:0",
        "graphql://0.0.0.0:0",
        "socketio://0.0.0.0:0");
  }

  /** Serves, then adds a book over REST and reads it back over the other three protocols. */
  public static void main(String[] args) {
    try (Server server = start()) {
      try (Client c = Transports.connect("rest://localhost:" + server.port("rest"))) {
        Library lib = c.service(Library.class);
        lib.add(
            new Book(
                1,
                "Dune",
                Genre.NOVEL,
                List.of("sand"),
                Map.of("lang", "en"),
                Instant.parse("1965-08-01T00:00:00Z"),
                Optional.empty(),
                new byte[0]));
      }
      for (String scheme : List.of("grpc", "graphql", "socketio")) {
        try (Client c = Transports.connect(scheme + "://localhost:" + server.port(scheme))) {
          System.out.println(scheme + ": " + c.service(Library.class).get(1).title());
        }
      }
    }
  }
}
