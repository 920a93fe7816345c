package dev.ipc.micrometer;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Interceptor;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer metrics for every call, the same on every transport. On the server it is an {@link
 * Interceptor}: add it before {@code authenticate(...)} to count the calls authentication refuses
 * too. On the client, {@link #client} wraps a {@link Client}.
 *
 * <p>Meters, tagged {@code transport}, {@code rpc.system} ({@code grpc}, or {@code ipc} for the
 * others, which have no OpenTelemetry RPC system name), {@code rpc.service}, {@code rpc.method}
 * and, once the call ended, {@code code} (an {@link ErrorCode} name, or {@code OK}):
 *
 * <ul>
 *   <li>{@code ipc.server.calls} (counter) and {@code ipc.server.call.duration} (timer, with a
 *       percentile histogram for Prometheus);
 *   <li>{@code ipc.server.calls.active} (gauge) without {@code code};
 *   <li>{@code ipc.client.calls} and {@code ipc.client.call.duration}, client side; a call that got
 *       no answer has {@code code=TRANSPORT}.
 * </ul>
 *
 * Thread-safe; meters are made once per tag set.
 */
public final class IpcMetrics implements Interceptor {
  private final MeterRegistry registry;
  private final Map<Key, Meters> meters = new ConcurrentHashMap<>();
  private final Map<Key, AtomicInteger> active = new ConcurrentHashMap<>();

  private IpcMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Returns server-side metrics recorded in {@code registry}. */
  public static IpcMetrics of(MeterRegistry registry) {
    return new IpcMetrics(requireNonNull(registry, "registry"));
  }

  /**
   * Returns a view of {@code client} that records {@code ipc.client.*} meters in {@code registry},
   * tagged with {@code transport} (the scheme the client was made for: {@code grpc}, {@code
   * rest}...).
   */
  public static Client client(Client client, String transport, MeterRegistry registry) {
    return new MeteredClient(
        requireNonNull(client, "client"),
        requireNonNull(transport, "transport"),
        new IpcMetrics(requireNonNull(registry, "registry")));
  }

  @Override
  public Reply intercept(CallContext context, Object request, Next next) {
    Operation<?, ?, ?> op = context.operation();
    Key base = new Key("server", context.transport(), op.service(), op.name(), null);
    AtomicInteger inFlight =
        active.computeIfAbsent(
            base, k -> registry.gauge("ipc.server.calls.active", tags(k), new AtomicInteger()));
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    String code = "INTERNAL";
    try {
      Reply reply = next.proceed(request);
      code = "OK";
      return reply;
    } catch (ServiceException e) {
      code = e.code().name();
      throw e;
    } finally {
      inFlight.decrementAndGet();
      record(base.withCode(code), System.nanoTime() - start);
    }
  }

  /**
   * Publishes what {@code server} holds and has done ({@link dev.ipc.core.ServerStats}), read at
   * each scrape: {@code ipc.server.executor.queued} and {@code ipc.server.executor.refused} (calls
   * refused as RESOURCE_EXHAUSTED because the executor was saturated), {@code
   * ipc.server.streams.open}, {@code ipc.server.stream.values} (values written to streams) and
   * {@code ipc.server.streams.dropped} (streams ended because their subscriber fell behind), and
   * {@code ipc.server.connections} tagged {@code transport} (Socket.IO: sessions) for every
   * transport that counts them, {@code ipc.server.events.delivered} and {@code
   * ipc.server.events.dropped} tagged {@code transport} for every transport pushing events outside
   * streams (Socket.IO's broadcasts, one per recipient), and {@code ipc.server.bus.dropped} (what
   * the cluster bus could not hand to the other nodes). Returns this.
   */
  public IpcMetrics monitor(dev.ipc.core.Server server) {
    requireNonNull(server, "server");
    dev.ipc.core.ServerStats first = server.stats();
    if (first.queuedCalls() >= 0) {
      io.micrometer.core.instrument.Gauge.builder(
              "ipc.server.executor.queued", server, s -> s.stats().queuedCalls())
          .description("Calls waiting for an executor thread")
          .register(registry);
    }
    if (first.refusedCalls() >= 0) {
      io.micrometer.core.instrument.FunctionCounter.builder(
              "ipc.server.executor.refused", server, s -> s.stats().refusedCalls())
          .description("Calls refused because the executor was saturated")
          .register(registry);
    }
    io.micrometer.core.instrument.Gauge.builder(
            "ipc.server.streams.open", server, s -> s.stats().openStreams())
        .description("Streams open now, over every transport")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ipc.server.stream.values", server, s -> s.stats().streamedValues())
        .description("Values written to streams")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ipc.server.streams.dropped", server, s -> s.stats().streamsEndedBehind())
        .description("Streams ended because their subscriber fell behind")
        .register(registry);
    for (String transport : first.connections().keySet()) {
      io.micrometer.core.instrument.Gauge.builder(
              "ipc.server.connections",
              server,
              s -> s.stats().connections().getOrDefault(transport, 0))
          .description("Client connections open now (Socket.IO: sessions)")
          .tag("transport", transport)
          .register(registry);
    }
    for (String transport : first.eventsDelivered().keySet()) {
      io.micrometer.core.instrument.FunctionCounter.builder(
              "ipc.server.events.delivered",
              server,
              s -> s.stats().eventsDelivered().getOrDefault(transport, 0L))
          .description(
              "Events outside streams handed to client connections, one per recipient (Socket.IO broadcasts)")
          .tag("transport", transport)
          .register(registry);
      io.micrometer.core.instrument.FunctionCounter.builder(
              "ipc.server.events.dropped",
              server,
              s -> s.stats().eventsDropped().getOrDefault(transport, 0L))
          .description("Events that did not reach a recipient they were meant for")
          .tag("transport", transport)
          .register(registry);
    }
    io.micrometer.core.instrument.FunctionCounter.builder(
            "ipc.server.bus.dropped", server, s -> s.stats().busDropped())
        .description(
            "Published values and cluster messages the bus could not hand to the other nodes")
        .register(registry);
    return this;
  }

  void record(Key key, long nanos) {
    Meters m = meters.computeIfAbsent(key, this::create);
    m.calls.increment();
    m.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Meters create(Key key) {
    Tags tags = tags(key);
    return new Meters(
        Counter.builder("ipc." + key.side() + ".calls")
            .description("Calls of an operation, by outcome")
            .tags(tags)
            .register(registry),
        Timer.builder("ipc." + key.side() + ".call.duration")
            .description("How long calls took, from the first interceptor to the answer")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry));
  }

  private static Tags tags(Key k) {
    Tags tags =
        Tags.of(
            "transport", k.transport(),
            "rpc.system", k.transport().equals("grpc") ? "grpc" : "ipc",
            "rpc.service", k.service(),
            "rpc.method", k.operation());
    return k.code() == null ? tags : tags.and("code", k.code());
  }

  record Key(String side, String transport, String service, String operation, String code) {
    Key withCode(String outcome) {
      return new Key(side, transport, service, operation, outcome);
    }
  }

  private record Meters(Counter calls, Timer duration) {}

  /** A client that times its calls. */
  private static final class MeteredClient implements Client {
    private final Client client;
    private final String transport;
    private final IpcMetrics metrics;

    MeteredClient(Client client, String transport, IpcMetrics metrics) {
      this.client = client;
      this.transport = transport;
      this.metrics = metrics;
    }

    @Override
    public Reply call(Operation<?, ?, ?> operation, Object request) {
      return call(operation, request, Metadata.EMPTY);
    }

    @Override
    public Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
      long start = System.nanoTime();
      String code = "INTERNAL";
      try {
        Reply reply = client.call(operation, request, metadata);
        code = "OK";
        return reply;
      } catch (ServiceException e) {
        code = e.code().name();
        throw e;
      } catch (TransportException e) {
        code = "TRANSPORT";
        throw e;
      } finally {
        metrics.record(
            new Key("client", transport, operation.service(), operation.name(), code),
            System.nanoTime() - start);
      }
    }

    @Override
    public void close() {
      client.close();
    }

    @Override
    public String toString() {
      return client + " (metered)";
    }
  }
}
