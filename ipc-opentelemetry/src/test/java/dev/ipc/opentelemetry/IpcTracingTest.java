package dev.ipc.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipc.core.Client;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One trace from a Java client through the server span to what the service calls next, over gRPC,
 * REST and GraphQL; a traceparent sent by curl and by Python grpcio is continued.
 */
@Timeout(120)
class IpcTracingTest {
  private static final List<String> PROTOCOLS = List.of("grpc", "rest", "graphql");
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();

  @AfterEach
  void close() {
    otel.close();
  }

  private Server serve() {
    Transports.Builder b =
        Transports.builder().services(Reference.services()).interceptor(IpcTracing.of(otel));
    for (String p : PROTOCOLS) {
      b.transport(p + "://127.0.0.1:0");
    }
    return b.start();
  }

  private List<SpanData> spansOf(String traceId) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(traceId))
        .toList();
  }

  @Test
  void javaClient_traceReachesTheServerSpan_onEveryProtocol() {
    try (Server server = serve()) {
      for (String p : PROTOCOLS) {
        exporter.reset();
        Span root = otel.getTracer("test").spanBuilder("root " + p).startSpan();
        try (Scope ignored = root.makeCurrent();
            Client client =
                IpcTracing.client(Transports.connect(p + "://127.0.0.1:" + server.port(p)), otel)) {
          assertThat(client.service(TaskService.class).get(1)).isEqualTo(new Task(1, "task1"));
        } finally {
          root.end();
        }
        String traceId = root.getSpanContext().getTraceId();
        List<SpanData> spans = spansOf(traceId);
        SpanData clientSpan =
            spans.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
        SpanData serverSpan =
            spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertThat(clientSpan.getParentSpanId()).as(p).isEqualTo(root.getSpanContext().getSpanId());
        assertThat(serverSpan.getParentSpanId()).as(p).isEqualTo(clientSpan.getSpanId());
        assertThat(serverSpan.getName()).isEqualTo("task/get");
        assertThat(serverSpan.getAttributes().get(AttributeKey.stringKey("ipc.transport")))
            .isEqualTo(p);
        assertThat(serverSpan.getAttributes().get(AttributeKey.stringKey("rpc.method")))
            .isEqualTo("get");
        assertThat(serverSpan.getAttributes().get(AttributeKey.stringKey("rpc.system")))
            .isEqualTo(p.equals("grpc") ? "grpc" : "ipc");
        assertThat(serverSpan.getAttributes().get(AttributeKey.stringKey("ipc.code")))
            .isEqualTo("OK");
      }
    }
  }

  @Test
  void serviceCode_runsInsideTheServerSpan() {
    TaskService tasks =
        new TaskService() {
          @Override
          public List<Task> list() {
            // What the service calls next joins the trace: a child of the current span.
            Span child = otel.getTracer("service").spanBuilder("database").startSpan();
            child.end();
            return List.of();
          }

          @Override
          public Task get(long id) {
            return new Task(id, "x");
          }

          @Override
          public dev.ipc.core.Saved<Task> put(Task task) {
            return new dev.ipc.core.Saved<>(task, true);
          }
        };
    try (Server server =
            Transports.builder()
                .service(tasks)
                .interceptor(IpcTracing.of(otel))
                .transport("rest://127.0.0.1:0")
                .start();
        Client client = Transports.connect("rest://127.0.0.1:" + server.port("rest"))) {
      client.service(TaskService.class).list();
      List<SpanData> spans = exporter.getFinishedSpanItems();
      SpanData serverSpan =
          spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
      SpanData db =
          spans.stream().filter(s -> s.getName().equals("database")).findFirst().orElseThrow();
      assertThat(db.getParentSpanId()).isEqualTo(serverSpan.getSpanId());
      assertThat(db.getTraceId()).isEqualTo(serverSpan.getTraceId());
    }
  }

  @Test
  @Interop
  void foreignClients_traceparentIsHonoured_curlAndPythonGrpcio() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parent = "00f067aa0ba902b7";
    String traceparent = "00-" + traceId + "-" + parent + "-01";
    try (Server server = serve()) {
      String out =
          run(
              "curl",
              "-sS",
              "--max-time",
              "20",
              "-H",
              "traceparent: " + traceparent,
              "http://127.0.0.1:" + server.port("rest") + "/tasks/1");
      assertThat(out).contains("task1");
      String py =
          "import grpc, sys\n"
              + "ch = grpc.insecure_channel('127.0.0.1:"
              + server.port("grpc")
              + "')\n"
              + "get = ch.unary_unary('/task.Tasks/GetTask')\n"
              + "print(get(b'\\x08\\x01', metadata=[('traceparent', sys.argv[1])], timeout=20))\n";
      // Debian's python3, which has python3-grpcio (bin/setup installs it), whatever else is on
      // PATH.
      assertThat(run("/usr/bin/python3", "-c", py, traceparent)).contains("task1");
      List<SpanData> spans = spansOf(traceId);
      assertThat(spans)
          .extracting(s -> s.getAttributes().get(AttributeKey.stringKey("ipc.transport")))
          .containsExactlyInAnyOrder("rest", "grpc");
      assertThat(spans).allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(parent));
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
