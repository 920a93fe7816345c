package dev.ipc.opentelemetry;

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
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * OpenTelemetry traces for every call, the same on every transport. On the server it is an {@link
 * Interceptor}: it continues the trace the caller sent (W3C {@code traceparent} and {@code
 * tracestate}, from gRPC metadata, HTTP headers, the Socket.IO handshake) with one SERVER span per
 * call, current while the service runs, so whatever the service calls next joins the trace. On the
 * client, {@link #client} wraps a {@link Client}: one CLIENT span per call, sent along as {@code
 * traceparent}.
 *
 * <p>Spans are named {@code service/operation} and carry the RPC semantic-convention attributes
 * ({@code rpc.system}, {@code rpc.service}, {@code rpc.method}, {@code server.address} / {@code
 * client.address}) plus {@code ipc.transport} and {@code ipc.code}. Only the API is used here; the
 * host brings the SDK and its exporter. Thread-safe.
 */
public final class IpcTracing implements Interceptor {
  private static final String SCOPE = "dev.ipc";
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("ipc.transport");
  private static final AttributeKey<String> CODE = AttributeKey.stringKey("ipc.code");
  private static final AttributeKey<String> CLIENT_ADDRESS =
      AttributeKey.stringKey("client.address");

  /**
   * Codes that are the server's own failure; the others are the caller's, and leave the span unset.
   */
  private static final Set<ErrorCode> SERVER_FAULTS =
      Set.of(ErrorCode.INTERNAL, ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED);

  private static final TextMapGetter<Metadata> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
          return carrier.names();
        }

        @Override
        public String get(Metadata carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private IpcTracing(OpenTelemetry otel) {
    this.tracer = otel.getTracer(SCOPE);
    this.propagator = otel.getPropagators().getTextMapPropagator();
  }

  /** Returns server-side tracing with {@code otel}'s tracer and propagators. */
  public static IpcTracing of(OpenTelemetry otel) {
    return new IpcTracing(requireNonNull(otel, "otel"));
  }

  /**
   * Returns a view of {@code client} that starts a CLIENT span per call and sends its context
   * along.
   */
  public static Client client(Client client, OpenTelemetry otel) {
    return new TracedClient(
        requireNonNull(client, "client"), new IpcTracing(requireNonNull(otel, "otel")));
  }

  @Override
  public Reply intercept(CallContext context, Object request, Next next) {
    Context parent = propagator.extract(Context.root(), context.metadata(), GETTER);
    Operation<?, ?, ?> op = context.operation();
    Span span =
        tracer
            .spanBuilder(op.service() + "/" + op.name())
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(RPC_SYSTEM, rpcSystem(context.transport()))
            .setAttribute(RPC_SERVICE, op.service())
            .setAttribute(RPC_METHOD, op.name())
            .setAttribute(TRANSPORT, context.transport())
            .startSpan();
    InetSocketAddress peer = context.peer();
    if (peer != null && peer.getAddress() != null) {
      span.setAttribute(CLIENT_ADDRESS, peer.getAddress().getHostAddress());
    }
    try (Scope ignored = span.makeCurrent()) {
      Reply reply = next.proceed(request);
      span.setAttribute(CODE, "OK");
      return reply;
    } catch (ServiceException e) {
      end(span, e.code());
      throw e;
    } catch (RuntimeException | Error e) {
      span.recordException(e);
      end(span, ErrorCode.INTERNAL);
      throw e;
    } finally {
      span.end();
    }
  }

  private static void end(Span span, ErrorCode code) {
    span.setAttribute(CODE, code.name());
    if (SERVER_FAULTS.contains(code)) {
      // Never the message: it may carry what the caller sent.
      span.setStatus(StatusCode.ERROR, code.name());
    }
  }

  private static String rpcSystem(String transport) {
    return transport.equals("grpc") ? "grpc" : "ipc";
  }

  /** A client that traces its calls and sends the trace along as metadata. */
  private static final class TracedClient implements Client {
    private final Client client;
    private final IpcTracing tracing;

    TracedClient(Client client, IpcTracing tracing) {
      this.client = client;
      this.tracing = tracing;
    }

    @Override
    public Reply call(Operation<?, ?, ?> operation, Object request) {
      return call(operation, request, Metadata.EMPTY);
    }

    @Override
    public Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
      Span span =
          tracing
              .tracer
              .spanBuilder(operation.service() + "/" + operation.name())
              .setSpanKind(SpanKind.CLIENT)
              .setAttribute(RPC_SERVICE, operation.service())
              .setAttribute(RPC_METHOD, operation.name())
              .startSpan();
      try (Scope ignored = span.makeCurrent()) {
        Metadata.Builder sent = metadata.toBuilder();
        tracing.propagator.inject(Context.current(), sent, Metadata.Builder::set);
        Reply reply = client.call(operation, request, sent.build());
        span.setAttribute(CODE, "OK");
        return reply;
      } catch (ServiceException e) {
        end(span, e.code());
        throw e;
      } catch (TransportException e) {
        span.setAttribute(CODE, "TRANSPORT");
        span.setStatus(StatusCode.ERROR, "no answer");
        throw e;
      } finally {
        span.end();
      }
    }

    @Override
    public void close() {
      client.close();
    }

    @Override
    public String toString() {
      return client + " (traced)";
    }
  }
}
