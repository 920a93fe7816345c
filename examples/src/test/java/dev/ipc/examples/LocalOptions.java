package dev.ipc.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The example server's flags in tests: every transport on a free port of 127.0.0.1, then the test's
 * own flags, which win over those (a later {@code --socketio-port off} turns Socket.IO off).
 */
final class LocalOptions {
  /** Every transport on a free port of the loopback address. */
  static final List<String> FREE_PORTS =
      List.of(
          "--host",
          "127.0.0.1",
          "--grpc-port",
          "0",
          "--rest-port",
          "0",
          "--graphql-port",
          "0",
          "--socketio-port",
          "0");

  private LocalOptions() {}

  /** Returns {@link #FREE_PORTS} followed by {@code more}, as command-line arguments. */
  static List<String> args(String... more) {
    List<String> args = new ArrayList<>(FREE_PORTS);
    args.addAll(List.of(more));
    return args;
  }

  /** Parses {@link #FREE_PORTS} followed by {@code more}. */
  static ExampleServer.Options parse(String... more) {
    return ExampleServer.Options.parse(args(more).toArray(new String[0]));
  }
}
