package dev.ipc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.Client;
import dev.ipc.core.Principal;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.ServiceException;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A known mix of calls over gRPC, REST, GraphQL and Socket.IO, through their real clients, leaves
 * exactly those counts per transport, operation and code, on both sides; the Prometheus text
 * parses.
 */
@Timeout(120)
class IpcMetricsTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql", "socketio");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? -?[0-9.eE+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? (NaN|[+-]Inf)");

  @Test
  void knownMixOfCalls_leavesExactlyThoseCounts() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SimpleMeterRegistry clientRegistry = new SimpleMeterRegistry();
    Transports.Builder b =
        Transports.builder()
            .services(Reference.services())
            // Before authenticate(...): the calls it refuses are counted too.
            .interceptor(IpcMetrics.of(registry))
            .authenticate(token -> token.equals("w") ? Principal.of("walt", "writer") : null);
    for (String p : PROTOCOLS) {
      b.transport(p + "://127.0.0.1:0");
    }
    try (Server server = b.start()) {
      for (String p : PROTOCOLS) {
        try (Client raw = Transports.connect(p + "://127.0.0.1:" + server.port(p));
            Client client = IpcMetrics.client(raw, p, clientRegistry)) {
          TaskService tasks = client.service(TaskService.class);
          for (int i = 0; i < 3; i++) {
            assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
          }
          assertThatThrownBy(() -> tasks.get(42)).isInstanceOf(ServiceException.class);
          assertThatThrownBy(() -> tasks.put(new Task(70, "x")))
              .isInstanceOf(ServiceException.class);
          Task mine = new Task(80 + PROTOCOLS.indexOf(p), p);
          if (p.equals("socketio")) {
            // Socket.IO sends its token once, in the handshake: a client of its own for the writer.
            try (Client writer =
                IpcMetrics.client(
                    dev.ipc.socketio.SocketIoClient.builder()
                        .target("127.0.0.1", server.port(p))
                        .token("w")
                        .build(),
                    p,
                    clientRegistry)) {
              assertThat(writer.service(TaskService.class).put(mine).created()).isTrue();
            }
          } else {
            assertThat(client.withBearerToken("w").service(TaskService.class).put(mine).created())
                .isTrue();
          }
        }
      }
      for (String p : PROTOCOLS) {
        for (var registryAndSide :
            Map.of(registry, "server", clientRegistry, "client").entrySet()) {
          var r = registryAndSide.getKey();
          String side = registryAndSide.getValue();
          assertThat(count(r, side, p, "get", "OK")).as(side + " " + p).isEqualTo(3);
          assertThat(count(r, side, p, "get", "NOT_FOUND")).as(side + " " + p).isEqualTo(1);
          assertThat(count(r, side, p, "put", "UNAUTHENTICATED")).as(side + " " + p).isEqualTo(1);
          assertThat(count(r, side, p, "put", "OK")).as(side + " " + p).isEqualTo(1);
          assertThat(
                  r.find("ipc." + side + ".call.duration")
                      .tag("transport", p)
                      .tag("code", "OK")
                      .timers())
              .isNotEmpty()
              .allSatisfy(t -> assertThat(t.count()).isPositive());
        }
        Gauge active =
            registry
                .find("ipc.server.calls.active")
                .tag("transport", p)
                .tag("rpc.method", "get")
                .gauge();
        assertThat(active).isNotNull();
        assertThat(active.value()).isZero();
      }
      assertThat(registry.find("ipc.server.calls").tag("rpc.system", "grpc").counters())
          .isNotEmpty();

      String text = registry.scrape();
      assertThat(text)
          .contains("ipc_server_calls_total{")
          .contains("ipc_server_call_duration_seconds_bucket{");
      for (String line : text.lines().toList()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          assertThat(SAMPLE.matcher(line).matches()).as(line).isTrue();
        }
      }
    }
  }

  private static double count(
      io.micrometer.core.instrument.MeterRegistry r,
      String side,
      String transport,
      String method,
      String code) {
    Counter c =
        r.find("ipc." + side + ".calls")
            .tag("transport", transport)
            .tag("rpc.service", "task")
            .tag("rpc.method", method)
            .tag("code", code)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void monitor_publishesTheServersQueueStreamsAndRefusals() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // One thread and a queue of one: the third call finds both taken and is refused.
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            1,
            1,
            1,
            java.util.concurrent.TimeUnit.MINUTES,
            new java.util.concurrent.ArrayBlockingQueue<>(1));
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (Server server =
        Transports.builder()
            .service(dev.ipc.core.testing.HeldDating.of(entered, release))
            .executor(pool)
            .transport("grpc://127.0.0.1:0")
            .start()) {
      IpcMetrics.of(registry).monitor(server);
      assertThat(registry.get("ipc.server.streams.open").gauge().value()).isZero();
      assertThat(registry.get("ipc.server.stream.values").functionCounter().count()).isZero();
      assertThat(registry.get("ipc.server.streams.dropped").functionCounter().count()).isZero();
      // A host's ThreadPoolExecutor tells its queue, not its refusals: no meter rather than a wrong
      // one.
      assertThat(registry.find("ipc.server.executor.refused").functionCounter()).isNull();
      // gRPC pushes nothing outside streams; one node's local bus drops nothing.
      assertThat(registry.find("ipc.server.events.delivered").functionCounter()).isNull();
      assertThat(registry.get("ipc.server.bus.dropped").functionCounter().count()).isZero();
      try (Client client = Transports.connect("grpc://127.0.0.1:" + server.port("grpc"))) {
        dev.ipc.core.DatingService dating = client.service(dev.ipc.core.DatingService.class);
        var held =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> dating.eating(new dev.ipc.core.Eat("a")));
        assertThat(entered.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        var queued =
            java.util.concurrent.CompletableFuture.supplyAsync(
                () -> dating.eating(new dev.ipc.core.Eat("b")));
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (registry.get("ipc.server.executor.queued").gauge().value() < 1
            && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        assertThat(registry.get("ipc.server.executor.queued").gauge().value()).isEqualTo(1);
        assertThatThrownBy(() -> dating.eating(new dev.ipc.core.Eat("c")))
            .isInstanceOfSatisfying(
                ServiceException.class,
                e -> assertThat(e.code()).isEqualTo(dev.ipc.core.ErrorCode.RESOURCE_EXHAUSTED));
        release.countDown();
        assertThat(held.get(20, java.util.concurrent.TimeUnit.SECONDS).feeling()).isTrue();
        assertThat(queued.get(20, java.util.concurrent.TimeUnit.SECONDS).feeling()).isTrue();
        assertThat(registry.get("ipc.server.executor.queued").gauge().value()).isZero();
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void monitor_countsTheDefaultExecutorsRefusals() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Server server =
        Transports.builder()
            .services(Reference.services())
            .transport("grpc://127.0.0.1:0")
            .start()) {
      IpcMetrics.of(registry).monitor(server);
      assertThat(registry.get("ipc.server.executor.refused").functionCounter().count()).isZero();
      assertThat(registry.get("ipc.server.executor.queued").gauge().value()).isZero();
    }
  }
}
