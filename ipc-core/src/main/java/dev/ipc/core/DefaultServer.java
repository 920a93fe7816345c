package dev.ipc.core;

import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.EventBus;
import dev.ipc.core.spi.Published;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: binds transports, counts calls in flight, publishes values, drains on close.
 */
final class DefaultServer implements Server, TransportContext {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultServer.class);
  // Service code is synchronous and may block: enough threads that 64 concurrent calls do not queue
  // behind each other (measured: 16 threads put gRPC's p99 at 64 concurrent calls above raw
  // grpc-java's).
  private static final int DEFAULT_THREADS =
      Math.max(64, Runtime.getRuntime().availableProcessors() * 16);
  private static final int DEFAULT_QUEUE = 10_000;

  private final List<BoundService> services;
  private final Duration gracePeriod;
  private final ExecutorService executor;
  private final List<Consumer<Published>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object drained = new Object();
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Map<String, RunningTransport> running = new LinkedHashMap<>();
  private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
  private volatile boolean closing;
  private volatile boolean ready;
  private Thread shutdownHook;

  private final Security security;
  private final Feeds feeds;
  private final int streamBuffer;
  private final EventBus.Node busNode;
  private final java.util.concurrent.atomic.LongAdder streamedValues =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder streamsEndedBehind =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.Set<ServerStream> streams =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private DefaultServer(
      List<Binding<?>> bindings,
      Duration gracePeriod,
      ExecutorService executor,
      Security security,
      Streaming streaming) {
    this.security = security;
    this.feeds = new Feeds(streaming.history());
    this.streamBuffer = streaming.buffer();
    List<ServiceDescriptor<?>> described = new ArrayList<>();
    for (Binding<?> b : bindings) {
      described.add(b.descriptor());
    }
    this.busNode = streaming.bus().join(List.copyOf(described), this::deliver);
    List<BoundService> bound = new ArrayList<>();
    for (Binding<?> b : bindings) {
      bound.add(b.bind(this));
    }
    this.services = List.copyOf(bound);
    this.gracePeriod = gracePeriod;
    this.executor = executor != null ? executor : defaultExecutor();
  }

  static DefaultServer start(
      List<Binding<?>> bindings,
      List<Transport> transports,
      Duration gracePeriod,
      ExecutorService executor,
      Security security,
      Streaming streaming) {
    DefaultServer server = new DefaultServer(bindings, gracePeriod, executor, security, streaming);
    security.warnIfOpen(server.services);
    for (Transport t : transports) {
      RunningTransport r;
      try {
        r = t.start(server);
      } catch (IOException | RuntimeException e) {
        server.abort();
        throw new IllegalStateException(
            "cannot start the "
                + t.name()
                + " transport on "
                + t.address()
                + ": "
                + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()),
            e);
      }
      server.running.put(t.name(), r);
      server.addresses.put(t.name(), r.localAddress());
      LOG.debug("{} serving on {}", t.name(), r.localAddress());
    }
    server.ready = true;
    return server;
  }

  private static ExecutorService defaultExecutor() {
    AtomicInteger n = new AtomicInteger();
    return new CallExecutor(
        DEFAULT_THREADS,
        DEFAULT_QUEUE,
        60,
        TimeUnit.SECONDS,
        r -> {
          Thread t = new Thread(r, "ipc-call-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  private void abort() {
    closing = true;
    for (RunningTransport r : running.values()) {
      r.beginShutdown();
      r.shutdownNow();
    }
    executor.shutdownNow();
    busNode.close();
    closeStarted.set(true);
    closed.countDown();
  }

  // TransportContext

  @Override
  public List<BoundService> services() {
    return services;
  }

  @Override
  public ExecutorService executor() {
    return executor;
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public boolean isClosing() {
    return closing;
  }

  @Override
  public AutoCloseable subscribe(Consumer<Published> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public boolean authenticates() {
    return security.verifier() != null;
  }

  @Override
  public Principal authenticate(String credential) {
    return security.authenticate(credential);
  }

  @Override
  public Optional<Tls> tls() {
    return Optional.ofNullable(security.tls());
  }

  private void publish(Operation<?, ?, ?> op, Object value) {
    busNode.publish(new Published(op, value));
  }

  /**
   * Hands a value published on any node to this node's feeds and listeners (Socket.IO broadcasts).
   */
  private void deliver(Published p) {
    Operation<?, ?, ?> op = p.operation();
    Object value = p.value();
    try {
      feeds.publish(op.publishes(), value);
    } catch (RuntimeException e) {
      LOG.warn("a subscriber to {} failed", op.publishes(), e);
    }
    for (Consumer<Published> l : listeners) {
      try {
        l.accept(p);
      } catch (RuntimeException e) {
        LOG.warn("listener failed for {}", op.publishes(), e);
      }
    }
  }

  @Override
  public EventBus.Messages messages() {
    return busNode.messages();
  }

  // Server

  @Override
  public int openStreams() {
    return streams.size();
  }

  @Override
  public ServerStats stats() {
    int queued = -1;
    long refused = -1;
    if (executor instanceof CallExecutor c) {
      queued = c.queued();
      refused = c.refused();
    } else if (executor instanceof java.util.concurrent.ThreadPoolExecutor t) {
      queued = t.getQueue().size();
    }
    Map<String, Integer> connections = new LinkedHashMap<>();
    Map<String, Long> delivered = new LinkedHashMap<>();
    Map<String, Long> dropped = new LinkedHashMap<>();
    running.forEach(
        (name, r) -> {
          int n = r.openConnections();
          if (n >= 0) {
            connections.put(name, n);
          }
          long d = r.eventsDelivered();
          if (d >= 0) {
            delivered.put(name, d);
            dropped.put(name, Math.max(0, r.eventsDropped()));
          }
        });
    return new ServerStats(
        inFlight.get(),
        queued,
        refused,
        streams.size(),
        streamedValues.sum(),
        streamsEndedBehind.sum(),
        connections,
        delivered,
        dropped,
        busNode.dropped());
  }

  /** Returns how many subscriptions to published values are open (for tests: back to zero). */
  int feedSubscribers() {
    return feeds.subscribers();
  }

  @Override
  public InetSocketAddress address(String transport) {
    InetSocketAddress a = addresses.get(transport);
    if (a == null) {
      throw new IllegalArgumentException(
          "transport: " + transport + " (expected: one of " + addresses.keySet() + ")");
    }
    return a;
  }

  @Override
  public Map<String, InetSocketAddress> addresses() {
    return Collections.unmodifiableMap(addresses);
  }

  @Override
  public Duration gracePeriod() {
    return gracePeriod;
  }

  @Override
  public synchronized Server closeOnJvmShutdown() {
    if (shutdownHook == null && !closeStarted.get()) {
      shutdownHook = new Thread(this::close, "ipc-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    return this;
  }

  @Override
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (!closeStarted.compareAndSet(false, true)) {
      awaitClosedUninterruptibly();
      return;
    }
    try {
      ready = false;
      for (RunningTransport r : running.values()) {
        r.beginDrain();
      }
      sleepUninterruptibly(security.readinessDelay());
      closing = true;
      long deadline = System.nanoTime() + gracePeriod.toNanos();
      // Streams end before the transports stop: each caller gets its buffered values and a clean
      // end.
      for (ServerStream stream : streams) {
        stream.finish();
      }
      for (RunningTransport r : running.values()) {
        r.beginShutdown();
      }
      awaitDrained(deadline);
      for (RunningTransport r : running.values()) {
        try {
          r.awaitTermination(remaining(deadline));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (RunningTransport r : running.values()) {
        r.shutdownNow();
      }
      // Off the bus once nothing here can publish or stream any more.
      busNode.close();
      executor.shutdown();
      try {
        if (!executor.awaitTermination(remaining(deadline).toNanos(), TimeUnit.NANOSECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
      removeShutdownHook();
    } finally {
      closed.countDown();
    }
  }

  private synchronized void removeShutdownHook() {
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down; the hook runs or ran.
      }
    }
  }

  private void awaitDrained(long deadline) {
    synchronized (drained) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{} call(s) still in flight after the grace period", inFlight.get());
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void awaitClosedUninterruptibly() {
    boolean interrupted = false;
    while (true) {
      try {
        closed.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits out the readiness delay: a load balancer polling readiness stops sending calls meanwhile.
   */
  private static void sleepUninterruptibly(Duration d) {
    if (d == null || d.isZero()) {
      return;
    }
    long end = System.nanoTime() + d.toNanos();
    boolean interrupted = false;
    for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void endInFlight() {
    if (inFlight.decrementAndGet() == 0 && closing) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /** How streams buffer and how many published values a feed keeps for resuming. */
  record Streaming(int buffer, int history, EventBus bus) {
    static final Streaming DEFAULT = new Streaming(1024, 1000, EventBus.local());
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /** A descriptor with its implementation, before the server binds it. */
  record Binding<S>(ServiceDescriptor<S> descriptor, Object implementation) {
    BoundService bind(DefaultServer server) {
      S impl = descriptor.type().cast(implementation);
      List<BoundOperation> ops = new ArrayList<>();
      for (Operation<S, ?, ?> op : descriptor.operations()) {
        ops.add(new Call<>(server, op, impl));
      }
      List<BoundOperation> operations = List.copyOf(ops);
      return new BoundService() {
        @Override
        public ServiceDescriptor<?> descriptor() {
          return descriptor;
        }

        @Override
        public List<BoundOperation> operations() {
          return operations;
        }

        @Override
        public String toString() {
          return descriptor.name();
        }
      };
    }
  }

  private static final class Call<S, I> implements BoundOperation {
    private final DefaultServer server;
    private final Operation<S, I, ?> operation;
    private final S implementation;
    private final Class<I> inputType;

    Call(DefaultServer server, Operation<S, I, ?> operation, S implementation) {
      this.server = server;
      this.operation = operation;
      this.implementation = implementation;
      this.inputType = operation.input().javaType();
    }

    @Override
    public Operation<?, ?, ?> operation() {
      return operation;
    }

    @Override
    public Reply call(Object request, CallSource source, Consumer<Metadata> responseMetadata) {
      server.inFlight.incrementAndGet();
      CallContext context = new CallContext(source, operation, server.feeds).enter();
      try {
        if (!inputType.isInstance(request)) {
          throw new IllegalArgumentException(
              operation + ": request " + (request == null ? null : request.getClass()));
        }
        Instant deadline = Deadlines.effective(source.deadline(), server.security.callTimeout());
        if (deadline == null) {
          return proceed(0, context, request);
        }
        if (!Instant.now().isBefore(deadline)) {
          throw new ServiceException(
              ErrorCode.DEADLINE_EXCEEDED, "deadline passed before the call started");
        }
        Deadlines.Guard guard = Deadlines.arm(deadline);
        Throwable failure = null;
        try {
          return proceed(0, context, request);
        } catch (Throwable t) {
          failure = t;
          throw t;
        } finally {
          if (guard.disarm() && failure != null) {
            // Whatever the interrupted service threw, the caller's answer is that time ran out.
            throw new ServiceException(
                ErrorCode.DEADLINE_EXCEEDED, operation + ": deadline exceeded");
          }
        }
      } catch (Throwable t) {
        throw ServiceException.from(t);
      } finally {
        CallContext.exit();
        try {
          responseMetadata.accept(context.responseMetadataSoFar());
        } finally {
          server.endInFlight();
        }
      }
    }

    @Override
    public StreamHandle stream(
        Object request, CallSource source, Consumer<Metadata> responseMetadata, StreamSink sink) {
      if (!operation.streaming()) {
        throw new IllegalStateException(operation + " does not stream");
      }
      if (server.closing) {
        throw new ServiceException(ErrorCode.UNAVAILABLE, "the server is closing");
      }
      Object publisher = call(request, source, responseMetadata).value();
      ServerStream[] self = new ServerStream[1];
      self[0] =
          new ServerStream(
              operation,
              sink,
              server.executor,
              server.streamBuffer,
              server.streamedValues,
              server.streamsEndedBehind,
              () -> {
                if (server.streams.remove(self[0])) {
                  server.endInFlight();
                }
              });
      server.inFlight.incrementAndGet();
      server.streams.add(self[0]);
      if (server.closing) {
        // Raced with close(), which may have finished the streams it saw already.
        self[0].finish();
      }
      try {
        ((java.util.concurrent.Flow.Publisher<?>) publisher).subscribe(self[0]);
      } catch (RuntimeException e) {
        self[0].onError(e);
      }
      return self[0];
    }

    /** Runs interceptor {@code i}, or the operation itself past the last one. */
    private Reply proceed(int i, CallContext context, Object request) {
      List<Interceptor> chain = server.security.interceptors();
      if (i < chain.size()) {
        return chain.get(i).intercept(context, request, next -> proceed(i + 1, context, next));
      }
      if (!inputType.isInstance(request)) {
        throw new IllegalStateException(
            operation
                + ": an interceptor passed on a "
                + (request == null ? null : request.getClass()));
      }
      Reply reply;
      try {
        reply = operation.invoke(implementation, inputType.cast(request));
      } catch (InvalidValueException e) {
        // The model's refusal of a value, as the INVALID_ARGUMENT interceptors already expect.
        throw ServiceException.from(e);
      }
      if (operation.publishes() != null) {
        server.publish(operation, reply.value());
      }
      return reply;
    }

    @Override
    public String toString() {
      return operation.toString();
    }
  }
}
