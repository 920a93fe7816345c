package dev.ipc.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.spi.CallSource;
import graphql.ExecutionResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket speaking the GraphQL over WebSocket protocol, subprotocol {@code
 * graphql-transport-ws} (what the {@code graphql-ws} npm client speaks): {@code connection_init} /
 * {@code connection_ack}, {@code ping} / {@code pong}, {@code subscribe} / {@code next} / {@code
 * error} / {@code complete}. Queries and mutations run too (one {@code next}, then {@code
 * complete}).
 *
 * <p>Close codes, as graphql-ws's server uses them: 4400 for a message that is not the protocol's,
 * 4401 for {@code subscribe} before {@code connection_ack}, 4408 when no {@code connection_init}
 * came within the timeout, 4409 for a second {@code subscribe} with an id in use, 4429 for a second
 * {@code connection_init}.
 *
 * <p>Calls come from the upgrade request (its headers as metadata, peer, TLS client certificate),
 * with the credential of the {@code connection_init} payload when it carries one: {@code
 * {"Authorization": "Bearer <token>"}} (any case of the key; GraphiQL sends its headers so) or
 * {@code {"token": "<token>"}}; otherwise the upgrade request's {@code Authorization} header. Each
 * {@code subscribe} is then authenticated and checked against the operation's roles as an HTTP
 * request is.
 *
 * <p>Flow control: each subscription asks its stream for one event at a time while the socket is
 * writable, so a client that stops reading leaves the values in the server's bounded per-stream
 * buffer, where it falls behind and is ended with an {@code error} of code RESOURCE_EXHAUSTED.
 * Thread-safe: messages arrive one at a time; operations run on the executor.
 */
final class GraphqlWsSession {
  /** The subprotocol spoken. */
  static final String SUBPROTOCOL = "graphql-transport-ws";

  /** What the session needs of its WebSocket; every method returns without blocking. */
  interface Channel {
    /** Sends one text message (queued if the socket cannot take it now). */
    void send(String text);

    /** Returns whether the socket can take more without growing its outbound queue. */
    boolean isWritable();

    /** Closes the socket with {@code code} and {@code reason}; idempotent. */
    void close(int code, String reason);
  }

  private static final Logger LOG = LoggerFactory.getLogger(GraphqlWsSession.class);
  private static final int MAX_REASON_BYTES = 123;

  private final GraphqlEngine engine;
  private final Executor executor;
  private final ObjectMapper json;
  private final CallSource upgrade;
  private final Channel channel;
  private final Map<String, Op> ops = new ConcurrentHashMap<>();
  // Guarded by this.
  private boolean initReceived;
  private boolean acknowledged;
  private boolean closed;
  private volatile CallSource source;

  GraphqlWsSession(
      GraphqlEngine engine,
      Executor executor,
      ObjectMapper json,
      CallSource upgrade,
      Channel channel) {
    this.engine = engine;
    this.executor = executor;
    this.json = json;
    this.upgrade = upgrade;
    this.channel = channel;
  }

  /**
   * Starts the session: without {@code connection_init} within {@code initTimeout}, closes 4408.
   */
  void opened(Duration initTimeout) {
    CompletableFuture.delayedExecutor(initTimeout.toMillis(), TimeUnit.MILLISECONDS, executor)
        .execute(
            () -> {
              synchronized (this) {
                if (initReceived || closed) {
                  return;
                }
              }
              close(4408, "Connection initialisation timeout");
            });
  }

  /** Handles one text message. */
  void onText(String text) {
    JsonNode message;
    try {
      message = json.readTree(text);
    } catch (JsonProcessingException e) {
      close(4400, "Invalid message received: malformed JSON");
      return;
    }
    if (message == null || !message.isObject() || !message.path("type").isTextual()) {
      close(4400, "Invalid message received: expected an object with a string 'type'");
      return;
    }
    String type = message.get("type").asText();
    JsonNode payload = message.get("payload");
    switch (type) {
      case "connection_init" -> init(payload);
      case "ping" -> {
        if (!optionalObject(payload)) {
          close(4400, "Invalid message received: 'ping' payload must be an object");
          return;
        }
        ObjectNode pong = json.createObjectNode().put("type", "pong");
        if (payload != null && !payload.isNull()) {
          pong.set("payload", payload);
        }
        send(pong);
      }
      case "pong" -> {
        if (!optionalObject(payload)) {
          close(4400, "Invalid message received: 'pong' payload must be an object");
        }
      }
      case "subscribe" -> subscribe(message);
      case "complete" -> {
        String id = id(message);
        if (id == null) {
          close(4400, "Invalid message received: 'complete' needs a non-empty string 'id'");
          return;
        }
        Op op = ops.remove(id);
        if (op != null) {
          op.cancel();
        }
      }
      default -> close(4400, "Invalid message received: unexpected type " + printable(type));
    }
  }

