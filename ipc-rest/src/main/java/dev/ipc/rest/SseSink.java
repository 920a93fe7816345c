package dev.ipc.rest;

import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.StreamHandle;
import dev.ipc.core.spi.StreamSink;
import dev.ipc.http.internal.EventWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes one streaming call as Server-Sent Events: each value as {@code id: <id>} and {@code data:}
 * its JSON (as a unary answer encodes it, no event name, so a browser's {@code
 * EventSource.onmessage} gets it); an error as {@code event: error} with {@code
 * {"code":..,"message":..}}, then the end of the response; completion as the end of the response.
 *
 * <p>The stream opens (on the handler's thread) before the response's writer exists: until {@link
 * #attach} the sink says it is not ready, so the server holds values in its bounded buffer, and an
 * end that comes meanwhile is applied on attach.
 */
final class SseSink implements StreamSink {
  private final Operation<?, ?, ?> operation;
  private StreamHandle handle; // guarded by this
  private EventWriter writer; // guarded by this
  private ServiceException pendingError; // guarded by this
  private boolean pendingComplete; // guarded by this

  SseSink(Operation<?, ?, ?> operation) {
    this.operation = operation;
  }

  /** The stream is open: {@code handle} is told when the client leaves or can take more. */
  synchronized void opened(StreamHandle handle) {
    this.handle = handle;
  }

  /** The response's head is queued: values may flow. */
  void attach(EventWriter w) {
    StreamHandle h;
    ServiceException error;
    boolean complete;
    synchronized (this) {
      writer = w;
      h = handle;
      error = pendingError;
      complete = pendingComplete;
    }
    w.onClose(h::cancel);
    w.onWritable(h::ready);
    if (error != null) {
      writeError(w, error);
    } else if (complete) {
      w.end();
    } else {
      h.ready();
    }
  }

  private synchronized EventWriter writer() {
    return writer;
  }

  @Override
  public boolean isReady() {
    EventWriter w = writer();
    return w != null && w.isWritable();
  }

  @Override
  public void next(long id, Object value) {
    String json = new String(JsonCodec.encode(operation.output(), value), StandardCharsets.UTF_8);
    writer().send(null, Long.toString(id), json);
  }

  @Override
  public void error(ServiceException error) {
    EventWriter w;
    synchronized (this) {
      w = writer;
      if (w == null) {
        pendingError = error;
        return;
      }
    }
    writeError(w, error);
  }

  private static void writeError(EventWriter w, ServiceException error) {
    com.fasterxml.jackson.databind.node.ObjectNode body = JsonCodec.MAPPER.createObjectNode();
    body.put("code", error.code().name());
    body.put("message", error.getMessage());
    w.send("error", null, body.toString());
    w.end();
  }

  @Override
  public void complete() {
    EventWriter w;
    synchronized (this) {
      w = writer;
      if (w == null) {
        pendingComplete = true;
        return;
      }
    }
    w.end();
  }
}
