package dev.ipc.graphql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.TransportException;
import dev.ipc.core.spi.RemoteStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One subscription of {@link GraphqlClient}: its own WebSocket to {@code /graphql} speaking
 * {@code graphql-transport-ws}, {@code connection_init} (with the caller's {@code Authorization} in its
 * payload), {@code subscribe} once acknowledged, each {@code next} to the emitter, {@code error} as a
 * {@link dev.ipc.core.ServiceException} with the code of {@code extensions.code}, {@code complete} as
 * the end. Cancelling sends {@code complete} for the subscription and closes the socket, which ends the
 * stream on the server. Every message is read as it comes: the {@link RemoteStream} in front of it
 * bounds what waits for a slow subscriber.
 */
final class WsSubscription implements WebSocket.Listener {
  private static final String ID = "1";

  private final ObjectMapper json;
  private final RemoteStream.Emitter emitter;
  private final Map<String, Object> init;
  private final Map<String, Object> subscribe;
  private final Function<JsonNode, Object> value;
  private final Function<JsonNode, RuntimeException> error;
  private final StringBuilder text = new StringBuilder();
  // Guarded by this.
  private WebSocket socket;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  private boolean ended;

  /**
   * @param init the {@code connection_init} payload (may be empty)
   * @param query the document, {@code variables} its variables
   * @param value reads a value from {@code next}'s {@code data}
   * @param error turns an error object into the exception to end with
   */
  WsSubscription(
      ObjectMapper json,
      RemoteStream.Emitter emitter,
      Map<String, Object> init,
      String query,
      Map<String, Object> variables,
      Function<JsonNode, Object> value,
      Function<JsonNode, RuntimeException> error) {
    this.json = json;
    this.emitter = emitter;
    this.init = init;
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("query", query);
    payload.put("variables", variables);
    this.subscribe = new LinkedHashMap<>();
    subscribe.put("id", ID);
    subscribe.put("type", "subscribe");
    subscribe.put("payload", payload);
    this.value = value;
    this.error = error;
  }

  /** Connects; returns what cancels the subscription. */
  Runnable open(HttpClient http, URI uri, Map<String, String> headers, Duration timeout) {
    WebSocket.Builder b = http.newWebSocketBuilder().subprotocols(GraphqlWsSession.SUBPROTOCOL).connectTimeout(timeout);
    headers.forEach(b::header);
    b.buildAsync(uri, this)
        .whenComplete(
            (ws, failure) -> {
              if (failure != null) {
                fail(new TransportException("cannot open a WebSocket to " + uri + ": " + cause(failure), failure));
              }
            });
    return this::cancel;
  }

  @Override
  public void onOpen(WebSocket ws) {
    boolean cancelled;
    synchronized (this) {
      socket = ws;
      cancelled = ended;
    }
    if (cancelled) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
      return;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "connection_init");
    if (!init.isEmpty()) {
      m.put("payload", init);
    }
    send(m);
    ws.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      String message = text.toString();
      text.setLength(0);
      handle(message);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
    fail(new TransportException("a binary message on a graphql-transport-ws socket"));
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
    // The server ends a subscription with complete or error first; a close without them is no answer.
    fail(new TransportException("the GraphQL WebSocket closed: " + status + (reason.isEmpty() ? "" : " " + reason)));
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable failure) {
    fail(new TransportException("the GraphQL WebSocket failed: " + cause(failure), failure));
  }

  private void handle(String message) {
    JsonNode m;
    try {
      m = json.readTree(message);
    } catch (java.io.IOException e) {
      fail(new TransportException("malformed message on the GraphQL WebSocket"));
      return;
    }
    String type = m.path("type").asText("");
    switch (type) {
      case "connection_ack" -> send(subscribe);
      case "ping" -> send(Map.of("type", "pong"));
      case "pong" -> {}
      case "next" -> {
        if (!ID.equals(m.path("id").asText())) {
          return;
        }
        JsonNode errors = m.path("payload").path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
          end(error.apply(errors.get(0)));
          return;
        }
        Object v;
        try {
          v = value.apply(m.path("payload").path("data"));
        } catch (RuntimeException e) {
          end(e);
          return;
        }
        synchronized (this) {
          if (ended) {
            return;
          }
        }
        emitter.next(v);
      }
      case "error" -> {
        JsonNode errors = m.path("payload");
        end(
            errors.isArray() && !errors.isEmpty()
                ? error.apply(errors.get(0))
                : new TransportException("an error without errors on the GraphQL WebSocket"));
      }
      case "complete" -> {
        if (finish()) {
          emitter.complete();
        }
      }
      default -> fail(new TransportException("unexpected message on the GraphQL WebSocket"));
    }
  }

  /** Ends with {@code e} and closes the socket. */
  private void end(RuntimeException e) {
    if (finish()) {
      emitter.error(e);
    }
  }

  private void fail(RuntimeException e) {
    end(e);
  }

  /** The client closed: the subscription ends with no answer. */
  void abort() {
    fail(new TransportException("the GraphQL client closed"));
  }

  /** The subscriber cancelled: tell the server, then close. */
  private void cancel() {
    WebSocket ws;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      ws = socket;
    }
    if (ws != null) {
      send(Map.of("id", ID, "type", "complete"));
      close(ws);
    }
  }

  /** Marks the subscription ended and closes the socket; false if it had ended already. */
  private boolean finish() {
    WebSocket ws;
    synchronized (this) {
      if (ended) {
        return false;
      }
      ended = true;
      ws = socket;
    }
    if (ws != null) {
      close(ws);
    }
    return true;
  }

  private void close(WebSocket ws) {
    synchronized (this) {
      sending =
          sending.handle((r, t) -> null)
              .thenCompose(v -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""))
              .whenComplete((r, t) -> ws.abort());
    }
  }

  /** Sends one message after those before it (a WebSocket takes one send at a time). */
  private void send(Object message) {
    String text;
    try {
      text = json.writeValueAsString(message);
    } catch (java.io.IOException e) {
      fail(new IllegalArgumentException("request: cannot be written as JSON", e));
      return;
    }
    synchronized (this) {
      WebSocket ws = socket;
      if (ws == null || ws.isOutputClosed()) {
        return;
      }
      sending = sending.handle((r, t) -> null).thenCompose(v -> ws.sendText(text, true));
    }
  }

  private static String cause(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return String.valueOf(c);
  }
}