  /** Handles a binary message, which the protocol has none of. */
  void onBinary() {
    close(4400, "Invalid message received: binary");
  }

  /** Lets subscriptions paused on a full socket ask for more. */
  void onWritable() {
    for (Op op : ops.values()) {
      op.resume();
    }
  }

  /** The socket closed (either side): every operation's stream is cancelled. */
  void onClosed() {
    synchronized (this) {
      closed = true;
    }
    for (Op op : ops.values()) {
      op.cancel();
    }
    ops.clear();
  }

  /** Returns the number of operations running, for tests. */
  int operations() {
    return ops.size();
  }

  private void init(JsonNode payload) {
    synchronized (this) {
      if (initReceived) {
        close(4429, "Too many initialisation requests");
        return;
      }
      initReceived = true;
    }
    if (!optionalObject(payload)) {
      close(4400, "Invalid message received: 'connection_init' payload must be an object");
      return;
    }
    source = withCredential(upgrade, payload);
    synchronized (this) {
      acknowledged = true;
    }
    send(json.createObjectNode().put("type", "connection_ack"));
  }

  /**
   * Returns {@code base} with the credential of a {@code connection_init} payload: an {@code
   * Authorization} member (any case) replaces the upgrade request's header, a {@code token} member
   * is a bearer token. Other members are not metadata: they are the client's, not headers.
   */
  static CallSource withCredential(CallSource base, JsonNode payload) {
    if (payload == null || !payload.isObject()) {
      return base;
    }
    String authorization = null;
    var names = payload.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (name.equalsIgnoreCase("authorization") && payload.get(name).isTextual()) {
        authorization = payload.get(name).asText();
      }
    }
    if (authorization == null && payload.path("token").isTextual()) {
      authorization = "Bearer " + payload.get("token").asText();
    }
    if (authorization == null) {
      return base;
    }
    Metadata metadata = base.metadata().toBuilder().set("authorization", authorization).build();
    CallSource source = CallSource.of(base.transport(), base.peer(), metadata);
    return base.peerCertificates().isEmpty()
        ? source
        : source.withPeerCertificates(base.peerCertificates());
  }

  private void subscribe(JsonNode message) {
    String id = id(message);
    JsonNode payload = message.get("payload");
    if (id == null) {
      close(4400, "Invalid message received: 'subscribe' needs a non-empty string 'id'");
      return;
    }
    if (payload == null || !payload.isObject() || !payload.path("query").isTextual()) {
      close(4400, "Invalid message received: 'subscribe' payload needs a string 'query'");
      return;
    }
    JsonNode variables = payload.get("variables");
    JsonNode operationName = payload.get("operationName");
    JsonNode extensions = payload.get("extensions");
    if (!optionalObject(variables)
        || !optionalObject(extensions)
        || (operationName != null && !operationName.isNull() && !operationName.isTextual())) {
      close(4400, "Invalid message received: 'subscribe' payload has malformed members");
      return;
    }
    synchronized (this) {
      if (!acknowledged) {
        close(4401, "Unauthorized");
        return;
      }
    }
    Op op = new Op(id);
    if (ops.putIfAbsent(id, op) != null) {
      close(4409, "Subscriber for " + printable(id) + " already exists");
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> vars =
        variables == null || variables.isNull()
            ? Map.of()
            : json.convertValue(variables, Map.class);
    String name =
        operationName == null || operationName.isNull() || operationName.asText().isEmpty()
            ? null
            : operationName.asText();
    GraphqlEngine.Request request =
        new GraphqlEngine.Request(payload.get("query").asText(), name, vars);
    try {
      // The service (and its interceptors) run here: never on the socket's event loop.
      executor.execute(() -> op.start(request));
    } catch (RejectedExecutionException e) {
      ops.remove(id, op);
      op.error(
          GraphqlEngine.streamErrors(
              new ServiceException(ErrorCode.UNAVAILABLE, "server is busy")));
    }
  }

  private final class Op implements Flow.Subscriber<ExecutionResult> {
    private final String id;
    // Guarded by this.
    private Flow.Subscription subscription;
    private boolean cancelled;
    private boolean paused;
    private boolean ended;

    Op(String id) {
      this.id = id;
    }

    void start(GraphqlEngine.Request request) {
      synchronized (this) {
        if (cancelled) {
          return;
        }
      }
      GraphqlEngine.Result result;
      try {
        result = engine.execute(request, GraphqlEngine.Allowed.ALL, source);
      } catch (RuntimeException e) {
        LOG.warn("GraphQL over WebSocket: an operation failed unexpectedly", e);
        end();
        error(GraphqlEngine.streamErrors(e));
        gone();
        return;
      }
      if (result.stream() != null) {
        result.stream().subscribe(this);
        return;
      }
      end();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> errors = (List<Map<String, Object>>) result.body().get("errors");
      if (result.status() != 200 || (result.subscription() && errors != null)) {
        // Nothing ran (a bad document, a limit, a refused subscription): the protocol's error.
        error(errors);
      } else {
        message("next", result.body());
        message("complete", null);
      }
      gone();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      boolean cancel;
      synchronized (this) {
        subscription = s;
        cancel = cancelled;
      }
      if (cancel) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(ExecutionResult event) {
      message("next", GraphqlEngine.event(event));
      Flow.Subscription s;
      synchronized (this) {
        if (cancelled) {
          return;
        }
        s = subscription;
        paused = true;
      }
      // Ask for the next event only while the socket takes more; onWritable resumes. Checked after
      // pausing so a turn to writable in between is not missed.
      if (channel.isWritable()) {
        resume();
      }
    }

    void resume() {
      Flow.Subscription s;
      synchronized (this) {
        if (!paused || cancelled) {
          return;
        }
        paused = false;
        s = subscription;
      }
      s.request(1);
    }

    @Override
    public void onError(Throwable t) {
      if (end()) {
        error(GraphqlEngine.streamErrors(t));
        gone();
      }
    }

    @Override
    public void onComplete() {
      if (end()) {
        message("complete", null);
        gone();
      }
    }

    /** The client completed it, or the socket closed: nothing more is sent for it. */
    void cancel() {
      Flow.Subscription s;
      synchronized (this) {
        cancelled = true;
        s = subscription;
      }
      if (s != null) {
        s.cancel();
      }
    }

    /**
     * Marks the operation ended; returns false if it had ended or was cancelled already. It stays
     * among the running operations until {@link #gone()}, after its last message: a server close
     * waits for that, so the socket's 1001 never overtakes a {@code complete}.
     */
    private boolean end() {
      synchronized (this) {
        if (ended || cancelled) {
          return false;
        }
        ended = true;
      }
      return true;
    }

    /** Leaves the running operations, once its last message is sent. */
    private void gone() {
      ops.remove(id, this);
    }

    void error(List<Map<String, Object>> errors) {
      message("error", errors);
    }

    private void message(String type, Object payload) {
      synchronized (this) {
        if (cancelled) {
          return;
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("type", type);
      if (payload != null) {
        m.put("payload", payload);
      }
      send(m);
    }
  }

  private void send(Object message) {
    String text;
    try {
      text = json.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      LOG.warn("GraphQL over WebSocket: an answer could not be written as JSON", e);
      close(4500, "Internal server error");
      return;
    }
    channel.send(text);
  }

  private void close(int code, String reason) {
    synchronized (this) {
      closed = true;
    }
    channel.close(code, truncate(reason));
    onClosed();
  }

  private static String id(JsonNode message) {
    JsonNode id = message.get("id");
    return id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
  }

  private static boolean optionalObject(JsonNode node) {
    return node == null || node.isNull() || node.isObject();
  }

  /** Returns a client's string fit to echo in a close reason: printable ASCII, short. */
  private static String printable(String s) {
    String p = s.replaceAll("[^\\x20-\\x7e]", "?");
    return p.length() > 40 ? p.substring(0, 40) + "..." : p;
  }

  /** Keeps a close reason within the 123 bytes a close frame carries. */
  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return reason;
    }
    return new String(bytes, 0, MAX_REASON_BYTES, StandardCharsets.UTF_8);
  }
}
