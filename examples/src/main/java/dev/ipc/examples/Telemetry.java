package dev.ipc.examples;

import dev.ipc.core.AccessLog;
import dev.ipc.core.Server;
import dev.ipc.core.Transports;
import dev.ipc.micrometer.IpcMetrics;
import dev.ipc.opentelemetry.IpcTracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What an operator of the example switches on: Prometheus metrics of every call and of the server
 * (served at {@code GET /metrics} on the REST port), an access log line per call, and OpenTelemetry
 * traces exported over OTLP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set (the SDK reads the
 * other standard {@code OTEL_*} variables too).
 */
final class Telemetry {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final IpcMetrics metrics = IpcMetrics.of(registry);
  private final OpenTelemetrySdk sdk;

  private Telemetry(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  /** Reads the environment: traces only when it names an OTLP endpoint. */
  static Telemetry from(Map<String, String> env) {
    String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      return new Telemetry(null);
    }
    Map<String, String> props = new HashMap<>();
    // Traces are what ipc adds; metrics go to /metrics and logs to SLF4J, so those exporters stay
    // off
    // unless the environment asks for them.
    props.put("otel.metrics.exporter", "none");
    props.put("otel.logs.exporter", "none");
    props.put("otel.service.name", "ipc-example");
    env.forEach(
        (k, v) -> {
          if (k.startsWith("OTEL_")) {
            props.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> props)
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    return new Telemetry(sdk);
  }

  /** Returns whether traces are exported. */
  boolean tracing() {
    return sdk != null;
  }

  /** Adds the interceptors, outermost first, so each sees the calls the next ones refuse. */
  void install(Transports.Builder builder) {
    builder.interceptor(metrics);
    if (sdk != null) {
      builder.interceptor(IpcTracing.of(sdk));
    }
    builder.interceptor(AccessLog.create());
  }

  /** Publishes the running server's own numbers (queue, streams, connections) beside the calls'. */
  void monitor(Server server) {
    metrics.monitor(server);
  }

  /** Returns the Prometheus text of every meter. */
  String scrape() {
    return registry.scrape();
  }

  /** Sends the spans still buffered and stops the exporter. */
  void close() {
    if (sdk != null) {
      sdk.close();
    }
  }
}
