package dev.ipc.socketio;

import static dev.ipc.socketio.SocketIoStreamTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.CallContext;
import dev.ipc.core.Client;
import dev.ipc.core.Interceptor;
import dev.ipc.core.Reference;
import dev.ipc.core.Server;
import dev.ipc.core.Task;
import dev.ipc.core.TaskService;
import dev.ipc.core.Transports;
import dev.ipc.core.testing.Interop;
import dev.ipc.opentelemetry.IpcTracing;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Call metadata over Socket.IO: an object after an event's request joins the handshake's headers as
 * that call's metadata (credentials excepted), so a W3C traceparent continues a trace per call,
 * from the Java client through {@code IpcTracing.client}, from socket.io-client and from
 * python-socketio.
 */
@Timeout(120)
class SocketIoCallMetadataTest {
  /** What an interceptor saw of one call's metadata. */
  record Seen(
      String operation,
      String traceparent,
      String authorization,
      String cookie,
      String extra,
      String number) {}

  private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  private final Interceptor recording =
      (CallContext context, Object request, Interceptor.Next next) -> {
        var m = context.metadata();
        seen.add(
            new Seen(
                context.operation().name(),
                m.get("traceparent"),
                m.get("authorization"),
                m.get("cookie"),
                m.get("x-extra"),
                m.get("number")));
        return next.proceed(request);
      };
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private Server server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    otel.close();
  }

  private int start() {
    server =
        Transports.builder()
            .services(Reference.services())
            .interceptor(recording)
            .transport(SocketIoTransport.builder().host("127.0.0.1").port(0).build())
            .start();
    return server.port("socketio");
  }

  @Test
  void javaClient_tracedClientSendsATraceparentPerCallAndPerStream() throws Exception {
    int port = start();
    Span root = otel.getTracer("test").spanBuilder("root").startSpan();
    Flow.Subscription[] subscription = new Flow.Subscription[1];
    try (Scope ignored = root.makeCurrent();
        Client client = IpcTracing.client(SocketIoClient.of("127.0.0.1", port), otel)) {
      TaskService tasks = client.service(TaskService.class);
      assertThat(tasks.get(1)).isEqualTo(new Task(1, "task1"));
      assertThat(tasks.get(2)).isEqualTo(new Task(2, "task2"));
      tasks
          .watchTasks(null, null)
          .subscribe(
              new Flow.Subscriber<Task>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription[0] = s;
                }

                @Override
                public void onNext(Task item) {}

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onComplete() {}
              });
      await(() -> server.openStreams() == 1, "the traced stream open");
      subscription[0].cancel();
      await(() -> server.openStreams() == 0, "the traced stream cancelled");
    } finally {
      root.end();
    }

    String traceId = root.getSpanContext().getTraceId();
    Set<String> clientSpans =
        exporter.getFinishedSpanItems().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId))
            .map(SpanData::getSpanId)
            .collect(Collectors.toSet());
    List<Seen> calls = List.copyOf(seen);
    assertThat(calls).extracting(Seen::operation).containsExactly("get", "get", "watchTasks");
    for (Seen s : calls) {
      // 00-<trace id>-<parent span id>-<flags>: this trace, each call's own client span as parent.
      String[] parts = s.traceparent().split("-");
      assertThat(parts[1]).isEqualTo(traceId);
      assertThat(clientSpans).contains(parts[2]);
    }
    assertThat(calls.stream().map(Seen::traceparent).distinct().count()).isEqualTo(3);
  }

  @Test
  @Interop
  void node_theObjectAfterTheRequestIsTheCallsMetadataCredentialsAside() throws Exception {
    int port = start();
    for (String transports : List.of("websocket", "polling")) {
      seen.clear();
      String call = traceparent(transports.equals("polling") ? "a1" : "a2");
      String watch = traceparent(transports.equals("polling") ? "b1" : "b2");
      JsonNode r =
          Processes.node("metadata.js", "http://127.0.0.1:" + port, transports, call, watch);

      Processes.assertJson(r.get("get"), "{\"id\":1,\"name\":\"task1\"}");
      Processes.assertJson(r.get("watch"), "{}");
      Processes.assertJson(r.get("cancel"), "{}");
      // The handshake's authorization, not the call's; no cookie; other strings as sent, lower
      // case;
      // the number left out.
      assertThat(List.copyOf(seen))
          .as(transports)
          .containsExactly(
              new Seen("get", call, "Bearer handshake", null, "extra", null),
              new Seen("watchTasks", watch, "Bearer handshake", null, null, null));
    }
    await(() -> server.openStreams() == 0, "no stream left");
  }

  @Test
  @Interop
  void python_theObjectAfterTheRequestIsTheCallsMetadata() throws Exception {
    int port = start();
    String call = traceparent("c1");
    String watch = traceparent("c2");
    JsonNode r =
        Processes.python("metadata.py", "http://127.0.0.1:" + port, "websocket", call, watch);

    Processes.assertJson(r.get("get"), "{\"id\":1,\"name\":\"task1\"}");
    Processes.assertJson(r.get("watch"), "{}");
    Processes.assertJson(r.get("cancel"), "{}");
    assertThat(List.copyOf(seen))
        .containsExactly(
            new Seen("get", call, null, null, null, null),
            new Seen("watchTasks", watch, null, null, null, null));
    await(() -> server.openStreams() == 0, "no stream left");
  }

  /** A W3C traceparent whose trace id ends with {@code tag}. */
  private static String traceparent(String tag) {
    return "00-" + "0".repeat(30) + tag + "-00f067aa0ba902b7-01";
  }
}
