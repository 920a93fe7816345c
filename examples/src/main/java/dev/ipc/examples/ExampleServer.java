package dev.ipc.examples;

import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Tls;
import dev.ipc.core.Transports;
import dev.ipc.core.spi.Transport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The article's scenario: the reference Dating, Task and Person services over gRPC, REST, GraphQL
 * and Socket.IO on the article's ports, plus the article's Socket.IO events ({@code message},
 * {@code login}, {@code msg}, {@code reply}).
 */
public final class ExampleServer {
  static final Map<String, Integer> DEFAULT_PORTS = defaultPorts();

  static final String USAGE =
      String.join(
          "\n",
          "Usage: java -jar examples/target/ipc-examples.jar [options]",
          "",
          "Serves the article's Dating, Task and Person services over every transport, plus the",
          "article's Socket.IO events (message, login, msg, reply).",
          "",
          "Options:",
          "  --host HOST            address to bind (default 0.0.0.0)",
          "  --grpc-port PORT       gRPC port (default 6666)",
          "  --rest-port PORT       REST port (default 5000)",
          "  --graphql-port PORT    GraphQL port (default 4444)",
          "  --socketio-port PORT   Socket.IO port (default 8080)",
          "  --tls-cert PEM         serve TLS on every port with this certificate chain ...",
          "  --tls-key PEM          ... and this private key (PKCS#8 PEM); both or neither",
          "  --redis URL            run as one node of a cluster: tasks kept in Redis, saves heard",
          "                         by every node's subscribers (redis://host:6379)",
          "  --tokens FILE          authenticate: one 'token=role,role' a line; reads stay public,",
          "                         task.put needs role writer on every protocol",
          "  --help                 print this and exit",
          "",
          "A port of 0 picks a free one; 'off' turns that transport off. On start it prints one line",
          "per transport with its real address. A taken port prints one line naming it and exits 1.",
          "Ctrl-C or SIGTERM closes gracefully: calls in flight finish first.");

  private ExampleServer() {}

