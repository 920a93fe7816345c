package dev.ipc.grpc;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.CallSource;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves one unary operation: takes the decoded request on the transport thread, then runs the
 * service on the executor (never on a Netty event loop) and answers with the reply or the mapped
 * status.
 */
final class UnaryHandler implements ServerCallHandler<Object, Object> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnaryHandler.class);

  private final BoundOperation operation;
  private final ProtoCodec output;
  private final Executor executor;
  private final CallTracker tracker;
  private final boolean clientCertificates;

  /**
   * @param clientCertificates whether the server asks for TLS client certificates, so each call
   *     reads the chain from the TLS session
   */
  UnaryHandler(
      BoundOperation operation,
      ProtoCodec output,
      Executor executor,
      CallTracker tracker,
      boolean clientCertificates) {
    this.operation = operation;
    this.output = output;
    this.executor = executor;
    this.tracker = tracker;
    this.clientCertificates = clientCertificates;
  }

  @Override
  public ServerCall.Listener<Object> startCall(ServerCall<Object, Object> call, Metadata headers) {
    // Two, so a second request message is seen and refused instead of left unread.
    call.request(2);
    return new Listener(call, headers, Context.current());
  }

  private final class Listener extends ServerCall.Listener<Object> {
    private final ServerCall<Object, Object> call;
    private final Metadata headers;
    private final Context context;
    private Object request;
    private int messages;

    /** What interceptors and the service added for the answer; written by the call's thread. */
    private dev.ipc.core.Metadata responseMetadata = dev.ipc.core.Metadata.EMPTY;

    Listener(ServerCall<Object, Object> call, Metadata headers, Context context) {
      this.call = call;
      this.headers = headers;
      this.context = context;
    }

    /** Returns where the call comes from: its metadata, peer, deadline and TLS client chain. */
    private CallSource source() {
      return GrpcMetadata.source(call, headers, context, clientCertificates);
    }

    @Override
    public void onMessage(Object message) {
      if (messages++ == 0) {
        request = message;
      }
    }

    @Override
    public void onHalfClose() {
      if (messages != 1) {
        // gRPC's own unary handlers answer a wrong message count like this.
        call.close(
            Status.INTERNAL.withDescription(
                messages == 0 ? "Half-closed without a request" : "Too many requests"),
            new Metadata());
        return;
      }
      if (request instanceof CodecMarshaller.Malformed m) {
        fail(m.error());
        return;
      }
      // Counted before the check: a close that saw no call in flight has already set closing, so
      // this
      // call is refused instead of slipping past the drain and being cut off mid-answer.
      tracker.enter();
      if (tracker.isClosing()) {
        tracker.exit();
        fail(new ServiceException(ErrorCode.UNAVAILABLE, "server is shutting down"));
        return;
      }
      try {
        executor.execute(this::invoke);
      } catch (RejectedExecutionException e) {
        tracker.exit();
        fail(new ServiceException(ErrorCode.RESOURCE_EXHAUSTED, "server is busy; retry later"));
      }
    }

    private void invoke() {
      try {
        if (context.isCancelled()) {
          // The deadline passed or the client gave up while the call waited: do no work.
          Status status =
              context.getDeadline() != null && context.getDeadline().isExpired()
                  ? Status.DEADLINE_EXCEEDED.withDescription(
                      "deadline exceeded before the call started")
                  : Status.CANCELLED.withDescription("call cancelled before it started");
          call.close(status, new Metadata());
          return;
        }
        Reply reply;
        CodecMarshaller.Encoded answer;
        try {
          reply = operation.call(request, source(), m -> responseMetadata = m);
          // Encoded here, while a failure (a reply the schema cannot hold, say a null list element)
          // is
          // still ours to answer INTERNAL; inside sendMessage gRPC would make it UNKNOWN or
          // CANCELLED.
          answer = new CodecMarshaller.Encoded(output.encode(reply.value()));
        } catch (RuntimeException e) {
          fail(ServiceException.from(e));
          return;
        }
        Metadata trailers = new Metadata();
        if (reply.created()) {
          trailers.put(GrpcStatuses.CREATED_KEY, "true");
        }
        Metadata responseHeaders = new Metadata();
        GrpcMetadata.toResponse(responseMetadata, responseHeaders);
        responseMetadata = dev.ipc.core.Metadata.EMPTY;
        call.sendHeaders(responseHeaders);
        call.sendMessage(answer);
        call.close(Status.OK, trailers);
      } catch (RuntimeException e) {
        LOG.warn("answering {} failed", operation.operation(), e);
        try {
          fail(ServiceException.from(e));
        } catch (RuntimeException again) {
          // The call is already closed (cancelled, or closed while answering); nothing left to
          // send.
        }
      } finally {
        tracker.exit();
      }
    }

    private void fail(ServiceException e) {
      Metadata trailers = new Metadata();
      // No headers were sent: the answer is trailers-only, so what the call added goes with them.
      GrpcMetadata.toResponse(responseMetadata, trailers);
      call.close(GrpcStatuses.toStatus(e, trailers), trailers);
    }
  }
}
