package dev.ipc.grpc;

import com.google.protobuf.Descriptors.FileDescriptor;
import dev.ipc.core.Tls;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.TransportContext;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** A running gRPC server: the described services, health and reflection on one port. */
final class GrpcServer implements RunningTransport {
  private final Server server;
  private final HealthStatusManager health;
  private final java.util.concurrent.atomic.AtomicBoolean terminal =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final CallTracker tracker;
  private final InetSocketAddress address;
  private final java.util.concurrent.atomic.AtomicInteger connections;
  private static final io.grpc.Attributes.Key<Boolean> COUNTED =
      io.grpc.Attributes.Key.create("ipc.counted");

  /** The transport's own event loops ({@code workerThreads}), or none: grpc-java's shared ones. */
  private final List<EventLoopGroup> loops;

  private GrpcServer(
      Server server,
      HealthStatusManager health,
      CallTracker tracker,
      java.util.concurrent.atomic.AtomicInteger connections,
      List<EventLoopGroup> loops) {
    this.loops = loops;
    this.connections = connections;
    this.server = server;
    this.health = health;
    this.tracker = tracker;
    SocketAddress bound = server.getListenSockets().get(0);
    this.address = (InetSocketAddress) bound;
  }

  @Override
  public int openConnections() {
    return Math.max(0, connections.get());
  }

