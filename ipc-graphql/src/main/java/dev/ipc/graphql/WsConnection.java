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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One {@code graphql-transport-ws} WebSocket of {@link GraphqlClient}, shared by every subscriber
 * that sends the same metadata: the protocol multiplexes, so a burst of subscribers is one
 * handshake and one {@code connection_init} (with the caller's {@code Authorization} in its
 * payload) rather than one of each per subscriber, each racing the server's initialisation timeout.
 *
 * <p>The socket opens with its first subscriber. Each subscriber gets its own id; its {@code
 * subscribe} waits for {@code connection_ack} (queued in arrival order until then); {@code next},
 * {@code error} and {@code complete} go to the subscriber of their id; cancelling sends {@code
 * complete} for that id only. When the last subscriber ends the socket is closed at once and this
 * connection takes no more subscribers (the next one opens a new socket): an idle socket would hold
 * a place in the server's connection limit, and a subscriber's lifetime is long next to a
 * handshake. When the socket closes or fails, every subscriber on it ends with a {@link
 * TransportException} (UNAVAILABLE) naming the close code and reason.
 *
 * <p>Every message is read as it comes and handed to its subscriber's {@link RemoteStream.Emitter},
 * which never blocks: each {@link RemoteStream} bounds what waits for its own slow subscriber, so
 * one subscriber that stops reading never stops the socket for the others. Thread-safe.
 */
final class WsConnection implements WebSocket.Listener {
  /** One subscriber on the socket. */
  static final class Subscriber {
    private final RemoteStream.Emitter emitter;
    private final String payload;
    private final Function<JsonNode, Object> value;
    private final Function<JsonNode, RuntimeException> error;
    // Guarded by the connection.
    private String id;
    private boolean sent;

    /**
     * @param subscribe the {@code subscribe} payload ({@code query}, {@code variables})
     * @param value reads a value from {@code next}'s {@code data}
     * @param error turns an error object into the exception to end with
     */
    Subscriber(
        RemoteStream.Emitter emitter,
        Map<String, Object> subscribe,
        ObjectMapper json,
        Function<JsonNode, Object> value,
        Function<JsonNode, RuntimeException> error) {
      this.emitter = emitter;
      try {
        // Written now, so a payload JSON cannot carry fails the caller's subscribe, not the socket.
        this.payload = json.writeValueAsString(subscribe);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("request: cannot be written as JSON", e);
      }
      this.value = value;
      this.error = error;
    }

    /** Returns the {@code subscribe} message; the id is a decimal number, nothing to escape. */
    String subscribe() {
      return "{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"payload\":" + payload + "}";
    }
  }

  private final ObjectMapper json;
  private final URI uri;
  private final Map<String, Object> init;
  private final Runnable retired;
  private final StringBuilder text = new StringBuilder();
  // Guarded by this. In subscription order, so the subscribes queued before the ack go in that
  // order.
  private final Map<String, Subscriber> subscribers = new LinkedHashMap<>();
  private WebSocket socket;
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  private boolean acknowledged;
  private boolean done;
  private long nextId;

  /**
   * @param init the {@code connection_init} payload (may be empty)
   * @param retired runs once when this connection stops taking subscribers, so its owner forgets it
   */
  WsConnection(ObjectMapper json, URI uri, Map<String, Object> init, Runnable retired) {
    this.json = json;
    this.uri = uri;
    this.init = init;
    this.retired = retired;
  }

