package dev.ipc.grpc;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Client;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RemoteStream;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * Calls described services on a gRPC server: {@code GrpcClient.of("localhost",
 * 6666).service(descriptor)} implements the descriptor's interface over its {@code .proto}
 * contract. Every call has a deadline; a service error comes back as {@link ServiceException} with
 * the server's code, and no answer (refused, timed out, garbage) as {@link TransportException}. A
 * streaming operation answers a {@link java.util.concurrent.Flow.Publisher} that opens one server
 * stream per subscriber (no deadline; cancelling the subscription cancels the call, which ends the
 * stream on the server); a subscriber more than 256 values behind is ended with RESOURCE_EXHAUSTED.
 *
 * <p>Plaintext by default; {@link Builder#tls}, {@link Builder#ca}, {@link Builder#cert} and {@link
 * Builder#key} (URI options {@code tls=true}, {@code ca=}, {@code cert=}, {@code key=}) make it
 * TLS. Metadata goes with a call through {@link #call(Operation, Object, dev.ipc.core.Metadata)},
 * or with every call of a view: {@code client.withBearerToken(token).service(MyService.class)}.
 *
 * <p>Thread-safe; one HTTP/2 connection is shared by all calls. Share one client per server and
 * close it when done.
 */
public final class GrpcClient implements Client {
  /** The default deadline of one call: every client's, {@link ClientBuilder#DEFAULT_TIMEOUT}. */
  public static final Duration DEFAULT_TIMEOUT = ClientBuilder.DEFAULT_TIMEOUT;

  private final ManagedChannel channel;
  private final String target;
  private final long timeoutNanos;

  /**
   * How many streamed values one subscriber may leave unread before its stream ends
   * RESOURCE_EXHAUSTED.
   */
  static final int STREAM_BUFFER = 256;

  private final Map<Operation<?, ?, ?>, Method> methods = new ConcurrentHashMap<>();

  /** Runs stream listeners (and so subscribers' onNext); threads come and go with the streams. */
  private final ExecutorService streamExecutor;

  GrpcClient(Builder b) {
    this.target = b.host() + ":" + b.port();
    this.timeoutNanos = b.timeout().toNanos();
    NettyChannelBuilder channelBuilder =
        NettyChannelBuilder.forAddress(b.host(), b.port())
            // The listener only completes a future; no need to hop to another thread for that.
            .directExecutor()
            .maxInboundMessageSize(b.maxInboundMessageSize);
    if (b.tls()) {
      channelBuilder.useTransportSecurity().sslContext(sslContext(b));
    } else {
      channelBuilder.usePlaintext();
    }
    this.channel = channelBuilder.build();
    AtomicInteger threads = new AtomicInteger();
    this.streamExecutor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "ipc-grpc-stream-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Returns the client's TLS engine: the JDK's trust or the given CA, and a client certificate if
   * set.
   */
  private static io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext(Builder b) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      if (b.ca() != null) {
        ssl.trustManager(b.ca().toFile());
      }
      if (b.cert() != null) {
        ssl.keyManager(b.cert().toFile(), b.key().toFile());
      }
      return ssl.build();
    } catch (IllegalArgumentException | SSLException e) {
      throw new IllegalArgumentException(
          "TLS"
              + (b.ca() != null ? " trusting " + b.ca() : "")
              + (b.cert() != null ? " with certificate " + b.cert() + " and key " + b.key() : "")
              + " failed (expected: PEM files, the key unencrypted PKCS#8): "
              + e.getMessage(),
          e);
    }
  }

  /** Returns a client of the server at {@code host}:{@code port} with the default timeout. */
  public static GrpcClient of(String host, int port) {
    return builder().target(host, port).build();
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request) {
    return call(operation, request, dev.ipc.core.Metadata.EMPTY);
  }

  /**
   * Calls {@code operation} with {@code metadata} sent as the call's gRPC metadata (ASCII keys; an
   * {@code authorization} value reaches the server's authentication).
   *
   * @throws IllegalArgumentException if a key cannot be sent as ASCII metadata ({@code -bin},
   *     {@code grpc-*}, characters outside a-z 0-9 - _ .) or a value is not printable ASCII
   */
  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request, dev.ipc.core.Metadata metadata) {
    requireNonNull(operation, "operation");
    requireNonNull(request, "request");
    requireNonNull(metadata, "metadata");
    Metadata headers = metadata.isEmpty() ? new Metadata() : GrpcMetadata.toRequest(metadata);
    Method m = methods.computeIfAbsent(operation, GrpcClient::method);
    MethodDescriptor<Object, Object> method = m.descriptor();
    // Encoded before the call starts: a value protobuf cannot carry (a timestamp past year 9999) is
    // the
    // caller's INVALID_ARGUMENT, where failing inside gRPC's sendMessage would look like a
    // transport error.
    CodecMarshaller.Encoded encoded = new CodecMarshaller.Encoded(m.input().encode(request));
    if (operation.streaming()) {
      return Reply.of(
          new RemoteStream<>(
              STREAM_BUFFER, emitter -> openStream(method, encoded, headers, emitter)));
    }
    ClientCall<Object, Object> call =
        channel.newCall(
            method, CallOptions.DEFAULT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS));
    Answer answer = new Answer();
    try {
      call.start(answer, headers);
      call.request(2);
      call.sendMessage(encoded);
      call.halfClose();
    } catch (RuntimeException e) {
      call.cancel("client failed to send", e);
      throw new TransportException(
          "gRPC call /" + method.getFullMethodName() + " to " + target + " failed to send", e);
    }
    try {
      return answer.get();
    } catch (InterruptedException e) {
      call.cancel("interrupted", e);
      Thread.currentThread().interrupt();
      throw new TransportException("gRPC call /" + method.getFullMethodName() + " interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Failed f) {
        throw GrpcStatuses.toException(
            "/" + method.getFullMethodName() + " to " + target, f.status, f.trailers);
      }
      throw new TransportException("gRPC call /" + method.getFullMethodName() + " failed", cause);
    }
  }

  /**
   * Opens one server-streaming call for one subscriber and returns what cancels it. Flow control:
   * one message is asked for at a time and the next as soon as it is handed to the {@link
   * RemoteStream}, whose bounded buffer (not gRPC's) is where a subscriber that does not keep up is
   * caught: the Emitter does not say when the subscriber drains, and asking only then would leave a
   * subscriber that never reads holding the server's stream open instead of ending it with
   * RESOURCE_EXHAUSTED. No deadline: a stream lasts until cancelled, the server closes it, or the
   * connection goes.
   */
  private Runnable openStream(
      MethodDescriptor<Object, Object> method,
      CodecMarshaller.Encoded encoded,
      Metadata headers,
      RemoteStream.Emitter emitter) {
    // Values reach the subscriber on the listener's thread: an executor of our own, not the event
    // loop,
    // so a subscriber that calls this client from onNext (or blocks) cannot stall the connection.
    ClientCall<Object, Object> call =
        channel.newCall(method, CallOptions.DEFAULT.withExecutor(streamExecutor));
    Metadata callHeaders = new Metadata();
    // gRPC adds its own keys to the headers it starts with: a copy per call, for subscribers to
    // come.
    callHeaders.merge(headers);
    try {
      call.start(new Stream(call, method.getFullMethodName(), emitter), callHeaders);
      call.request(1);
      call.sendMessage(encoded);
      call.halfClose();
    } catch (RuntimeException e) {
      call.cancel("client failed to send", e);
      throw new TransportException(
          "gRPC call /" + method.getFullMethodName() + " to " + target + " failed to send", e);
    }
    // RemoteStream runs this at most once, after this method returned: it never overlaps start.
    return () -> call.cancel("cancelled by the subscriber", null);
  }

  /**
   * Describes an operation's method from the model alone: its request and answer are encoded
   * through their {@link dev.ipc.core.model.RecordType}s' fields, whatever Java value carries them.
   */
  private static Method method(Operation<?, ?, ?> op) {
    ProtoCodec input = ProtoCodec.of(op.input());
    MethodDescriptor<Object, Object> descriptor =
        MethodDescriptor.newBuilder(
                CodecMarshaller.forClient(input),
                CodecMarshaller.forClient(GrpcServer.outputCodec(op)))
            .setType(GrpcServer.methodType(op))
            .setFullMethodName(
                MethodDescriptor.generateFullMethodName(op.grpcService(), op.grpcMethod()))
            .setIdempotent(op.kind() == Operation.Kind.QUERY)
            .build();
    return new Method(descriptor, input);
  }

  /** An operation's gRPC method and the codec of its request. */
  private record Method(MethodDescriptor<Object, Object> descriptor, ProtoCodec input) {}

  /**
   * Closes the connection; calls in progress fail with {@link TransportException}, and open streams
   * end with UNAVAILABLE. Idempotent.
   */
  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // After the channel: the streams' last signals (their end) are queued by then and still run.
    streamExecutor.shutdown();
  }

  @Override
  public String toString() {
    return "GrpcClient{" + target + '}';
  }

  /** Hands one stream's messages and end to its subscriber's {@link RemoteStream}. */
  private final class Stream extends ClientCall.Listener<Object> {
    private final ClientCall<Object, Object> call;
    private final String method;
    private final RemoteStream.Emitter emitter;

    Stream(ClientCall<Object, Object> call, String method, RemoteStream.Emitter emitter) {
      this.call = call;
      this.method = method;
      this.emitter = emitter;
    }

    @Override
    public void onMessage(Object message) {
      emitter.next(message);
      call.request(1);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (status.isOk()) {
        emitter.complete();
      } else {
        emitter.error(GrpcStatuses.toException("/" + method + " to " + target, status, trailers));
      }
    }
  }

  /** Collects one unary answer. */
  private static final class Answer extends ClientCall.Listener<Object> {
    private final CompletableFuture<Reply> result = new CompletableFuture<>();
    private Object value;

    @Override
    public void onMessage(Object message) {
      value = message;
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (status.isOk() && value != null) {
        result.complete(Reply.of(value, "true".equals(trailers.get(GrpcStatuses.CREATED_KEY))));
      } else if (status.isOk()) {
        result.completeExceptionally(
            new Failed(Status.INTERNAL.withDescription("no response message"), trailers));
      } else {
        result.completeExceptionally(new Failed(status, trailers));
      }
    }

    Reply get() throws InterruptedException, ExecutionException {
      return result.get();
    }
  }

  /** Carries a failed call's status from the listener to the caller. */
  private static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Status status;
    private final transient Metadata trailers;

    Failed(Status status, Metadata trailers) {
      super(status.toString(), null, false, false);
      this.status = status;
      this.trailers = trailers;
    }
  }

  /**
   * Configures a {@link GrpcClient}: the server, TLS and timeout as every client's builder has them
   * ({@link ClientBuilder}), and the largest response message. Not thread-safe.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private int maxInboundMessageSize = GrpcTransport.DEFAULT_MAX_MESSAGE_BYTES;

    Builder() {}

    /** Sets the largest response message accepted, in bytes (default 4 MiB). */
    public Builder maxMessageBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("bytes: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /**
     * Sets the largest response message accepted.
     *
     * @deprecated use {@link #maxMessageBytes(int)}, the name every transport and client uses
     */
    @Deprecated
    public Builder maxInboundMessageSize(int bytes) {
      return maxMessageBytes(bytes);
    }

    /**
     * Binds the URI options beside {@code timeout}, {@code tls}, {@code ca}, {@code cert} and
     * {@code key}: {@code maxMessageBytes} (the deprecated {@code maxInboundMessageSize} still
     * works).
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table
          .size("maxMessageBytes", this::maxMessageBytes)
          .alias("maxInboundMessageSize", "maxMessageBytes");
    }

    /**
     * Returns the client; it connects on the first call.
     *
     * @throws IllegalStateException if no target was set, or only one of cert and key
     * @throws IllegalArgumentException if {@code tls(false)} was set with a CA or a certificate, or
     *     the PEM files cannot be read
     */
    public GrpcClient build() {
      if (host() == null) {
        throw new IllegalStateException("target(host, port) not set");
      }
      if ((cert() == null) != (key() == null)) {
        throw new IllegalStateException("cert and key (expected: both, or neither)");
      }
      if (tlsRefused() && tls()) {
        throw new IllegalArgumentException("tls: false (expected: true, or no ca, cert and key)");
      }
      return new GrpcClient(this);
    }
  }
}
