package dev.ipc.grpc;

import dev.ipc.core.spi.TransportOptions;
import static java.util.Objects.requireNonNull;

import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportContext;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Serves every described service over gRPC (HTTP/2, grpc-java with shaded Netty), with the standard
 * health service and server reflection. Method names come from the model ({@code /date.Dating/Eating}),
 * so stubs generated from the shipped {@code .proto} files in any language work unchanged.
 *
 * <pre>{@code
 * Transports.builder().services(Reference.services()).transport(GrpcTransport.of(6666)).start();
 * }</pre>
 *
 * <p>Each call's {@link dev.ipc.core.CallContext} carries its application metadata (ASCII keys; not
 * {@code -bin} nor gRPC's own {@code grpc-*}), the peer address, the deadline and, with mutual TLS, the
 * client certificate chain; what interceptors add to the response metadata goes out as response headers
 * (with the trailers of a failed call). Refusals are the gRPC statuses UNAUTHENTICATED and
 * PERMISSION_DENIED. With {@code Transports.builder().tls(...)} the port speaks TLS only (health and
 * reflection included); a plaintext client's connection is closed.
 *
 * <p>A streaming operation is a server-streaming method ({@code rpc WatchTasks(WatchTasksRequest) returns
 * (stream Task)}): the request's metadata (the {@code last-event-id} key resumes a feed), authentication
 * and roles apply as to a unary call, gRPC's flow control paces it, and a caller that stops reading is
 * ended with RESOURCE_EXHAUSTED once it is {@code Transports.builder().streamBuffer(n)} values behind.
 * Cancelling the call ends the stream on the server; a server close ends it with OK after its values.
 *
 * <p>Immutable and thread-safe; each {@link #start} binds a new server.
 */
public final class GrpcTransport implements Transport {
  /** The default port, the article's. */
  public static final int DEFAULT_PORT = 6666;

  /** The default limit of one request message: 4 MiB, as grpc-java's. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_SIZE = 4 * 1024 * 1024;

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

  GrpcTransport(Builder b) {
    this.host = b.host;
    this.port = b.port;
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

  /** Configures a {@link GrpcTransport}; every setting has a default. Not thread-safe. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = DEFAULT_PORT;
    private int maxInboundMessageSize = DEFAULT_MAX_INBOUND_MESSAGE_SIZE;
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

    Builder() {}

    /** Sets the interface to bind (default: {@code 0.0.0.0}, every interface). */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** Sets the port (default {@value GrpcTransport#DEFAULT_PORT}; 0 picks a free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** Sets the largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED (default 4 MiB). */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("bytes: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets how long a connection may be silent before the server pings it (default 2 hours; grpc-java
     * raises anything under 10 seconds to 10 seconds).
     */
    public Builder keepAliveTime(Duration time) {
      this.keepAliveTime = TransportOptions.positive("time", time, requireNonNull(time, "time"));
      return this;
    }

    /** Sets how long the server waits for a ping's answer before closing (default 20 seconds). */
    public Builder keepAliveTimeout(Duration timeout) {
      this.keepAliveTimeout = TransportOptions.positive("timeout", timeout, requireNonNull(timeout, "timeout"));
      return this;
    }

    /**
     * Sets the most frequent client keepalive ping the server tolerates while the connection has a call
     * open (default 5 minutes, gRPC's); without an open call, one every 2 hours. A client pinging more
     * often gets GOAWAY {@code ENHANCE_YOUR_CALM} ({@code too_many_pings}) on its third early ping.
     */
    public Builder permitKeepAliveTime(Duration time) {
      this.permitKeepAliveTime = TransportOptions.positive("time", time, requireNonNull(time, "time"));
      return this;
    }

    /**
     * Lets clients ping at the {@link #permitKeepAliveTime} rate with no call open too (default false,
     * gRPC's). Clients that keep idle connections alive through load balancers or NAT
     * ({@code keepAliveWithoutCalls(true)} in grpc-java, {@code grpc.keepalive_permit_without_calls} in
     * grpcio) otherwise get GOAWAY {@code too_many_pings} once idle, since these services are unary and
     * most of a connection's life has no call open.
     */
    public Builder permitKeepAliveWithoutCalls(boolean permit) {
      this.permitKeepAliveWithoutCalls = permit;
      return this;
    }

    /**
     * Closes connections with no call for {@code idle}, with a graceful GOAWAY (default: never; grpc-java
     * raises anything under 1 second to 1 second).
     */
    public Builder maxConnectionIdle(Duration idle) {
      this.maxConnectionIdle = TransportOptions.positive("idle", idle, requireNonNull(idle, "idle"));
      return this;
    }

    /** Gracefully closes connections older than {@code age}, so clients rebalance (default: never). */
    public Builder maxConnectionAge(Duration age) {
      this.maxConnectionAge = TransportOptions.positive("age", age, requireNonNull(age, "age"));
      return this;
    }

    /** Sets how long calls on an aged connection may take to finish (default: unlimited). */
    public Builder maxConnectionAgeGrace(Duration grace) {
      this.maxConnectionAgeGrace = TransportOptions.positive("grace", grace, requireNonNull(grace, "grace"));
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
     * Sets the executor service code runs on (default: the server's, from {@code Transports}). It must
     * not be an event loop; when it rejects a call, the call fails with RESOURCE_EXHAUSTED.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Applies options from a URI's query string: {@code maxInboundMessageSize} (bytes, or with KiB/MiB),
     * {@code keepAliveTime}, {@code keepAliveTimeout}, {@code permitKeepAliveTime},
     * {@code maxConnectionIdle}, {@code maxConnectionAge}, {@code maxConnectionAgeGrace} (durations
     * like {@code 30s}), {@code maxConcurrentCallsPerConnection}, {@code reflection} ({@code false} turns
     * server reflection off).
     *
     * @throws IllegalArgumentException if an option is unknown or malformed
     */
    public Builder options(Map<String, String> options) {
      requireNonNull(options, "options");
      for (Map.Entry<String, String> e : options.entrySet()) {
        String k = e.getKey();
        String v = e.getValue();
        switch (k) {
          case "maxInboundMessageSize" -> maxInboundMessageSize(TransportOptions.size(k, v));
          case "keepAliveTime" -> keepAliveTime(TransportOptions.duration(k, v));
          case "keepAliveTimeout" -> keepAliveTimeout(TransportOptions.duration(k, v));
          case "permitKeepAliveTime" -> permitKeepAliveTime(TransportOptions.duration(k, v));
          case "maxConnectionIdle" -> maxConnectionIdle(TransportOptions.duration(k, v));
          case "maxConnectionAge" -> maxConnectionAge(TransportOptions.duration(k, v));
          case "maxConnectionAgeGrace" -> maxConnectionAgeGrace(TransportOptions.duration(k, v));
          case "maxConcurrentCallsPerConnection" -> maxConcurrentCallsPerConnection(TransportOptions.positive(k, v));
          case "reflection" -> reflection(TransportOptions.bool(k, v));
          default -> throw new IllegalArgumentException(
              "option: " + k + " (expected: one of maxInboundMessageSize, keepAliveTime, keepAliveTimeout,"
                  + " permitKeepAliveTime, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,"
                  + " maxConcurrentCallsPerConnection, reflection)");
        }
      }
      return this;
    }

    /**
     * Sets whether the server answers gRPC server reflection (default: yes), which lists every service,
     * method and message to anyone who asks; turn it off where the schema is not public.
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
