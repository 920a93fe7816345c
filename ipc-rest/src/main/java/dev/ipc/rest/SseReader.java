package dev.ipc.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.RemoteStream;
import dev.ipc.http.internal.HttpClientPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one Server-Sent Events response for {@link RestClient} as it arrives (on the client's event
 * loop), parsing the stream as the HTML standard says (lines end with CRLF, LF or CR; {@code :}
 * starts a comment; a blank line dispatches), and pushes each event into the subscriber's emitter:
 * a message's data as the operation's output, {@code event: error} as a {@link ServiceException}
 * with its code, the end of the body as completion. An answer that is not an event stream (a
 * problem, say) is read whole and becomes the error it describes.
 */
final class SseReader implements HttpClientPool.StreamListener {
  /** The most of a non-stream answer kept, to read the problem it holds. */
  private static final int MAX_PROBLEM_BYTES = 1024 * 1024;

  /**
   * The longest line accepted: far above any event this server writes, bounded against a bad peer.
   */
  private static final int MAX_LINE_BYTES = 64 * 1024 * 1024;

  private final Operation<?, ?, ?> operation;
  private final RemoteStream.Emitter emitter;
  volatile Runnable cancel;
  private int status;
  private String type = "";
  private boolean events;
  private boolean done;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final ByteArrayOutputStream other = new ByteArrayOutputStream();
  private boolean afterCr;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String event = "";

  SseReader(Operation<?, ?, ?> operation, RemoteStream.Emitter emitter) {
    this.operation = operation;
    this.emitter = emitter;
  }

  @Override
  public void onHead(HttpClientPool.Response head) {
    status = head.status();
    String t = head.header("content-type");
    type = t == null ? "" : t;
    events = status == 200 && type.startsWith("text/event-stream");
  }

  @Override
  public void onData(byte[] bytes) {
    if (done) {
      return;
    }
    if (!events) {
      if (other.size() < MAX_PROBLEM_BYTES) {
        other.write(bytes, 0, Math.min(bytes.length, MAX_PROBLEM_BYTES - other.size()));
      }
      return;
    }
    for (byte b : bytes) {
      if (done) {
        return;
      }
      if (b == '\n' && afterCr) {
        afterCr = false; // the LF of a CRLF whose CR ended the line already
        continue;
      }
      afterCr = b == '\r';
      if (b == '\r' || b == '\n') {
        line(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else if (line.size() < MAX_LINE_BYTES) {
        line.write(b);
      } else {
        fail(new TransportException("an event line longer than " + MAX_LINE_BYTES + " bytes"));
      }
    }
  }

  private void line(String l) {
    if (l.isEmpty()) {
      dispatch();
      return;
    }
    if (l.charAt(0) == ':') {
      return; // a comment: the server's heartbeat
    }
    int colon = l.indexOf(':');
    String field = colon < 0 ? l : l.substring(0, colon);
    String value = colon < 0 ? "" : l.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> event = value;
      default -> {
        // id (resuming is the caller's, through Last-Event-ID metadata), retry, unknown fields:
        // unused.
      }
    }
  }

  private void dispatch() {
    String name = event;
    String text = data.toString();
    boolean any = hasData;
    event = "";
    data.setLength(0);
    hasData = false;
    if (!any) {
      return;
    }
    try {
      JsonNode node = JsonCodec.MAPPER.readTree(text);
      if (name.isEmpty() || name.equals("message")) {
        emitter.next(JsonCodec.readRecord(operation.output(), node, "event"));
      } else if (name.equals("error")) {
        ErrorCode code = ErrorCode.UNAVAILABLE;
        JsonNode c = node.get("code");
        if (c != null && c.isTextual()) {
          try {
            code = ErrorCode.valueOf(c.textValue());
          } catch (IllegalArgumentException e) {
            // A code this client does not know.
          }
        }
        JsonNode m = node.get("message");
        done = true;
        emitter.error(
            new ServiceException(code, m != null && m.isTextual() ? m.textValue() : code.name()));
        cancel();
      }
    } catch (IOException | ServiceException e) {
      fail(
          new TransportException(
              "an event of " + operation + " does not fit its type: " + e.getMessage(), e));
    }
  }

  private void fail(TransportException e) {
    done = true;
    emitter.error(e);
    cancel();
  }

  private void cancel() {
    Runnable c = cancel;
    if (c != null) {
      c.run();
    }
  }

  @Override
  public void onEnd() {
    if (done) {
      return;
    }
    done = true;
    if (events) {
      emitter.complete();
      return;
    }
    byte[] body = other.toByteArray();
    JsonNode node;
    try {
      node = JsonCodec.MAPPER.readTree(body);
    } catch (IOException e) {
      node = null;
    }
    ServiceException problem = RestClient.problem(status, type, node);
    emitter.error(
        problem != null
            ? problem
            : new TransportException(
                "unexpected answer for "
                    + operation
                    + ": HTTP "
                    + status
                    + " "
                    + RestClient.shorten(body)));
  }

  @Override
  public void onError(IOException e) {
    if (done) {
      return;
    }
    done = true;
    emitter.error(
        new TransportException("the stream of " + operation + " failed: " + e.getMessage(), e));
  }
}