  static GrpcServer start(GrpcTransport t, TransportContext context) throws IOException {
    Executor executor = t.executor != null ? t.executor : context.executor();
    CallTracker tracker = new CallTracker();
    HealthStatusManager health = new HealthStatusManager();
    java.util.concurrent.atomic.AtomicInteger connections =
        new java.util.concurrent.atomic.AtomicInteger();
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new InetSocketAddress(t.host, t.port))
            // Callbacks only decode and hand off; service code runs on `executor`.
            .directExecutor()
            .maxInboundMessageSize(t.maxInboundMessageSize)
            .keepAliveTime(t.keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(t.keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveTime(t.permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(t.permitKeepAliveWithoutCalls)
            .maxConcurrentCallsPerConnection(t.maxConcurrentCallsPerConnection)
            .addService(health.getHealthService())
            // Counted for ipc.server.connections: an HTTP/2 connection carries many calls.
            .addTransportFilter(
                new io.grpc.ServerTransportFilter() {
                  @Override
                  public io.grpc.Attributes transportReady(io.grpc.Attributes attributes) {
                    connections.incrementAndGet();
                    return attributes.toBuilder().set(COUNTED, Boolean.TRUE).build();
                  }

                  @Override
                  public void transportTerminated(io.grpc.Attributes attributes) {
                    // Only transports that became ready were counted (and carry the mark).
                    if (attributes != null && Boolean.TRUE.equals(attributes.get(COUNTED))) {
                      connections.decrementAndGet();
                    }
                  }
                });
    if (t.reflection) {
      b.addService(ProtoReflectionServiceV1.newInstance());
    }
    Tls tls = context.tls().orElse(null);
    if (tls != null) {
      // TLS only: a plaintext client's first bytes are not a TLS record, and the connection is
      // closed.
      b.sslContext(sslContext(tls));
    }
    boolean clientCertificates = tls != null && tls.clientAuth() != Tls.ClientAuth.NONE;
    if (t.maxConnectionIdle != null) {
      b.maxConnectionIdle(t.maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (t.maxConnectionAge != null) {
      b.maxConnectionAge(t.maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (t.maxConnectionAgeGrace != null) {
      b.maxConnectionAgeGrace(t.maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
    }
    List<String> names = new ArrayList<>();
    for (BoundService service : context.services()) {
      b.addService(definition(service, executor, tracker, clientCertificates));
      names.add(service.descriptor().grpcFullName());
    }
    List<EventLoopGroup> loops = t.workerThreads > 0 ? ownLoops(b, t.workerThreads) : List.of();
    Server server;
    try {
      server = b.build().start();
    } catch (IOException | RuntimeException e) {
      shutdown(loops);
      throw e;
    }
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    for (String name : names) {
      health.setStatus(name, ServingStatus.SERVING);
    }
    return new GrpcServer(server, health, tracker, connections, loops);
  }

  /**
   * Gives the server its own event loops: {@code workerThreads} that serve connections and one that
   * accepts them, epoll where grpc-java would use it (Linux), else NIO. NettyServerBuilder takes
   * the boss group, the worker group and the channel type together or not at all.
   */
  private static List<EventLoopGroup> ownLoops(NettyServerBuilder b, int workerThreads) {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup boss = group(epoll, 1, new DefaultThreadFactory("ipc-grpc-accept", true));
    EventLoopGroup workers =
        group(epoll, workerThreads, new DefaultThreadFactory("ipc-grpc-worker", true));
    b.bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    return List.of(boss, workers);
  }

  private static EventLoopGroup group(boolean epoll, int threads, DefaultThreadFactory factory) {
    return epoll
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  /**
   * Stops the transport's own loops once the server no longer uses them (no quiet period: it is
   * done).
   */
  private static void shutdown(List<EventLoopGroup> loops) {
    for (EventLoopGroup group : loops) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  /** Builds the gRPC service of one described service: its methods, marshallers and handlers. */
  static ServerServiceDefinition definition(
      BoundService service, Executor executor, CallTracker tracker, boolean clientCertificates) {
    ServiceDescriptor<?> d = service.descriptor();
    FileDescriptor file = ProtoSchema.file(d);
    io.grpc.ServiceDescriptor.Builder sd =
        io.grpc.ServiceDescriptor.newBuilder(d.grpcFullName())
            .setSchemaDescriptor(new ProtoSchema.Supplier(file, d.grpcService(), null));
    List<ServerMethod> methods = new ArrayList<>();
    for (BoundOperation bound : service.operations()) {
      Operation<?, ?, ?> op = bound.operation();
      ProtoCodec output = outputCodec(op);
      MethodDescriptor<Object, Object> method =
          MethodDescriptor.newBuilder(
                  CodecMarshaller.forServer(ProtoCodec.of(op.input())),
                  CodecMarshaller.forServer(output))
              .setType(methodType(op))
              .setFullMethodName(
                  MethodDescriptor.generateFullMethodName(d.grpcFullName(), op.grpcMethod()))
              .setSchemaDescriptor(new ProtoSchema.Supplier(file, d.grpcService(), op.grpcMethod()))
              .setIdempotent(op.kind() == Operation.Kind.QUERY)
              .build();
      sd.addMethod(method);
      ServerCallHandler<Object, Object> handler =
          op.streaming()
              ? new StreamHandler(bound, output, executor, tracker, clientCertificates)
              : new UnaryHandler(bound, output, executor, tracker, clientCertificates);
      methods.add(new ServerMethod(method, handler));
    }
    ServerServiceDefinition.Builder def = ServerServiceDefinition.builder(sd.build());
    for (ServerMethod m : methods) {
      def.addMethod(m.method, m.handler);
    }
    return def.build();
  }

  /**
   * Returns the server's TLS engine from the PEM files: HTTP/2 over ALPN, with client certificates
   * checked against the client CA when there is one.
   *
   * @throws IOException naming the files when they do not make a certificate and its key
   */
  static SslContext sslContext(Tls tls) throws IOException {
    try {
      SslContextBuilder b =
          GrpcSslContexts.configure(
              SslContextBuilder.forServer(
                  tls.certificateChain().toFile(), tls.privateKey().toFile()));
      if (tls.clientCa() != null && tls.clientAuth() != Tls.ClientAuth.NONE) {
        b.trustManager(tls.clientCa().toFile())
            .clientAuth(
                tls.clientAuth() == Tls.ClientAuth.REQUIRE
                    ? ClientAuth.REQUIRE
                    : ClientAuth.OPTIONAL);
      }
      return b.build();
    } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
      throw new IOException(
          "TLS from "
              + tls.certificateChain()
              + " and "
              + tls.privateKey()
              + (tls.clientCa() != null ? " with client CA " + tls.clientCa() : "")
              + " failed (expected: PEM certificate chain and its unencrypted PKCS#8 key): "
              + e.getMessage(),
          e);
    }
  }

  /** Returns the codec of an operation's answer: the record, or the wrapper message of a list. */
  static ProtoCodec outputCodec(Operation<?, ?, ?> op) {
    return op.many() ? ProtoCodec.listOf(op.output()) : ProtoCodec.of(op.output());
  }

  /** Returns how an operation's method streams: a streaming operation answers a server stream. */
  static MethodDescriptor.MethodType methodType(Operation<?, ?, ?> op) {
    return op.streaming()
        ? MethodDescriptor.MethodType.SERVER_STREAMING
        : MethodDescriptor.MethodType.UNARY;
  }

  private record ServerMethod(
      MethodDescriptor<Object, Object> method, ServerCallHandler<Object, Object> handler) {}

  @Override
  public InetSocketAddress localAddress() {
    return address;
  }

  /**
   * Readiness went false: health checks answer NOT_SERVING while calls are still served, so a load
   * balancer watching health stops sending first. beginShutdown then makes it terminal.
   */
  @Override
  public void beginDrain() {
    notServing();
  }

  /**
   * grpc-java warns with a stack trace on a second enterTerminalState: drain and shutdown both come
   * here.
   */
  private void notServing() {
    if (terminal.compareAndSet(false, true)) {
      health.enterTerminalState();
    }
  }

  @Override
  public void beginShutdown() {
    tracker.beginClosing();
    // Health watchers learn first, so load balancers stop sending before the listener goes.
    notServing();
    server.shutdown();
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    // Only the service calls count: long-lived health watches and reflection streams must not hold
    // the
    // close for the whole grace period; shutdownNow ends them.
    return tracker.awaitIdle(timeout);
  }

  @Override
  public void shutdownNow() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      shutdown(loops);
    }
  }
}
