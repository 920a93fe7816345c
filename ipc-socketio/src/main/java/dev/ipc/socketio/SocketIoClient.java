package dev.ipc.socketio;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RemoteStream;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.emitter.Emitter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Calls services on an ipc Socket.IO server: each call emits the operation's event and waits for
 * its acknowledgement (the convention described on {@link SocketIoTransport}), and {@link #onEvent}
 * receives broadcasts such as {@code task:saved}.
 *
 * <pre>{@code
 * try (SocketIoClient client = SocketIoClient.of("localhost", 8080)) {
 *   Library library = client.service(Library.class);
 *   client.onEvent("task:saved", task -> System.out.println("saved " + task));
 * }
 * }</pre>
 *
 * <p>One connection, opened when built and reopened after a loss, carries every call and every
 * stream. A streaming operation answers a {@code Flow.Publisher}: each subscriber is a named watch
 * on that connection (the subscribe event with the request as its filter and a watch id of this
 * client's own), and gets the item events carrying its id; any number of subscribers share the
 * connection. Cancelling emits the cancel event with the id; the server's error event with the id
 * ends that subscriber with a {@link ServiceException} of its code; the connection's end ends every
 * subscriber: completed when the server disconnected (its close) or this client closed, UNAVAILABLE
 * when the connection was lost (a stream is not resumed on the reconnected connection: what was
 * saved meanwhile would be skipped silently). While this client watches an operation, the server
 * sends its connection no broadcast of that operation's item event (a watcher never gets a save
 * twice), so {@link #onEvent} listeners of that event hear nothing until the last such subscriber
 * ends; they never hear a watch's values. A service's failure is a {@link ServiceException} with
 * the server's code; no answer (not connected, connection lost, timeout, a malformed ack) is a
 * {@link TransportException}. Thread-safe; share one per server.
 *
 * <h2>Credentials and call metadata</h2>
 *
 * Socket.IO sends credentials once per connection, in its handshake, not with each call: {@link
 * Builder#token} sends {@code auth: {token}} with the connect (the server verifies it once, and
 * every call of the connection runs as its principal), {@link Builder#metadata} sends handshake
 * headers. {@link #withBearerToken} throws {@link UnsupportedOperationException} naming {@link
 * Builder#token} (a client per token). Other metadata goes with each call ({@link #call(Operation,
 * Object, Metadata)}, {@link #withMetadata}): as an object after the request, whose values the
 * server adds to the handshake's headers for that call (a W3C {@code traceparent}, so {@code
 * IpcTracing} continues a trace per call); a name with several values sends its first. {@code
 * authorization} and {@code cookie} there are refused with {@link UnsupportedOperationException},
 * as the server would ignore them. A token the server refuses makes the connect fail, and calls
 * then fail with a {@link TransportException} saying so.
 *
 * <h2>TLS</h2>
 *
 * {@link Builder#tls}, {@link Builder#ca} (a CA PEM file; implies TLS), {@link Builder#cert} and
 * {@link Builder#key} (a client certificate for mutual TLS), as URI options {@code tls=true},
 * {@code ca=/path/ca.pem}, {@code cert=...&key=...}: the client then speaks {@code https://} and
 * {@code wss://} and checks the server's name against its certificate.
 */
public final class SocketIoClient implements Client {
  /**
   * The default time a call waits for its acknowledgement: every client's, {@link
   * ClientBuilder#DEFAULT_TIMEOUT} (30 s).
   */
  public static final Duration DEFAULT_TIMEOUT = ClientBuilder.DEFAULT_TIMEOUT;

  /**
   * What this client's watch ids start with: {@link #onEvent} leaves events carrying such an id as
   * their second argument to their subscriber.
   */
  private static final String WATCH_ID_PREFIX = "ipc-w";

  /** Values of a stream held for a subscriber that has not asked for them yet. */
  private static final int STREAM_BUFFER = 256;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SocketIoClient.class);

  private final URI uri;
  private final Duration timeout;
  private final OkHttpClient http;
  private final Socket socket;

  /** Numbers this client's watch ids. */
  private final java.util.concurrent.atomic.AtomicLong watchIds =
      new java.util.concurrent.atomic.AtomicLong();

  /** The open subscribers of streaming operations, by watch id, all on {@link #socket}. */
  private final ConcurrentHashMap<String, Watcher> watchers = new ConcurrentHashMap<>();

  /** The item events and subscribe events whose listeners dispatch to {@link #watchers}. */
  private final Set<String> listening = ConcurrentHashMap.newKeySet();

  private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

  /** The server's last connect error ({@code invalid credentials}), or null. */
  private volatile String connectError;

  private final Set<CompletableFuture<Object[]>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private SocketIoClient(Builder b) {
    this.uri =
        URI.create(
            (b.tls() ? "https://" : "http://")
                + (b.host().contains(":") ? "[" + b.host() + "]" : b.host())
                + ":"
                + b.port());
    this.timeout = b.timeout();
    // OkHttp 3's default Dispatcher runs 64 calls at once (5 per host, WebSockets aside) and queues
    // the
    // rest silently; an open WebSocket holds one of those slots for its whole life, as does a
    // pending
    // long-poll. One client multiplexes its streams on its one connection, but a WebSocket queued
    // behind held slots would only fail at the connect timeout, as "not connected" (the 64th stream
    // of a client that opened a connection per stream never connected), so the limits are lifted:
    // what bounds connections is the server (its maxConnections), not a client-side queue.
    okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher();
    dispatcher.setMaxRequests(Integer.MAX_VALUE);
    dispatcher.setMaxRequestsPerHost(Integer.MAX_VALUE);
    // Long-polls last up to the ping interval; liveness is Engine.IO's ping, not a read timeout.
    OkHttpClient.Builder httpBuilder =
        new OkHttpClient.Builder().dispatcher(dispatcher).readTimeout(0, TimeUnit.MILLISECONDS);
    if (b.tls()) {
      ClientTls.apply(httpBuilder, b.ca(), b.cert(), b.key());
    }
    this.http = httpBuilder.build();
    IO.Options options = new IO.Options();
    options.forceNew = true;
    options.reconnection = true;
    options.transports = b.transports.toArray(new String[0]);
    options.timeout = b.timeout().toMillis();
    options.callFactory = http;
    options.webSocketFactory = http;
    if (b.token != null) {
      options.auth = Map.of("token", b.token);
    }
    if (!b.metadata.isEmpty()) {
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (String name : b.metadata.names()) {
        headers.put(name, b.metadata.all(name));
      }
      options.extraHeaders = headers;
    }
    this.socket = IO.socket(uri, options);
    socket.on(
        Socket.EVENT_CONNECT,
        args -> {
          connectError = null;
          firstAttempt.complete(null);
        });
    socket.on(
        Socket.EVENT_CONNECT_ERROR,
        args -> {
          // The server's refusal ({"message":"invalid credentials"}); a transport error has no
          // message.
          connectError =
              args.length > 0
                      && args[0] instanceof JSONObject error
                      && error.opt("message") instanceof String m
                  ? m
                  : null;
          firstAttempt.complete(null);
        });
    socket.on(
        Socket.EVENT_DISCONNECT,
        args -> {
          failPending("the connection to " + uri + " was lost");
          String reason = args.length > 0 ? String.valueOf(args[0]) : "";
          // The server's disconnect (its close) or this client's close end the streams cleanly; a
          // lost
          // connection fails them. Either way they end: the reconnected connection holds no watch.
          boolean clean =
              reason.equals("io server disconnect") || reason.equals("io client disconnect");
          for (Watcher w : watchers.values()) {
            if (clean) {
              w.complete();
            } else {
              w.fail(
                  new TransportException(
                      "the connection to " + uri + " was lost (" + reason + ")"));
            }
          }
        });
    socket.connect();
  }

  /** Returns a client of the server at {@code host}:{@code port} with default settings. */
  public static SocketIoClient of(String host, int port) {
    return builder().target(host, port).build();
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  // CompletableFuture keeps Object's identity equals and hashCode: removing finds this call's own
  // future.
  @SuppressWarnings("CollectionUndefinedEquality")
  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
    requireNonNull(operation, "operation");
    requireNonNull(request, "request");
    JSONObject sent = callMetadata(metadata);
    if (operation.streaming()) {
      return Reply.of(
          new RemoteStream<>(
              STREAM_BUFFER, emitter -> openStream(operation, request, sent, emitter)));
    }
    awaitConnection();
    JSONObject payload = json(operation.input(), request);
    JSONObject withDeadline = sent != null ? sent : new JSONObject();
    if (!withDeadline.has(CallSource.TIMEOUT_HEADER)) {
      // The server ends the call when this client stops waiting, unless the caller named a
      // deadline.
      try {
        withDeadline.put(CallSource.TIMEOUT_HEADER, Long.toString(timeout.toMillis()));
      } catch (JSONException e) {
        throw new IllegalStateException(e);
      }
    }
    CompletableFuture<Object[]> answer = new CompletableFuture<>();
    pending.add(answer);
    try {
      socket.emit(operation.event(), new Object[] {payload, withDeadline}, answer::complete);
      Object[] args = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return reply(operation, args);
    } catch (TimeoutException e) {
      throw new TransportException("no answer to " + operation.event() + " within " + timeout, e);
    } catch (ExecutionException e) {
      throw new TransportException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted waiting for " + operation.event(), e);
    } finally {
      pending.remove(answer);
    }
  }

  /**
   * Returns a view that sends {@code metadata} with every call, as {@link #call(Operation, Object,
   * Metadata)} does.
   *
   * @throws UnsupportedOperationException if it holds {@code authorization} or {@code cookie},
   *     naming {@link Builder#token} and {@link Builder#metadata}: credentials go once per
   *     connection
   */
  @Override
  public Client withMetadata(Metadata metadata) {
    callMetadata(requireNonNull(metadata, "metadata"));
    return Client.super.withMetadata(metadata);
  }

  /**
   * Returns {@code metadata} as the object sent after a call's request, or null for none.
   *
   * @throws UnsupportedOperationException for credentials, which the server takes from the
   *     handshake only
   */
  private static JSONObject callMetadata(Metadata metadata) {
    requireNonNull(metadata, "metadata");
    if (metadata.isEmpty()) {
      return null;
    }
    JSONObject sent = new JSONObject();
    for (String name : metadata.names()) {
      if (name.equals("authorization") || name.equals("cookie")) {
        throw perCallCredentials();
      }
      try {
        sent.put(name, metadata.get(name));
      } catch (JSONException e) {
        throw new IllegalArgumentException("metadata " + name + ": " + e.getMessage(), e);
      }
    }
    return sent;
  }

  /**
   * Not supported: Socket.IO sends the token once per connection.
   *
   * @throws UnsupportedOperationException always, naming {@link Builder#token}: build a client with
   *     the token instead
   */
  @Override
  public Client withBearerToken(String token) {
    requireNonNull(token, "token");
    throw new UnsupportedOperationException(
        "SocketIoClient sends a token once per connection, in its handshake's auth"
            + " (expected: SocketIoClient.builder().token(token), a client per token)");
  }

  private static UnsupportedOperationException perCallCredentials() {
    return new UnsupportedOperationException(
        "SocketIoClient cannot send credentials with a call: Socket.IO sends them once per connection"
            + " (expected: SocketIoClient.builder().token(..) for a token, .metadata(..) for handshake headers)");
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request) {
    return call(operation, request, Metadata.EMPTY);
  }

  /**
   * Emits the host event {@code event} (one a host handler answers: {@code
   * SocketIoTransport.Builder#on}) with {@code args} and returns its acknowledgement's arguments,
   * as plain values ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean},
   * null) and binary ones as {@code byte[]}, whole: a {@code byte[]} argument goes as a binary
   * attachment both ways. Waits up to the client's timeout.
   *
   * @throws TransportException if not connected, the connection is lost or no ack comes in time
   */
  public List<Object> emitWithAck(String event, Object... args) {
    requireNonNull(event, "event");
    requireNonNull(args, "args");
    awaitConnection();
    Object[] out = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      out[i] = toJson(args[i]);
    }
    CompletableFuture<Object[]> answer = new CompletableFuture<>();
    pending.add(answer);
    try {
      socket.emit(event, out, answer::complete);
      Object[] acked = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      List<Object> values = new ArrayList<>(acked.length);
      for (Object a : acked) {
        values.add(plain(a));
      }
      return java.util.Collections.unmodifiableList(values);
    } catch (TimeoutException e) {
      throw new TransportException("no answer to " + event + " within " + timeout, e);
    } catch (ExecutionException e) {
      throw new TransportException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted waiting for " + event, e);
    } finally {
      pending.remove(answer);
    }
  }

  /**
   * Converts a plain value to what socket.io-client emits: org.json for maps and lists, byte[] as
   * is.
   */
  private static Object toJson(Object v) {
    if (v instanceof Map<?, ?> map) {
      JSONObject o = new JSONObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        try {
          o.put(String.valueOf(e.getKey()), toJson(e.getValue()));
        } catch (JSONException bad) {
          throw new IllegalArgumentException(
              "not a JSON value: " + e.getKey() + " (" + bad.getMessage() + ")", bad);
        }
      }
      return o;
    }
    if (v instanceof List<?> list) {
      JSONArray a = new JSONArray();
      list.forEach(x -> a.put(toJson(x)));
      return a;
    }
    return v == null ? JSONObject.NULL : v;
  }

  /**
   * Calls {@code listener} with the first argument of every {@code event} the server emits, as
   * plain values ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}, or
   * null); returns a handle that stops it. The listener runs on the client's event thread and must
   * not block; what it throws is logged, and the other listeners still hear the event.
   */
  public AutoCloseable onEvent(String event, Consumer<Object> listener) {
    requireNonNull(event, "event");
    requireNonNull(listener, "listener");
    Emitter.Listener l =
        args -> {
          // Thrown out of here it would end the emit loop on the client's event thread, and the
          // other
          // listeners of the event would miss it.
          if (args.length > 1 && args[1] instanceof String id && id.startsWith(WATCH_ID_PREFIX)) {
            return; // a value of one of this client's watches, its subscriber's alone
          }
          try {
            listener.accept(args.length == 0 ? null : plain(args[0]));
          } catch (RuntimeException e) {
            LOG.warn("a listener of {} failed", event, e);
          }
        };
    socket.on(event, l);
    return () -> socket.off(event, l);
  }

  /**
   * Opens one stream of {@code operation} on the client's connection: a named watch whose id is
   * this client's own ({@link #WATCH_ID_PREFIX} and a number), subscribed once the first connect
   * attempt is over, whose item events and error event (carrying the id) reach {@code emitter}.
   * Returns what cancels it: the cancel event with the id.
   */
  private Runnable openStream(
      Operation<?, ?, ?> operation,
      Object request,
      JSONObject metadata,
      RemoteStream.Emitter emitter) {
    if (closed) {
      throw new TransportException("the client is closed");
    }
    JSONObject payload = json(operation.input(), request);
    listen(operation);
    String id = WATCH_ID_PREFIX + watchIds.incrementAndGet();
    Watcher w = new Watcher(id, operation, emitter);
    watchers.put(id, w);
    Object[] args =
        metadata == null ? new Object[] {payload, id} : new Object[] {payload, id, metadata};
    // On the client's event thread, where the connection's events run too: a disconnect either came
    // before (the watcher is ended, or the connection is down) or comes after the emit (and ends
    // it).
    Runnable subscribe =
        () ->
            io.socket.thread.EventThread.exec(
                () -> {
                  if (w.ended.get()) {
                    return;
                  }
                  if (!socket.connected()) {
                    String refused = connectError;
                    w.fail(
                        new TransportException(
                            "not connected to "
                                + uri
                                + (refused == null
                                    ? ""
                                    : ": the server refused the connect: " + refused)));
                    return;
                  }
                  socket.emit(
                      operation.event(),
                      args,
                      (Ack)
                          ack -> {
                            Object first = ack.length == 0 ? null : ack[0];
                            if (first instanceof JSONObject object && object.has("error")) {
                              w.fail(serviceError(operation, object.opt("error")));
                            } else if (w.ended.get() && socket.connected()) {
                              // Ended before its watch opened (its emit waited out a reconnect):
                              // end that watch too.
                              socket.emit(operation.event() + DefaultSocketIoServer.CANCEL, id);
                            }
                          });
                });
    if (firstAttempt.isDone()) {
      subscribe.run();
    } else {
      firstAttempt.thenRun(subscribe);
    }
    return () -> {
      if (w.end()) {
        // Ends the watch on the server; a connection that is down holds none any more.
        io.socket.thread.EventThread.exec(
            () -> {
              if (socket.connected()) {
                socket.emit(operation.event() + DefaultSocketIoServer.CANCEL, id);
              }
            });
      }
    };
  }

  /**
   * Adds, once per event, the connection's listeners that hand watch values and errors to watchers.
   */
  private void listen(Operation<?, ?, ?> operation) {
    String item = operation.itemEvent();
    if (listening.add(item)) {
      socket.on(
          item,
          args -> {
            Watcher w = args.length > 1 && args[1] instanceof String id ? watchers.get(id) : null;
            if (w != null) {
              w.next(args[0]);
            }
          });
    }
    String error = operation.event() + DefaultSocketIoServer.ERROR;
    if (listening.add(error)) {
      socket.on(
          error,
          args -> {
            Watcher w = args.length > 1 && args[1] instanceof String id ? watchers.get(id) : null;
            if (w != null) {
              w.fail(serviceError(w.operation, args[0]));
            }
          });
    }
  }

  /** One subscriber's watch on the client's connection. */
  private final class Watcher {
    final String id;
    final Operation<?, ?, ?> operation;
    final RemoteStream.Emitter emitter;
    final AtomicBoolean ended = new AtomicBoolean();

    Watcher(String id, Operation<?, ?, ?> operation, RemoteStream.Emitter emitter) {
      this.id = id;
      this.operation = operation;
      this.emitter = emitter;
    }

    /** Marks it ended and forgets it; returns whether this call did. */
    boolean end() {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      watchers.remove(id, this);
      return true;
    }

    void next(Object json) {
      if (ended.get()) {
        return;
      }
      Object value;
      try {
        value = record(operation.output(), json);
      } catch (RuntimeException e) {
        if (end()) {
          emitter.error(e);
          if (socket.connected()) {
            socket.emit(operation.event() + DefaultSocketIoServer.CANCEL, id);
          }
        }
        return;
      }
      emitter.next(value);
    }

    void fail(Throwable e) {
      if (end()) {
        emitter.error(e);
      }
    }

    void complete() {
      if (end()) {
        emitter.complete();
      }
    }
  }

  /** Returns whether the connection is up now. */
  public boolean connected() {
    return socket.connected();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    socket.close();
    // As the close's own disconnect would, if it comes (a connection still opening has none).
    for (Watcher w : watchers.values()) {
      w.complete();
    }
    failPending("the client is closed");
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "SocketIoClient{" + uri + '}';
  }

  private void awaitConnection() {
    if (closed) {
      throw new TransportException("the client is closed");
    }
    try {
      firstAttempt.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Reported below as not connected.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted waiting to connect to " + uri, e);
    }
    if (!socket.connected()) {
      String refused = connectError;
      throw new TransportException(
          "not connected to "
              + uri
              + (refused == null ? "" : ": the server refused the connect: " + refused));
    }
  }

  private void failPending(String why) {
    for (CompletableFuture<Object[]> f : pending) {
      f.completeExceptionally(new TransportException(why));
    }
  }

  private static Reply reply(Operation<?, ?, ?> operation, Object[] args) {
    if (args.length == 0) {
      throw new TransportException("empty acknowledgement to " + operation.event());
    }
    Object first = args[0];
    try {
      if (first instanceof JSONObject object && object.has("error")) {
        throw serviceError(operation, object.get("error"));
      }
      if (operation.many()) {
        if (!(first instanceof JSONArray array)) {
          throw new TransportException(
              "unexpected answer to " + operation.event() + ": expected an array");
        }
        List<Object> values = new ArrayList<>(array.length());
        for (int i = 0; i < array.length(); i++) {
          values.add(record(operation.output(), array.get(i)));
        }
        return Reply.of(List.copyOf(values));
      }
      Object value = record(operation.output(), first);
      boolean created =
          args.length > 1
              && args[1] instanceof JSONObject meta
              && meta.optBoolean("created", false);
      return Reply.of(value, created);
    } catch (JSONException e) {
      throw new TransportException("malformed answer to " + operation.event(), e);
    }
  }

  private static RuntimeException serviceError(Operation<?, ?, ?> operation, Object error) {
    if (error instanceof JSONObject e
        && e.opt("code") instanceof String code
        && e.opt("message") instanceof String msg) {
      try {
        return new ServiceException(ErrorCode.valueOf(code), msg);
      } catch (IllegalArgumentException unknown) {
        return new TransportException(
            "unknown error code from the server for " + operation.event() + ": " + code);
      }
    }
    return new TransportException("malformed error answer to " + operation.event());
  }

  private static Object record(RecordType<?> type, Object json) {
    if (!(json instanceof JSONObject)) {
      throw new TransportException("unexpected answer: expected a " + type.name() + " object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) plain(json);
    try {
      return type.create(fields);
    } catch (ServiceException | InvalidValueException e) {
      throw new TransportException(
          "malformed " + type.name() + " from the server: " + e.getMessage(), e);
    }
  }

  /** Converts org.json values to plain Java ones; binary attachments stay {@code byte[]}. */
  static Object plain(Object json) {
    if (json == null || json == JSONObject.NULL) {
      return null;
    }
    if (json instanceof JSONObject object) {
      Map<String, Object> map = new LinkedHashMap<>();
      for (Iterator<?> keys = object.keys(); keys.hasNext(); ) {
        String key = (String) keys.next();
        map.put(key, plain(object.opt(key)));
      }
      return map;
    }
    if (json instanceof JSONArray array) {
      List<Object> list = new ArrayList<>(array.length());
      for (int i = 0; i < array.length(); i++) {
        list.add(plain(array.opt(i)));
      }
      return list;
    }
    return json;
  }

  /**
   * Converts a described record to org.json, in the JSON forms the server sends too ({@link
   * Values#json}); a field without a value is left out.
   */
  private static JSONObject json(RecordType<?> type, Object record) {
    JSONObject object = new JSONObject();
    try {
      for (Field f : type.fields()) {
        Object v = f.get(record);
        if (v == null) {
          continue;
        }
        if (f.repeated()) {
          JSONArray array = new JSONArray();
          for (Object e : (List<?>) v) {
            array.put(json(f, e));
          }
          v = array;
        } else if (f.map()) {
          JSONObject entries = new JSONObject();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            entries.put((String) e.getKey(), json(f, e.getValue()));
          }
          v = entries;
        } else {
          v = json(f, v);
        }
        object.put(f.name(), v);
      }
    } catch (JSONException e) {
      // org.json refuses NaN and infinities, which JSON has no number for.
      throw ServiceException.invalidArgument(type.name() + ": " + e.getMessage());
    }
    return object;
  }

  /** Returns one value of {@code f}'s element type as org.json takes it. */
  private static Object json(Field f, Object v) {
    return f.type() == FieldType.MESSAGE ? json(f.messageType(), v) : Values.json(f, v);
  }

  /**
   * Configures a {@link SocketIoClient}: the server (required), TLS and timeout as every client's
   * builder has them ({@link ClientBuilder}; the timeout bounds a call's wait for its
   * acknowledgement, and connecting for the first connection), the Engine.IO transports, a token
   * and metadata. Not thread-safe.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private List<String> transports = List.of("websocket");
    private String token;
    private Metadata metadata = Metadata.EMPTY;

    Builder() {}

    /**
     * Sets the Engine.IO transports to use, in order: {@code websocket} (the default) and/or {@code
     * polling} (long-polling first, upgrading to WebSocket when both are given).
     */
    public Builder transports(String... transports) {
      requireNonNull(transports, "transports");
      if (transports.length == 0) {
        throw new IllegalArgumentException("transports: none (expected: polling and/or websocket)");
      }
      for (String t : transports) {
        if (!"websocket".equals(t) && !"polling".equals(t)) {
          throw new IllegalArgumentException(
              "transport: " + t + " (expected: polling or websocket)");
        }
      }
      this.transports = List.of(transports);
      return this;
    }

    /**
     * Sends {@code token} as the handshake's {@code auth: {token}} with every connect (Socket.IO
     * checks credentials once per connection); a server that authenticates runs every call of the
     * connection as its principal, and refuses the connect if it does not verify.
     */
    public Builder token(String token) {
      requireNonNull(token, "token");
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token: empty (expected: a bearer token)");
      }
      this.token = token;
      return this;
    }

    /**
     * Sends {@code metadata} as headers of the handshake's HTTP requests (every Engine.IO request
     * and the WebSocket upgrade); the server sees them in every call's context.
     */
    public Builder metadata(Metadata metadata) {
      this.metadata = requireNonNull(metadata, "metadata");
      return this;
    }

    /** Binds the URI option {@code transports} (comma-separated), beside the shared ones. */
    @Override
    protected void bindOptions(OptionTable table) {
      table.list("transports", this::transports);
    }

    /** Returns a client that starts connecting at once. */
    public SocketIoClient build() {
      if (host() == null) {
        throw new IllegalStateException("target: unset (expected: target(host, port))");
      }
      if ((cert() == null) != (key() == null)) {
        throw new IllegalStateException("cert and key: only one set (expected: both, or neither)");
      }
      return new SocketIoClient(this);
    }
  }
}
