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
 * A known mix of calls over gRPC, REST and GraphQL, through their real clients, leaves exactly those
 * counts per transport, operation and code, on both sides; the Prometheus text parses.
 */
@Timeout(120)
class IpcMetricsTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql");
  private static final Pattern SAMPLE =
      Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? -?[0-9.eE+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? (NaN|[+-]Inf)");

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
          assertThatThrownBy(() -> tasks.put(new Task(70, "x"))).isInstanceOf(ServiceException.class);
          assertThat(client.withBearerToken("w").service(TaskService.class).put(new Task(80 + PROTOCOLS.indexOf(p), p)).created())
              .isTrue();
        }
      }
      for (String p : PROTOCOLS) {
        for (var registryAndSide : Map.of(registry, "server", clientRegistry, "client").entrySet()) {
          var r = registryAndSide.getKey();
          String side = registryAndSide.getValue();
          assertThat(count(r, side, p, "get", "OK")).as(side + " " + p).isEqualTo(3);
          assertThat(count(r, side, p, "get", "NOT_FOUND")).as(side + " " + p).isEqualTo(1);
          assertThat(count(r, side, p, "put", "UNAUTHENTICATED")).as(side + " " + p).isEqualTo(1);
          assertThat(count(r, side, p, "put", "OK")).as(side + " " + p).isEqualTo(1);
          assertThat(r.find("ipc." + side + ".call.duration").tag("transport", p).tag("code", "OK").timers())
              .isNotEmpty()
              .allSatisfy(t -> assertThat(t.count()).isPositive());
        }
        Gauge active = registry.find("ipc.server.calls.active").tag("transport", p).tag("rpc.method", "get").gauge();
        assertThat(active).isNotNull();
        assertThat(active.value()).isZero();
      }
      assertThat(registry.find("ipc.server.calls").tag("rpc.system", "grpc").counters()).isNotEmpty();

      String text = registry.scrape();
      assertThat(text).contains("ipc_server_calls_total{").contains("ipc_server_call_duration_seconds_bucket{");
      for (String line : text.lines().toList()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          assertThat(SAMPLE.matcher(line).matches()).as(line).isTrue();
        }
      }
    }
  }

  private static double count(
      io.micrometer.core.instrument.MeterRegistry r, String side, String transport, String method, String code) {
    Counter c =
        r.find("ipc." + side + ".calls")
            .tag("transport", transport)
            .tag("rpc.service", "task")
            .tag("rpc.method", method)
            .tag("code", code)
            .counter();
    return c == null ? 0 : c.count();
  }
}