  /** Runs the example server until Ctrl-C or SIGTERM. */
  public static void main(String[] args) throws InterruptedException {
    // grpc-java logs through java.util.logging; ipc, netty-socketio and graphql-java through SLF4J.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    Server server;
    Options options;
    Telemetry telemetry;
    try {
      options = Options.parse(args);
      if (options == null) {
        System.out.println(USAGE);
        return;
      }
      telemetry = Telemetry.from(System.getenv());
      server = start(options, telemetry);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("try --help");
      System.exit(2);
      return;
    } catch (IllegalStateException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    Server running = server;
    // Close the server first (calls in flight finish, and are traced), then flush the last spans.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  telemetry.close();
                },
                "ipc-example-shutdown"));
    print(server, options.host(), System.out);
    server.awaitTermination();
  }

  /**
   * Starts every transport the options leave on, with metrics and the access log, exporting no
   * traces.
   */
  static Server start(Options options) {
    return start(options, Telemetry.from(Map.of()));
  }

  /** Starts every transport the options leave on, with {@code telemetry}'s interceptors. */
  static Server start(Options options, Telemetry telemetry) {
    Transports.Builder builder = Transports.builder();
    RedisTasks redisTasks = null;
    if (options.redis() != null) {
      // A cluster: tasks live in Redis and every node hears every node's saves.
      redisTasks = RedisTasks.connect(options.redis());
      builder
          .service(Reference.dating())
          .service(redisTasks)
          .service(Reference.person())
          .bus(dev.ipc.redis.RedisBus.of(options.redis()));
    } else {
      builder.services(Reference.services());
    }
    telemetry.install(builder);
    if (options.tlsCert() != null) {
      builder.tls(Tls.fromPem(options.tlsCert(), options.tlsKey()));
    }
    if (options.tokens() != null) {
      try {
        builder.authenticate(TokenFile.load(options.tokens()));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "--tokens: cannot read " + options.tokens() + ": " + e.getMessage(), e);
      }
    }
    for (Map.Entry<String, Integer> e : options.ports().entrySet()) {
      builder.transport(transport(e.getKey(), options.host(), e.getValue(), telemetry));
    }
    Server server;
    try {
      server = builder.start();
    } catch (RuntimeException e) {
      if (redisTasks != null) {
        redisTasks.close();
      }
      throw e;
    }
    telemetry.monitor(server);
    return redisTasks == null ? server : new AlsoClosing(server, redisTasks::close);
  }

  /**
   * A server that closes one more thing after itself: the task store's Redis connection, which the
   * server does not own (it closes its transports and bus, not its services).
   */
  private static final class AlsoClosing implements Server {
    private final Server server;
    private final Runnable after;

    AlsoClosing(Server server, Runnable after) {
      this.server = server;
      this.after = after;
    }

    @Override
    public java.net.InetSocketAddress address(String transport) {
      return server.address(transport);
    }

    @Override
    public Map<String, java.net.InetSocketAddress> addresses() {
      return server.addresses();
    }

    @Override
    public int openStreams() {
      return server.openStreams();
    }

    @Override
    public dev.ipc.core.ServerStats stats() {
      return server.stats();
    }

    @Override
    public java.time.Duration gracePeriod() {
      return server.gracePeriod();
    }

    @Override
    public Server closeOnJvmShutdown() {
      server.closeOnJvmShutdown();
      return this;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
      server.awaitTermination();
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        after.run();
      }
    }
  }

  /** Prints one line per transport: its name and the address it really listens on. */
  static void print(Server server, String host, PrintStream out) {
    server
        .addresses()
        .forEach(
            (name, address) -> {
              // A wildcard bind reads back as "::"; show the host the user asked for instead.
              String shown =
                  address.getAddress().isAnyLocalAddress()
                      ? host
                      : address.getAddress().getHostAddress();
              out.printf("%-9s listening on %s:%d%n", name, bracketed(shown), address.getPort());
            });
    out.flush();
  }

  private static String bracketed(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static Transport transport(String name, String host, int port, Telemetry telemetry) {
    if (name.equals("socketio")) {
      return ArticleEvents.socketIo(host, port);
    }
    if (name.equals("rest")) {
      // Prometheus scrapes the REST port: GET /metrics beside the services.
      return dev.ipc.rest.RestTransport.builder()
          .host(host)
          .port(port)
          .page("/metrics", "text/plain; version=0.0.4; charset=utf-8", telemetry::scrape)
          .build();
    }
    return Transports.transport(name + "://" + bracketed(host) + ":" + port);
  }

  private static Map<String, Integer> defaultPorts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("grpc", 6666);
    m.put("rest", 5000);
    m.put("graphql", 4444);
    m.put("socketio", 8080);
    return m;
  }

  /**
   * The parsed command line: the host, the port of every transport left on, and the optional TLS
   * files and token file.
   */
  record Options(
      String host,
      Map<String, Integer> ports,
      Path tlsCert,
      Path tlsKey,
      Path tokens,
      String redis) {
    Options(String host, Map<String, Integer> ports) {
      this(host, ports, null, null, null, null);
    }

    /** Returns the options, or null when {@code --help} was asked. */
    static Options parse(String... args) {
      String host = "0.0.0.0";
      Map<String, Integer> ports = new LinkedHashMap<>(DEFAULT_PORTS);
      Map<String, Path> files = new LinkedHashMap<>();
      String redis = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--help") || arg.equals("-h")) {
          return null;
        }
        String value;
        int eq = arg.indexOf('=');
        String flag = eq > 0 ? arg.substring(0, eq) : arg;
        if (eq > 0) {
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        if (flag.equals("--host")) {
          host = value;
          continue;
        }
        if (flag.equals("--redis")) {
          if (!value.startsWith("redis://") && !value.startsWith("rediss://")) {
            throw new IllegalArgumentException(
                "--redis: " + value + " (expected: redis://host:port)");
          }
          redis = value;
          continue;
        }
        if (flag.equals("--tls-cert") || flag.equals("--tls-key") || flag.equals("--tokens")) {
          files.put(flag, Path.of(value));
          continue;
        }
        String name = transportOf(flag);
        if (value.equals("off")) {
          ports.remove(name);
          continue;
        }
        try {
          int port = Integer.parseInt(value);
          if (port < 0 || port > 65535) {
            throw new NumberFormatException();
          }
          ports.put(name, port);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(flag + ": " + value + " (expected: 0-65535 or off)");
        }
      }
      if (ports.isEmpty()) {
        throw new IllegalArgumentException("every transport is off");
      }
      if (files.containsKey("--tls-cert") != files.containsKey("--tls-key")) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      return new Options(
          host,
          ports,
          files.get("--tls-cert"),
          files.get("--tls-key"),
          files.get("--tokens"),
          redis);
    }

    private static String transportOf(String flag) {
      for (String name : List.copyOf(DEFAULT_PORTS.keySet())) {
        if (flag.equals("--" + name + "-port")) {
          return name;
        }
      }
      throw new IllegalArgumentException("unknown option: " + flag);
    }
  }
}
