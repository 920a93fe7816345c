package dev.ipc.grpc;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportBuilder;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.core.spi.TransportOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Serves every described service over gRPC (HTTP/2, grpc-java with shaded Netty), with the standard
 * health service and server reflection. Method names come from the model ({@code
 * /date.Dating/Eating}), so stubs generated from the shipped {@code .proto} files in any language
 * work unchanged.
 *
 * <pre>{@code
 * Transports.builder().services(Reference.services()).transport(GrpcTransport.of(6666)).start();
 * }</pre>
 *
 * <p>Each call's {@link dev.ipc.core.CallContext} carries its application metadata (ASCII keys; not
 * {@code -bin} nor gRPC's own {@code grpc-*}), the peer address, the deadline and, with mutual TLS,
 * the client certificate chain; what interceptors add to the response metadata goes out as response
 * headers (with the trailers of a failed call). Refusals are the gRPC statuses UNAUTHENTICATED and
 * PERMISSION_DENIED. With {@code Transports.builder().tls(...)} the port speaks TLS only (health
 * and reflection included); a plaintext client's connection is closed.
 *
 * <p>A streaming operation is a server-streaming method ({@code rpc WatchTasks(WatchTasksRequest)
 * returns (stream Task)}): the request's metadata (the {@code last-event-id} key resumes a feed),
 * authentication and roles apply as to a unary call, gRPC's flow control paces it, and a caller
 * that stops reading is ended with RESOURCE_EXHAUSTED once it is {@code
 * Transports.builder().streamBuffer(n)} values behind. Cancelling the call ends the stream on the
 * server; a server close ends it with OK after its values.
 *
 * <p>Immutable and thread-safe; each {@link #start} binds a new server.
 */
public final class GrpcTransport implements Transport {
  /** The default port, the article's. */
  public static final int DEFAULT_PORT = 6666;

  /** The default limit of one request message: 4 MiB, as grpc-java's. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /**
   * The default limit of one request message.
   *
   * @deprecated use {@link #DEFAULT_MAX_MESSAGE_BYTES}
   */
  @Deprecated public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = DEFAULT_MAX_MESSAGE_BYTES;

  final String host;
  final int port;
  final int maxInboundMessageSize;
  final Duration keepAliveTime;
  final Duration keepAliveTimeout;
  final Duration permitKeepAliveTime;
  final boolean permitKeepAliveWithoutCalls;
  final Duration maxConnectionIdle;
  final Duration maxConnectionAge;
  final Duration maxConnectionAgeGrace;
  final int maxConcurrentCallsPerConnection;
  final Executor executor;
  final boolean reflection;

  /** Event-loop threads of this transport's own groups; 0: grpc-java's shared ones. */
  final int workerThreads;

  GrpcTransport(Builder b) {
    this.host = b.host();
    this.port = b.port();
    this.maxInboundMessageSize = b.maxInboundMessageSize;
    this.keepAliveTime = b.keepAliveTime;
    this.keepAliveTimeout = b.keepAliveTimeout;
    this.permitKeepAliveTime = b.permitKeepAliveTime;
    this.permitKeepAliveWithoutCalls = b.permitKeepAliveWithoutCalls;
    this.maxConnectionIdle = b.maxConnectionIdle;
    this.maxConnectionAge = b.maxConnectionAge;
    this.maxConnectionAgeGrace = b.maxConnectionAgeGrace;
    this.maxConcurrentCallsPerConnection = b.maxConcurrentCallsPerConnection;
    this.executor = b.executor;
    this.reflection = b.reflection;
    this.workerThreads = b.workerThreads;
  }

  /** Returns a transport on {@code port} of every interface, with default settings. */
  public static GrpcTransport of(int port) {
    return builder().port(port).build();
  }

  /** Returns a new builder; by default it binds port {@value #DEFAULT_PORT} on every interface. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public RunningTransport start(TransportContext context) throws IOException {
    requireNonNull(context, "context");
    return GrpcServer.start(this, context);
  }

  @Override
  public String toString() {
    return "GrpcTransport{" + address() + '}';
  }

  /**
   * Configures a {@link GrpcTransport}; every setting has a default. The settings transports share
   * have the same names on every transport's builder and in URI options ({@code maxMessageBytes},
   * {@code idleTimeout}); see the README's Defaults section. There is no {@code maxConnections}:
   * grpc-java's Netty server offers no public hook that sees a connection before its HTTP/2
   * handshake and may refuse it (a {@code ServerTransportFilter} only observes), so bound
   * connections with {@link #idleTimeout}, {@link #maxConnectionAge} and the load balancer or OS in
   * front. No {@code cors} either: browsers cannot speak gRPC's HTTP/2 trailers. Not thread-safe.
   */
  public static final class Builder extends TransportBuilder<Builder> {
    private int maxInboundMessageSize = DEFAULT_MAX_MESSAGE_BYTES;
    private Duration keepAliveTime = Duration.ofHours(2);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Duration permitKeepAliveTime = Duration.ofMinutes(5);
    private boolean permitKeepAliveWithoutCalls;
    private Duration maxConnectionIdle;
    private Duration maxConnectionAge;
    private Duration maxConnectionAgeGrace;
    private int maxConcurrentCallsPerConnection = 1000;
    private Executor executor;
    private boolean reflection = true;
    private int workerThreads;

    Builder() {
      super(DEFAULT_PORT);
    }

    /**
     * Sets the largest request message accepted, in bytes; a larger one fails with
     * RESOURCE_EXHAUSTED (default 4 MiB, grpc-java's).
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("bytes: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets the largest request message accepted.
     *
     * @deprecated use {@link #maxMessageBytes(int)}, the name every transport uses
     */
    @Deprecated
    public Builder maxInboundMessageSize(int bytes) {
      return maxMessageBytes(bytes);
    }

    /**
     * Sets how long a connection may be silent before the server pings it (default 2 hours;
     * grpc-java raises anything under 10 seconds to 10 seconds).
     */
    public Builder keepAliveTime(Duration time) {
      this.keepAliveTime = TransportOptions.positive("time", time, requireNonNull(time, "time"));
      return this;
    }

    /** Sets how long the server waits for a ping's answer before closing (default 20 seconds). */
    public Builder keepAliveTimeout(Duration timeout) {
      this.keepAliveTimeout =
          TransportOptions.positive("timeout", timeout, requireNonNull(timeout, "timeout"));
      return this;
    }

    /**
     * Sets the most frequent client keepalive ping the server tolerates while the connection has a
     * call open (default 5 minutes, gRPC's); without an open call, one every 2 hours. A client
     * pinging more often gets GOAWAY {@code ENHANCE_YOUR_CALM} ({@code too_many_pings}) on its
     * third early ping.
     */
    public Builder permitKeepAliveTime(Duration time) {
      this.permitKeepAliveTime =
          TransportOptions.positive("time", time, requireNonNull(time, "time"));
      return this;
    }

    /**
     * Lets clients ping at the {@link #permitKeepAliveTime} rate with no call open too (default
     * false, gRPC's). Clients that keep idle connections alive through load balancers or NAT
     * ({@code keepAliveWithoutCalls(true)} in grpc-java, {@code
     * grpc.keepalive_permit_without_calls} in grpcio) otherwise get GOAWAY {@code too_many_pings}
     * once idle, since these services are unary and most of a connection's life has no call open.
     */
    public Builder permitKeepAliveWithoutCalls(boolean permit) {
      this.permitKeepAliveWithoutCalls = permit;
      return this;
    }

    /**
     * Closes connections with no call for {@code idle}, with a graceful GOAWAY (default: never;
     * grpc-java raises anything under 1 second to 1 second). A client reconnects for its next call.
     */
    public Builder idleTimeout(Duration idle) {
      this.maxConnectionIdle =
          TransportOptions.positive("idle", idle, requireNonNull(idle, "idle"));
      return this;
    }

    /**
     * Closes connections with no call for {@code idle}.
     *
     * @deprecated use {@link #idleTimeout(Duration)}, the name every transport uses
     */
    @Deprecated
    public Builder maxConnectionIdle(Duration idle) {
      return idleTimeout(idle);
    }

    /**
     * Gracefully closes connections older than {@code age}, so clients rebalance (default: never).
     */
    public Builder maxConnectionAge(Duration age) {
      this.maxConnectionAge = TransportOptions.positive("age", age, requireNonNull(age, "age"));
      return this;
    }

    /** Sets how long calls on an aged connection may take to finish (default: unlimited). */
    public Builder maxConnectionAgeGrace(Duration grace) {
      this.maxConnectionAgeGrace =
          TransportOptions.positive("grace", grace, requireNonNull(grace, "grace"));
      return this;
    }

    /** Sets how many calls one connection may have open at once (default 1000). */
    public Builder maxConcurrentCallsPerConnection(int calls) {
      if (calls <= 0) {
        throw new IllegalArgumentException("calls: " + calls + " (expected: > 0)");
      }
      this.maxConcurrentCallsPerConnection = calls;
      return this;
    }

    /**
     * Sets the executor service code runs on (default: the server's, from {@code Transports}). It
     * must not be an event loop; when it rejects a call, the call fails with RESOURCE_EXHAUSTED.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Binds the URI options ({@code grpc://0.0.0.0:6666?maxMessageBytes=8MiB&idleTimeout=5m}):
     * {@code maxMessageBytes} (bytes, or with KiB/MiB), {@code idleTimeout}, {@code keepAliveTime},
     * {@code keepAliveTimeout}, {@code permitKeepAliveTime}, {@code maxConnectionAge}, {@code
     * maxConnectionAgeGrace} (durations like {@code 30s}), {@code permitKeepAliveWithoutCalls},
     * {@code maxConcurrentCallsPerConnection}, {@code workerThreads}, {@code reflection} ({@code
     * false} turns server reflection off); the deprecated {@code maxInboundMessageSize} and {@code
     * maxConnectionIdle} still work.
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table
          .size("maxMessageBytes", this::maxMessageBytes)
          .duration("idleTimeout", this::idleTimeout)
          .duration("keepAliveTime", this::keepAliveTime)
          .duration("keepAliveTimeout", this::keepAliveTimeout)
          .duration("permitKeepAliveTime", this::permitKeepAliveTime)
          .bool("permitKeepAliveWithoutCalls", this::permitKeepAliveWithoutCalls)
          .duration("maxConnectionAge", this::maxConnectionAge)
          .duration("maxConnectionAgeGrace", this::maxConnectionAgeGrace)
          .positive("maxConcurrentCallsPerConnection", this::maxConcurrentCallsPerConnection)
          .positive("workerThreads", this::workerThreads)
          .bool("reflection", this::reflection)
          .alias("maxInboundMessageSize", "maxMessageBytes")
          .alias("maxConnectionIdle", "idleTimeout");
    }

    /**
     * Gives the server its own {@code workerThreads} event-loop threads (and one that accepts
     * connections), shut down with it. By default it shares grpc-java's process-wide loops (twice
     * the processors, epoll on Linux) with every other gRPC server and channel of the JVM. The
     * loops only read, decode and write; service code runs on the {@link #executor}.
     */
    public Builder workerThreads(int workerThreads) {
      this.workerThreads =
          TransportOptions.positive("workerThreads", String.valueOf(workerThreads));
      return this;
    }

    /**
     * Sets whether the server answers gRPC server reflection (default: yes), which lists every
     * service, method and message to anyone who asks; turn it off where the schema is not public.
     */
    public Builder reflection(boolean enabled) {
      this.reflection = enabled;
      return this;
    }

    /** Returns the transport. */
    public GrpcTransport build() {
      return new GrpcTransport(this);
    }
  }
}
