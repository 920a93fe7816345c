package dev.ipc.grpc;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves one streaming operation as gRPC server streaming: takes the request on the transport
 * thread, opens the stream on the executor (authentication, roles and interceptors run there, as
 * for a unary call), then writes what the server streams as messages. gRPC's own flow control is
 * the sink's readiness, so a caller that stops reading fills the server's bounded per-stream buffer
 * and is ended with RESOURCE_EXHAUSTED instead of growing memory here.
 */
final class StreamHandler implements ServerCallHandler<Object, Object> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(StreamHandler.class);

  private final BoundOperation operation;
  private final ProtoCodec output;
  private final Executor executor;
  private final CallTracker tracker;
  private final boolean clientCertificates;

  StreamHandler(
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

  /**
   * One call. Everything sent on the {@link ServerCall} goes through {@link #lock}: the executor
   * thread that opens the stream sends the headers while the server's threads may already write
   * values, and a ServerCall takes one caller at a time. Each send only queues bytes for Netty, so
   * the lock is never held while waiting.
   */
  private final class Listener extends ServerCall.Listener<Object> implements StreamSink {
    private final ServerCall<Object, Object> call;
    private final Metadata headers;
    private final Context context;
    private final Object lock = new Object();
    private final AtomicBoolean counted = new AtomicBoolean();
    private Object request;
    private int messages;

    /**
     * What interceptors and the service added for the answer; written before any value is streamed.
     */
    private volatile dev.ipc.core.Metadata responseMetadata = dev.ipc.core.Metadata.EMPTY;

    /**
     * Set once the stream is open; ready and cancel signals before that are replayed by {@link
     * #open}.
     */
    private volatile StreamHandle handle;

    private volatile boolean cancelled;
    // Guarded by lock.
    private boolean headersSent;
    private boolean closed;

    Listener(ServerCall<Object, Object> call, Metadata headers, Context context) {
      this.call = call;
      this.headers = headers;
      this.context = context;
    }

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
      // Counted before the check, as a unary call is: a close that began cannot miss this stream.
      counted.set(true);
      tracker.enter();
      if (tracker.isClosing()) {
        fail(new ServiceException(ErrorCode.UNAVAILABLE, "server is shutting down"));
        exit();
        return;
      }
      try {
        executor.execute(this::open);
      } catch (RejectedExecutionException e) {
        fail(new ServiceException(ErrorCode.RESOURCE_EXHAUSTED, "server is busy; retry later"));
        exit();
      }
    }

    private void open() {
      if (cancelled || context.isCancelled()) {
        // The caller left (or its deadline passed) while the call waited: open nothing.
        exit();
        return;
      }
      StreamHandle h;
      try {
        h = operation.stream(request, source(), m -> responseMetadata = m, this);
      } catch (RuntimeException e) {
        fail(ServiceException.from(e));
        exit();
        return;
      }
      handle = h;
      if (cancelled) {
        h.cancel();
        return;
      }
      synchronized (lock) {
        // Headers now, so the caller knows the subscription is open before the first value comes.
        sendHeaders();
      }
      // A readiness change before the handle was set had no one to tell.
      h.ready();
    }

    /**
     * Sends the response headers once, with what interceptors and the service added. Holds lock.
     */
    private void sendHeaders() {
      if (headersSent || closed) {
        return;
      }
      Metadata h = new Metadata();
      GrpcMetadata.toResponse(responseMetadata, h);
      call.sendHeaders(h);
      headersSent = true;
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void next(long id, Object value) {
      // Encoded outside the lock, and before anything is sent: a value the schema cannot hold ends
      // the
      // stream INTERNAL here, where inside sendMessage gRPC would make it UNKNOWN.
      CodecMarshaller.Encoded encoded;
      try {
        encoded = new CodecMarshaller.Encoded(output.encode(value));
      } catch (RuntimeException e) {
        error(ServiceException.from(e));
        throw e;
      }
      synchronized (lock) {
        if (closed || cancelled) {
          return;
        }
        sendHeaders();
        call.sendMessage(encoded);
      }
    }

    @Override
    public void error(ServiceException error) {
      try {
        fail(error);
      } finally {
        exit();
      }
    }

    @Override
    public void complete() {
      try {
        synchronized (lock) {
          if (closed || cancelled) {
            return;
          }
          sendHeaders();
          closed = true;
          call.close(Status.OK, new Metadata());
        }
      } catch (RuntimeException e) {
        LOG.debug("ending the stream of {} failed; the call is gone", operation.operation(), e);
      } finally {
        exit();
      }
    }

    @Override
    public void onReady() {
      StreamHandle h = handle;
      if (h != null) {
        h.ready();
      }
    }

    @Override
    public void onCancel() {
      cancelled = true;
      StreamHandle h = handle;
      if (h != null) {
        h.cancel();
      }
      exit();
    }

    @Override
    public void onComplete() {
      // Closed and the status sent: nothing is in flight any more, whichever way it ended.
      exit();
    }

    /**
     * Closes the call with the status of {@code e}, once; the metadata goes where headers did not.
     */
    private void fail(ServiceException e) {
      synchronized (lock) {
        if (closed || cancelled) {
          return;
        }
        closed = true;
        Metadata trailers = new Metadata();
        if (!headersSent) {
          // Trailers-only: what the call added goes with them.
          GrpcMetadata.toResponse(responseMetadata, trailers);
        }
        try {
          call.close(GrpcStatuses.toStatus(e, trailers), trailers);
        } catch (RuntimeException again) {
          LOG.debug(
              "failing the stream of {} failed; the call is gone", operation.operation(), again);
        }
      }
    }

    /** Leaves the tracker once, however the call ended. */
    private void exit() {
      if (counted.compareAndSet(true, false)) {
        tracker.exit();
      }
    }
  }
}
