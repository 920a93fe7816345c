package dev.ipc.socketio;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportBuilder;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.core.spi.TransportOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Serves every described service over Socket.IO (Engine.IO v4 long-polling and WebSocket, Socket.IO
 * protocol v5), for socket.io-client v4 and python-socketio 5 clients.
 *
 * <h2>Events and acknowledgements</h2>
 *
 * Each operation is an event named by the model ({@code dating:eating}, {@code dating:watchMovie},
 * {@code task:list}, {@code task:get}, {@code task:put}, {@code person:get}); its payload is a JSON
 * object of the request's fields ({@code {"food":"steak"}}), absent for requests without fields.
 * The answer comes through the event's acknowledgement, whose <b>first argument</b> is either:
 *
 * <ul>
 *   <li>the answer itself on success: the output object ({@code {"feeling":true}}), or an array for
 *       list answers ({@code [{"id":1,"name":"task1"}, ...]}); a create-or-replace that created its
 *       value adds a second argument {@code {"created":true}};
 *   <li>an error object on failure, and only then an object with a top-level {@code error} key:
 *       {@code {"error":{"code":"NOT_FOUND","message":"task 42 not found"}}}, where {@code code} is
 *       a {@link dev.ipc.core.ErrorCode} name and {@code message} the service's client-safe
 *       message.
 * </ul>
 *
 * So a client tests {@code res && res.error} (JavaScript) or {@code isinstance(res, dict) and
 * 'error' in res} (Python). Output types with a field named {@code error} are refused at start, so
 * no success can look like a failure. An unknown event answers UNIMPLEMENTED, a payload of the
 * wrong shape INVALID_ARGUMENT, a closing server UNAVAILABLE, a saturated one or a client with too
 * many calls in flight ({@link Builder#maxCallsPerClient}) RESOURCE_EXHAUSTED; the connection stays
 * up. Service code and host handlers run on the server's call executor, never on Netty threads.
 *
 * <h2>Values</h2>
 *
 * Payloads, acks and broadcasts carry each type in the JSON form REST uses too: numbers for
 * integers, {@code float} and {@code double}; bytes as a base64 string (standard alphabet, padded:
 * {@code "AAEC+v8="}), not as binary attachments; an enum as its constant's name ({@code "NOVEL"});
 * an {@code Instant} as an RFC 3339 string ({@code "2026-12-05T10:15:30Z"}); a {@code Duration} as
 * an ISO-8601 string ({@code "PT1H30M"}); a {@code BigDecimal} as a string of its plain digits
 * ({@code "12.50"}), which JavaScript numbers could not hold exactly; a {@code Map<String, T>} as a
 * JSON object; nested records as objects; lists as arrays. A field without a value is left out of
 * what the server sends, and may be left out or null in what it receives. An operation answering
 * nothing acks {@code {}}. Requests of operations taking plain parameters ({@code get(long id)})
 * are objects of those parameters ({@code {"id":7}}); a value of the wrong type answers
 * INVALID_ARGUMENT naming the field ({@code "pages: String (expected: 32-bit integer)"}), as does a
 * record's own validation ({@code "Book: title: must not be blank"}).
 *
 * <h2>Broadcasts and host events</h2>
 *
 * Every value a publishing operation produces, through any transport, is emitted to all connected
 * clients under its event name ({@code task:saved} with the stored task), except to a client
 * watching that event (see Live feeds: it gets its watch's values instead, never the same value
 * twice) and, when the server authenticates and streaming operations deliver that event, to a
 * client none of them would admit ({@code @Roles}: its principal lacks every role they accept).
 * Hosts add their own events with {@link Builder#on(String, SocketIoHandler)} (first argument, main
 * namespace) or {@link Builder#on(String, String, SocketIoEventHandler)} (every argument, any
 * namespace), and listen to connects with {@link Builder#onConnect(String, Consumer)}: a listener
 * runs once the client's {@code CONNECT} for its namespace has been answered, and sees the
 * handshake's {@code auth} payload, headers, query and address on its {@link SocketIoSession},
 * which also joins and leaves rooms and emits to a room, to the others or to all of its namespace.
 * A namespace no handler or listener names is refused with {@code {"message":"Invalid namespace"}},
 * as Node's server refuses it.
 *
 * <p>Broadcast events are counted per recipient in {@code ServerStats.eventsDelivered} (handed to
 * its connection) and {@code eventsDropped} (its session closing or gone, a long-polling client
 * over its queue's bound, a failed send), under {@code "socketio"}.
 *
 * <h2>Cluster</h2>
 *
 * When the server's bus carries messages ({@code Transports.builder().bus(RedisBus.of(...))}), a
 * session's {@code broadcast}, {@code broadcastToOthers} and {@code sendToRoom} reach the clients
 * of every node: delivered here as on one node, and sent in the protocol of Node's
 * {@code @socket.io/redis-adapter} 8, so ipc nodes and Node socket.io 4 servers with that adapter
 * on one Redis share broadcasts both ways: channel {@code socket.io#<nsp>#} (or {@code
 * socket.io#<nsp>#<room>#} for one room), msgpack {@code [uid, {type: 2, data: [event, ...args],
 * nsp}, {rooms, except, flags}]}. Host arguments go as their JSON (Jackson), {@code byte[]} as
 * msgpack {@code bin}, which stays binary for every node's clients; other nodes' arguments reach
 * this node's clients as plain values. {@code except} holds socket ids (a session's id) and rooms;
 * every session is in the room named by its id, as in Node. Requests of Node nodes on {@code
 * socket.io-request#<nsp>#} (subscribed, so their {@code serverCount()} counts this node) are
 * answered on {@code socket.io-response#<nsp>#}: {@code allRooms}, {@code fetchSockets}
 * (credentials left out of the handshake), the sockets request, {@code socketsJoin}/{@code
 * socketsLeave}/{@code disconnectSockets} in both forms, and {@code emitWithAck} (client count,
 * then each client's ack); a {@code serverSideEmit} is ignored with one log line (no server-side
 * handlers here). Malformed messages are ignored, logged naming their channel only. Published
 * values are not sent there: they cross nodes on ipc's own channel already, and would otherwise
 * reach ipc nodes' clients twice. Delivery across nodes is at most once, as Redis pub/sub is.
 * {@link Builder#adapterKey} sets the prefix, as the adapter's {@code key} option.
 *
 * <h2>Live feeds</h2>
 *
 * A streaming operation (one answering a {@code Flow.Publisher}) is watched: a client emits its
 * event ({@code task:watchTasks}) with the request's fields as a filter ({@code
 * {"fromId":5,"toId":9}}, each optional), which acks {@code {}} once the stream is open (or the
 * usual error object: a refused role, a bad filter), and then receives each value as the
 * operation's item event ({@code task:saved}, in the JSON of the broadcast), to that client only.
 * Without a watch id, one watch per operation and connection: a second subscribe replaces the
 * first. The cancel event ({@code task:watchTasks:cancel}, acked {@code {}}) and the connection's
 * end cancel the stream on the server. A stream the server ends with an error sends the error event
 * ({@code task:watchTasks:error} with {@code {"code":"RESOURCE_EXHAUSTED","message":...}}); one
 * that completes (the server closing) disconnects the client, as the close does. The handshake's
 * headers, such as {@code Last-Event-ID}, reach the stream's call context.
 *
 * <p>With a watch id, a string after the filter ({@code emit('task:watchTasks', {fromId: 5}, 'w1',
 * ack)}, 1 to 128 characters), a connection holds any number of watches, of one operation or
 * several: each value arrives with the id as the item event's second argument ({@code task:saved},
 * value, {@code 'w1'}), the cancel event with the id ({@code emit('task:watchTasks:cancel', 'w1')})
 * ends that watch, the error event carries the id as its second argument, and a subscribe with an
 * id the connection already watches under replaces that watch. A connection holds at most {@link
 * Builder#maxCallsPerClient} watches; one more is answered RESOURCE_EXHAUSTED. The connection's end
 * ends all of them. A connection with any watch whose values arrive as an item event gets no
 * broadcast of that event (never the same value twice); the broadcast reaches it again once its
 * last such watch ended. After the filter, or after the watch id, the subscribe may carry call
 * metadata (below).
 *
 * <h2>Call metadata</h2>
 *
 * An operation's event may carry an object after its request ({@code emit('task:get', {id: 1},
 * {traceparent: '00-...'}, ack)}): its string values, under their names in lower case, join the
 * handshake's headers as that call's metadata ({@code CallContext.metadata()}), replacing a
 * handshake header of the same name, so a W3C {@code traceparent} continues a trace per call
 * ({@code IpcTracing}). Values of other types are left out, and so are {@code authorization} and
 * {@code cookie}: credentials are the handshake's, checked once per connection, and an event cannot
 * present others to an interceptor. Anything but an object there is ignored, as before.
 *
 * <p>A watcher over WebSocket is written to while less than 64 KiB waits unsent on its connection
 * (Netty's writability); past that the server holds its values in the stream's buffer ({@code
 * Transports.builder().streamBuffer}) and ends a watcher further behind with the error event. Over
 * long-polling, whose packets netty-socketio queues unencoded where no writability shows, the bound
 * is the session's queue ({@link Builder#maxMessageBytes}): a client past it is disconnected, which
 * ends its watches.
 *
 * <h2>Authentication</h2>
 *
 * When the server authenticates ({@code Transports.builder().authenticate(verifier)}), a client's
 * credentials are checked once per connection, at its {@code CONNECT} to the main namespace: the
 * token is the handshake's {@code auth.token} ({@code io(url, {auth: {token}})}, python-socketio's
 * {@code connect(url, auth={'token': ...})}), else its {@code Authorization: Bearer} header. A
 * token that verifies makes every call of the connection run as its principal ({@link
 * SocketIoSession#principal()}); none makes an anonymous connection, whose calls of operations
 * needing a role are answered {@code {"error":{"code":"UNAUTHENTICATED",...}}} (and a principal
 * without the role {@code PERMISSION_DENIED}); one that does not verify gets the connect error
 * {@code 44{"message":"invalid credentials"}} and no connection (events of a session without an
 * admitted {@code CONNECT} are answered UNAUTHENTICATED). Every call's {@code CallContext} has
 * transport {@code socketio}, the handshake's address and headers (with the call's own metadata,
 * see above), and that principal; acks carry no response metadata. The verifier runs once per
 * connect, on the call executor: the client's {@code CONNECT} is answered, and what it sent after
 * it is handled, once it returns, so a slow verifier (a remote token introspection) holds back that
 * client only, never an event loop.
 *
 * <h2>Browsers and TLS</h2>
 *
 * Browser pages of other origins are refused (403) unless {@link Builder#cors} lists them; clients
 * sending no {@code Origin} (Node, Python, Java) are always served. With {@code
 * Transports.builder().tls(...)} the port speaks TLS only ({@code https://}, {@code wss://}), from
 * the host's PEM certificate chain and key (and client CA for mutual TLS); a plain-text client is
 * closed at its first bytes. Acks and broadcasts then all go through Netty's TLS handler, never
 * written to the socket from call threads.
 *
 * <h2>Engine.IO errors</h2>
 *
 * Bad requests are answered at once as Node's engine.io answers them: HTTP 400 with {@code
 * {"code":N,"message":"..."}}, 0 for an unknown transport, 1 for an unknown (or timed out, or
 * closed) session id, 2 for a handshake with another method than GET, 3 for a poll of a session
 * upgraded to WebSocket or a second long-poll pending at once (which also ends that session), 5 for
 * an {@code EIO} other than 4. A packet that does not parse closes its connection.
 *
 * <h2>Ends of sessions</h2>
 *
 * As with Node's server: a client that leaves a namespace ({@code 41}), even its last one, keeps
 * its Engine.IO session (pings go on; it may connect again). A session the server ends (its close,
 * a completed live feed, a long-polling client too far behind) gets the disconnect packet {@code
 * 41} once, then over WebSocket a Close frame (1000) and the socket's close; a long-polling client
 * gets its {@code 41} on its next poll, and the server's close keeps the port open for that poll
 * (up to the ping timeout, within its grace period) for clients that connected and still poll.
 *
 * <pre>{@code
 * Transports.builder()
 *     .services(Reference.services())
 *     .transport(SocketIoTransport.builder().port(8080)
 *         .on("msg", (session, data, ack) -> session.send("message", "resend " + data))
 *         .build())
 *     .start();
 * }</pre>
 *
 * <p>Immutable and thread-safe; each {@link #start} binds a new server.
 */
public final class SocketIoTransport implements Transport {
  /** The default port, the article's. */
  public static final int DEFAULT_PORT = 8080;

  /** The default limit of one HTTP body or WebSocket message, as Node socket.io's: 1 MB. */
  public static final int DEFAULT_MAX_PAYLOAD = 1_000_000;

  /** The default number of connected clients beyond which handshakes are refused. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  /**
   * Default for {@link Builder#maxCallsPerClient}: gRPC's default calls per connection, here too.
   */
  public static final int DEFAULT_MAX_CALLS_PER_CLIENT = 1000;

  /** The default interval between Engine.IO pings, as Node socket.io's. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(25);

  /** The default time to wait for a pong before dropping a client, as Node socket.io's. */
  public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(20);

  /** The main namespace's name. */
  public static final String MAIN_NAMESPACE = "/";

  /** The default prefix of the cluster's channels, as Node's adapter's: {@code socket.io#/#}... */
  public static final String DEFAULT_ADAPTER_KEY = "socket.io";

  private static final Set<String> RESERVED =
      Set.of(
          "connect",
          "connect_error",
          "disconnect",
          "disconnecting",
          "newListener",
          "removeListener");

  final String host;
  final int port;
  final List<String> allowedOrigins;
  final int maxPayload;
  final int maxConnections;
  final long maxBufferedBytes;
  final int maxCallsPerClient;
  final Duration pingInterval;
  final Duration pingTimeout;
  final boolean compression;
  final int workerThreads;

  /** Where service code and host handlers run, if not the server's executor. */
  final java.util.concurrent.Executor executor;

  /** Per namespace ({@code "/"} the main one), its host events' handlers. */
  final Map<String, Map<String, SocketIoEventHandler>> handlers;

  /** Per namespace, its connect listeners. */
  final Map<String, List<Consumer<SocketIoSession>>> connectListeners;

  /** Per namespace, its disconnect listeners. */
  final Map<String, List<Consumer<SocketIoSession>>> disconnectListeners;

  /**
   * Every namespace clients may connect to: {@code "/"} and those named by a handler or listener.
   */
  final Set<String> namespaces;

  /** The cluster channels' prefix, as Node's adapter {@code key} option: {@code socket.io}. */
  final String adapterKey;

  SocketIoTransport(Builder b) {
    this.host = b.host();
    this.port = b.port();
    this.allowedOrigins = List.copyOf(b.allowedOrigins);
    this.maxPayload = b.maxPayload;
    this.maxConnections = b.maxConnections;
    this.maxBufferedBytes = b.maxBufferedBytes;
    this.maxCallsPerClient = b.maxCallsPerClient;
    this.pingInterval = b.pingInterval;
    this.pingTimeout = b.pingTimeout;
    this.compression = b.compression;
    this.workerThreads = b.workerThreads;
    this.executor = b.executor;
    Map<String, Map<String, SocketIoEventHandler>> h = new LinkedHashMap<>();
    b.handlers.forEach((ns, events) -> h.put(ns, Map.copyOf(events)));
    this.handlers = Map.copyOf(h);
    Map<String, List<Consumer<SocketIoSession>>> c = new LinkedHashMap<>();
    b.connectListeners.forEach((ns, l) -> c.put(ns, List.copyOf(l)));
    this.connectListeners = Map.copyOf(c);
    Map<String, List<Consumer<SocketIoSession>>> d = new LinkedHashMap<>();
    b.disconnectListeners.forEach((ns, l) -> d.put(ns, List.copyOf(l)));
    this.disconnectListeners = Map.copyOf(d);
    Set<String> ns = new java.util.LinkedHashSet<>();
    ns.add(MAIN_NAMESPACE);
    ns.addAll(handlers.keySet());
    ns.addAll(connectListeners.keySet());
    ns.addAll(disconnectListeners.keySet());
    this.namespaces = Set.copyOf(ns);
    this.adapterKey = b.adapterKey;
  }

  /** Returns a transport on {@code port} of every interface, with default settings. */
  public static SocketIoTransport of(int port) {
    return builder().port(port).build();
  }

  /** Returns a new builder; by default it binds port {@value #DEFAULT_PORT} on every interface. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "socketio";
  }

  @Override
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public RunningTransport start(TransportContext context) throws IOException {
    requireNonNull(context, "context");
    return DefaultSocketIoServer.start(
        this, executor == null ? context : context.withExecutor(executor));
  }

  @Override
  public String toString() {
    return "SocketIoTransport{" + address() + '}';
  }

  /**
   * Builds a {@link SocketIoTransport}; every setting has a default. The settings transports share
   * have the same names on every transport's builder and in URI options ({@code maxMessageBytes},
   * {@code maxBufferedBytes}, {@code cors}, {@code maxConnections}, {@code workerThreads}, {@code
   * executor}); see the README's Defaults section. Not thread-safe.
   */
  public static final class Builder extends TransportBuilder<Builder> {
    private final List<String> allowedOrigins = new ArrayList<>();
    private int maxPayload = DEFAULT_MAX_PAYLOAD;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private long maxBufferedBytes = Runtime.getRuntime().maxMemory() / 4;
    private int maxCallsPerClient = DEFAULT_MAX_CALLS_PER_CLIENT;
    private Duration pingInterval = DEFAULT_PING_INTERVAL;
    private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
    private boolean compression;
    // Half the processors: the loops only read and decode; service code, acks' encoding and most
    // acks' writes run on call threads (see DirectWrites), which need the other half.
    private int workerThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    private java.util.concurrent.Executor executor;
    private final Map<String, Map<String, SocketIoEventHandler>> handlers = new LinkedHashMap<>();
    private final Map<String, List<Consumer<SocketIoSession>>> connectListeners =
        new LinkedHashMap<>();
    private final Map<String, List<Consumer<SocketIoSession>>> disconnectListeners =
        new LinkedHashMap<>();
    private String adapterKey = DEFAULT_ADAPTER_KEY;

    Builder() {
      super(DEFAULT_PORT);
    }

    /**
     * Allows browser pages from {@code origins} ({@code https://example.com}, scheme, host and port
     * as the browser's {@code Origin} header names them) to connect, as REST's and GraphQL's {@code
     * cors} do; {@code "*"} allows every origin. Default: none. Requests carrying an {@code Origin}
     * header not on the list (a polling handshake or poll, a POST, a WebSocket upgrade) are refused
     * with 403 and Engine.IO's error body {@code {"code":4,"message":"Origin not allowed"}}, before
     * any session exists. Requests without {@code Origin} (Node, Python, Java clients) are always
     * served, as are same-origin ones, whose {@code Origin} names the request's own {@code Host}
     * (python-socketio's sync client sends such an {@code Origin} with its WebSocket). An origin on
     * the list is answered {@code Access-Control-Allow-Origin: <origin>} with {@code
     * Access-Control-Allow-Credentials: true}; one let in only by {@code "*"} gets {@code
     * Access-Control-Allow-Origin: *} and no credentials, so no page can send a user's cookies.
     */
    public Builder cors(String... origins) {
      requireNonNull(origins, "origins");
      List<String> list = new ArrayList<>();
      for (String o : origins) {
        String origin = requireNonNull(o, "origin").trim();
        if (origin.equals("*")) {
          list.add(origin);
          continue;
        }
        if (origin.isEmpty() || origin.endsWith("/") || !origin.contains("://")) {
          throw new IllegalArgumentException(
              "origin: " + o + " (expected: scheme://host[:port] or *)");
        }
        list.add(origin.toLowerCase(Locale.ROOT));
      }
      allowedOrigins.clear();
      allowedOrigins.addAll(list);
      return this;
    }

    /**
     * Sets the largest HTTP body or WebSocket message accepted, in bytes; a client sending more is
     * disconnected (default: {@value #DEFAULT_MAX_PAYLOAD}). A WebSocket client that stops reading
     * is disconnected too, once more than 4 times this (at least 16 MiB) waits unsent for it; a
     * long-polling client that stops polling, once more packets wait for it than that many bytes
     * make KiB (16,384 at least). Polling counts packets, not bytes: netty-socketio queues them
     * unencoded, so their size is unknown until a poll takes them.
     */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxMessageBytes: " + bytes + " (expected: >= 1024)");
      }
      this.maxPayload = bytes;
      return this;
    }

    /**
     * Sets the largest HTTP body or WebSocket message accepted, in bytes.
     *
     * @deprecated use {@link #maxMessageBytes(int)}, the name every transport uses (Engine.IO's
     *     handshake still calls it {@code maxPayload})
     */
    @Deprecated
    public Builder maxPayload(int bytes) {
      return maxMessageBytes(bytes);
    }

    /**
     * Sets how many clients may be connected at once, counted as open Engine.IO sessions (whether
     * or not they joined a namespace); further handshakes get 503 (default: {@value
     * #DEFAULT_MAX_CONNECTIONS}).
     */
    public Builder maxConnections(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxConnections: " + max + " (expected: > 0)");
      }
      this.maxConnections = max;
      return this;
    }

    /**
     * Sets how many events of one client may be in flight at once (handed to the call executor and
     * not yet done there); one more is answered RESOURCE_EXHAUSTED through its ack, and the
     * connection stays up (default: {@value #DEFAULT_MAX_CALLS_PER_CLIENT}). So one client emitting
     * without waiting for its acks cannot fill the executor's queue that every client shares. An
     * event sent without an ack has no way back, so beyond the limit it is dropped, as Socket.IO's
     * at-most-once delivery allows, and logged at debug level. The same number bounds the watches
     * of live feeds one connection holds (each holds a stream and its buffer on the server).
     */
    public Builder maxCallsPerClient(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("maxCallsPerClient: " + max + " (expected: > 0)");
      }
      this.maxCallsPerClient = max;
      return this;
    }

    /**
     * Sets how many bytes of incoming messages not yet whole (an HTTP body still arriving, a
     * WebSocket message whose last frame has not come) the server holds over all connections
     * (default: a quarter of the JVM's maximum heap). A connection that would go beyond is refused,
     * 503 over HTTP or close code 1013 (try again later) over WebSocket, and closed, so many large
     * or slowly sent messages cannot exhaust the memory while other clients are still served.
     */
    public Builder maxBufferedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBufferedBytes: " + bytes + " (expected: > 0)");
      }
      this.maxBufferedBytes = bytes;
      return this;
    }

    /** Sets the interval between Engine.IO pings (default: 25 s). */
    public Builder pingInterval(Duration interval) {
      this.pingInterval =
          TransportOptions.positive("pingInterval", interval, requireNonNull(interval, "interval"));
      return this;
    }

    /** Sets how long to wait for a pong before dropping the client (default: 20 s). */
    public Builder pingTimeout(Duration timeout) {
      this.pingTimeout =
          TransportOptions.positive("pingTimeout", timeout, requireNonNull(timeout, "timeout"));
      return this;
    }

    /**
     * Enables permessage-deflate on WebSocket and gzip on polling responses. Off by default: for
     * the small messages of calls it costs more CPU than it saves bytes.
     */
    public Builder compression(boolean enabled) {
      this.compression = enabled;
      return this;
    }

    /**
     * Sets the number of event-loop threads (default: half the number of processors, at least one).
     * The loops read, decode and route events, and write broadcasts; service calls and their acks
     * run on the server's call executor.
     */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads < 1) {
        throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: >= 1)");
      }
      this.workerThreads = workerThreads;
      return this;
    }

    /**
     * Runs service code, host handlers and listeners on {@code executor} instead of the server's
     * shared one ({@code Transports.builder().executor}), never on an event loop. When it refuses
     * work, the event is answered RESOURCE_EXHAUSTED, as with the server's.
     */
    public Builder executor(java.util.concurrent.Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Handles the client event {@code event} with {@code handler}, next to the services' events.
     *
     * @throws IllegalArgumentException if the name is reserved by Socket.IO ({@code connect},
     *     {@code disconnect}...) or already has a handler; a clash with a service event is reported
     *     when the transport starts
     */
    public Builder on(String event, SocketIoHandler handler) {
      requireNonNull(handler, "handler");
      return on(
          MAIN_NAMESPACE,
          event,
          (session, args, ack) ->
              handler.handle(session, args.isEmpty() ? null : args.get(0), ack));
    }

    /**
     * Handles the client event {@code event} in {@code namespace} ({@code "/"} for the main one,
     * where the services' events are too) with {@code handler}, which gets every argument of the
     * event. A namespace named here, or by a listener, accepts clients; any other is refused with
     * Socket.IO's connect error {@code {"message":"Invalid namespace"}}.
     *
     * @throws IllegalArgumentException if the namespace does not start with {@code /}, the name is
     *     reserved by Socket.IO ({@code connect}, {@code disconnect}...) or already has a handler
     *     there
     */
    public Builder on(String namespace, String event, SocketIoEventHandler handler) {
      checkNamespace(namespace);
      requireNonNull(event, "event");
      requireNonNull(handler, "handler");
      if (event.isEmpty() || RESERVED.contains(event)) {
        throw new IllegalArgumentException(
            "event: " + event + " (expected: not empty nor one of " + RESERVED + ")");
      }
      if (handlers
              .computeIfAbsent(namespace, k -> new LinkedHashMap<>())
              .putIfAbsent(event, handler)
          != null) {
        throw new IllegalArgumentException(
            "event: " + event + " (expected: one handler per event)");
      }
      return this;
    }

    private static void checkNamespace(String namespace) {
      requireNonNull(namespace, "namespace");
      if (!namespace.startsWith("/") || namespace.contains(",") || namespace.contains("?")) {
        throw new IllegalArgumentException(
            "namespace: " + namespace + " (expected: / or /name, without , or ?)");
      }
    }

    /**
     * Calls {@code listener} (on the call executor) when a client has connected to the main
     * namespace: once its {@code CONNECT} packet ({@code 40}) has come and been answered, not when
     * its Engine.IO session opens, so nothing it sends reaches a client not yet connected. One
     * session's connect and disconnect listeners run one at a time, in that order, and other
     * sessions' run meanwhile.
     */
    public Builder onConnect(Consumer<SocketIoSession> listener) {
      return onConnect(MAIN_NAMESPACE, listener);
    }

    /**
     * Calls {@code listener} as {@link #onConnect(Consumer)} does, when a client has connected to
     * {@code namespace} (its {@code CONNECT} packet for it has come and been answered).
     */
    public Builder onConnect(String namespace, Consumer<SocketIoSession> listener) {
      checkNamespace(namespace);
      connectListeners
          .computeIfAbsent(namespace, k -> new ArrayList<>())
          .add(requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Calls {@code listener} (on the call executor, or on a thread of this transport if a saturated
     * executor refuses it) when a client has gone, with or without saying so (a silent one at its
     * ping timeout, over WebSocket or long-polling), or the server closes, once that session's
     * connect listeners have returned; not for a session whose connect listeners were never called
     * (refused over {@code maxConnections}, or skipped by a saturated executor). A graceful close
     * waits for connect and disconnect listeners queued or running, like calls in flight.
     */
    public Builder onDisconnect(Consumer<SocketIoSession> listener) {
      return onDisconnect(MAIN_NAMESPACE, listener);
    }

    /**
     * Calls {@code listener} as {@link #onDisconnect(Consumer)} does, when a client of {@code
     * namespace} has left it or gone.
     */
    public Builder onDisconnect(String namespace, Consumer<SocketIoSession> listener) {
      checkNamespace(namespace);
      disconnectListeners
          .computeIfAbsent(namespace, k -> new ArrayList<>())
          .add(requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Sets the prefix of the cluster's channels (default {@value #DEFAULT_ADAPTER_KEY}), as the
     * {@code key} option of Node's {@code @socket.io/redis-adapter}: every node of one cluster, ipc
     * or Node, must use the same. Only used when the server's bus carries messages ({@code
     * Transports.builder().bus(RedisBus.of(...))}); see the class's Cluster section.
     */
    public Builder adapterKey(String key) {
      requireNonNull(key, "key");
      if (key.isEmpty() || key.contains("*") || key.contains("?") || key.contains("[")) {
        throw new IllegalArgumentException(
            "adapterKey: " + key + " (expected: not empty, without * ? [)");
      }
      this.adapterKey = key;
      return this;
    }

    /**
     * Binds the URI options ({@code
     * socketio://0.0.0.0:8080?maxMessageBytes=1MiB&cors=https://a.example}): {@code
     * maxMessageBytes}, {@code maxBufferedBytes} (bytes, or with KiB/MiB/GiB), {@code cors}
     * (comma-separated origins), {@code maxConnections}, {@code maxCallsPerClient}, {@code
     * workerThreads}, {@code pingInterval}, {@code pingTimeout} (durations like {@code 25s}),
     * {@code compression}, {@code adapterKey}; the deprecated {@code maxPayload} still works.
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table
          .size("maxMessageBytes", this::maxMessageBytes)
          .longSize("maxBufferedBytes", this::maxBufferedBytes)
          .list("cors", this::cors)
          .positive("maxConnections", this::maxConnections)
          .positive("maxCallsPerClient", this::maxCallsPerClient)
          .positive("workerThreads", this::workerThreads)
          .duration("pingInterval", this::pingInterval)
          .duration("pingTimeout", this::pingTimeout)
          .bool("compression", this::compression)
          .string("adapterKey", this::adapterKey)
          .alias("maxPayload", "maxMessageBytes");
    }

    /** Returns the transport. */
    public SocketIoTransport build() {
      return new SocketIoTransport(this);
    }
  }
}