  /**
   * Opens the socket (the owner calls it once, after the first {@link #add}); without {@code
   * connection_ack} within {@code timeout} every subscriber fails.
   */
  void open(HttpClient http, Map<String, String> headers, Duration timeout) {
    WebSocket.Builder b =
        http.newWebSocketBuilder()
            .subprotocols(GraphqlWsSession.SUBPROTOCOL)
            .connectTimeout(timeout);
    headers.forEach(b::header);
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              synchronized (this) {
                if (acknowledged || done) {
                  return;
                }
              }
              fail(new TransportException("no connection_ack from " + uri + " within " + timeout));
            });
    b.buildAsync(uri, this)
        .whenComplete(
            (ws, failure) -> {
              if (failure != null) {
                fail(
                    new TransportException(
                        "cannot open a WebSocket to " + uri + ": " + cause(failure), failure));
              }
            });
  }

  /**
   * Adds a subscriber, its {@code subscribe} sent now if the socket is acknowledged, else once it
   * is; returns what cancels it, or {@code null} if this connection takes no more subscribers
   * (closing).
   */
  synchronized Runnable add(Subscriber s) {
    if (done) {
      return null;
    }
    s.id = Long.toString(++nextId);
    subscribers.put(s.id, s);
    if (acknowledged) {
      s.sent = true;
      sendText(s.subscribe());
    }
    return () -> cancel(s);
  }

  /** Returns the number of subscribers, for tests. */
  synchronized int subscribers() {
    return subscribers.size();
  }

  /** The client closed: every subscriber ends with no answer. */
  void abort() {
    fail(new TransportException("the GraphQL client closed"));
  }

  @Override
  public void onOpen(WebSocket ws) {
    boolean close;
    synchronized (this) {
      socket = ws;
      close = done;
      if (!close) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "connection_init");
        if (!init.isEmpty()) {
          m.put("payload", init);
        }
        send(m);
      }
    }
    if (close) {
      // Every subscriber left (or failed) while the handshake was under way.
      close(ws);
      return;
    }
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
    // The server ends each subscription with complete or error first; a close without them is no
    // answer.
    fail(
        new TransportException(
            "the GraphQL WebSocket closed: " + status + (reason.isEmpty() ? "" : " " + reason)));
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
      case "connection_ack" -> {
        synchronized (this) {
          if (acknowledged || done) {
            return;
          }
          acknowledged = true;
          for (Subscriber s : subscribers.values()) {
            s.sent = true;
            sendText(s.subscribe());
          }
        }
      }
      case "ping" -> {
        synchronized (this) {
          send(Map.of("type", "pong"));
        }
      }
      case "pong" -> {}
      case "next" -> next(m);
      case "error" -> {
        Subscriber s = remove(m.path("id").asText());
        if (s != null) {
          JsonNode errors = m.path("payload");
          s.emitter.error(
              errors.isArray() && !errors.isEmpty()
                  ? s.error.apply(errors.get(0))
                  : new TransportException("an error without errors on the GraphQL WebSocket"));
        }
      }
      case "complete" -> {
        Subscriber s = remove(m.path("id").asText());
        if (s != null) {
          s.emitter.complete();
        }
      }
      default -> fail(new TransportException("unexpected message on the GraphQL WebSocket"));
    }
  }

  private void next(JsonNode m) {
    String id = m.path("id").asText();
    Subscriber s;
    synchronized (this) {
      s = subscribers.get(id);
    }
    if (s == null) {
      // Cancelled a moment ago: the server had sent it before our complete arrived.
      return;
    }
    JsonNode errors = m.path("payload").path("errors");
    RuntimeException failure = null;
    Object v = null;
    if (errors.isArray() && !errors.isEmpty()) {
      failure = s.error.apply(errors.get(0));
    } else {
      try {
        v = s.value.apply(m.path("payload").path("data"));
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    if (failure == null) {
      s.emitter.next(v);
      return;
    }
    // This subscriber ends here; its stream on the server must end too.
    if (cancel(s)) {
      s.emitter.error(failure);
    }
  }

  /**
   * Ends subscriber {@code s} from this side: {@code complete} for its id; false if it had ended.
   */
  private boolean cancel(Subscriber s) {
    boolean last;
    WebSocket ws;
    synchronized (this) {
      if (subscribers.remove(s.id) != s) {
        return false;
      }
      if (s.sent) {
        send(Map.of("id", s.id, "type", "complete"));
      }
      last = retireIfIdle();
      ws = socket;
    }
    if (last) {
      retired.run();
      if (ws != null) {
        close(ws);
      }
    }
    return true;
  }

  /** Removes the subscriber the server ended; closes the socket if it was the last. */
  private Subscriber remove(String id) {
    Subscriber s;
    boolean last;
    WebSocket ws;
    synchronized (this) {
      s = subscribers.remove(id);
      if (s == null) {
        return null;
      }
      last = retireIfIdle();
      ws = socket;
    }
    if (last) {
      retired.run();
      if (ws != null) {
        close(ws);
      }
    }
    return s;
  }

  /** With no subscriber left, marks the connection done; returns whether it did. Holds this. */
  private boolean retireIfIdle() {
    if (done || !subscribers.isEmpty()) {
      return false;
    }
    done = true;
    return true;
  }

  /** Ends every subscriber with {@code e} and closes the socket. */
  private void fail(RuntimeException e) {
    List<Subscriber> ended;
    boolean first;
    WebSocket ws;
    synchronized (this) {
      first = !done;
      done = true;
      ended = new ArrayList<>(subscribers.values());
      subscribers.clear();
      ws = socket;
    }
    if (first) {
      retired.run();
    }
    for (Subscriber s : ended) {
      s.emitter.error(e);
    }
    if (ws != null) {
      close(ws);
    }
  }

  private void close(WebSocket ws) {
    synchronized (this) {
      if (ws.isOutputClosed()) {
        ws.abort();
        return;
      }
      sending =
          sending
              .handle((r, t) -> null)
              .thenCompose(v -> ws.sendClose(WebSocket.NORMAL_CLOSURE, ""))
              .whenComplete((r, t) -> ws.abort());
    }
  }

  /** Sends one message after those before it (a WebSocket takes one send at a time). Holds this. */
  private void send(Object message) {
    String t;
    try {
      t = json.writeValueAsString(message);
    } catch (java.io.IOException e) {
      // Only protocol messages of strings come here.
      throw new IllegalStateException(e);
    }
    sendText(t);
  }

  /** Holds this. */
  private void sendText(String t) {
    WebSocket ws = socket;
    if (ws == null || ws.isOutputClosed()) {
      return;
    }
    sending = sending.handle((r, x) -> null).thenCompose(v -> ws.sendText(t, true));
  }

  private static String cause(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return String.valueOf(c);
  }
}
