package dev.ipc.socketio;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;
import com.corundumstudio.socketio.namespace.Namespace;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.Principal;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.StreamSink;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.socketio.internal.EngineIoClose;
import dev.ipc.socketio.internal.MainNamespaceConnect;
import dev.ipc.socketio.internal.NettySocketIo;
import dev.ipc.socketio.internal.PollRejoinsMainNamespace;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running Socket.IO server: netty-socketio behind the fixes and routing of this package. */
final class DefaultSocketIoServer implements RunningTransport {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultSocketIoServer.class);
  private static final String CALLS_KEY = "ipc.callsInFlight";

  /** The session's {@link Connection}, set when its main-namespace CONNECT is admitted. */
  private static final String CONNECTION_KEY = "ipc.connection";

  /** The session's handshake headers as {@link Metadata}, made at its first call. */
  private static final String METADATA_KEY = "ipc.metadata";

  /** The connect error a token that does not verify gets, as Node's middleware errors read. */
  static final String INVALID_CREDENTIALS = "invalid credentials";

  private static final com.fasterxml.jackson.databind.ObjectMapper AUTH_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * What a session's main-namespace CONNECT authenticated, once per connection: the principal its
   * token verified as, or null for an anonymous connection (or a server that does not
   * authenticate). The token itself is never kept.
   */
  private record Connection(Principal principal) {}

  /**
   * A watch's place among its connection's: its operation's subscribe event and the id the client
   * named it by, null for the operation's one unnamed watch.
   */
  private record WatchKey(String event, String id) {}

  /** The longest watch id a client may pick: ids are the client's labels, not payloads. */
  static final int MAX_WATCH_ID = 128;

  /**
   * Per-call metadata names never taken from an event: credentials are the handshake's, checked
   * once per connection, so an event cannot present other ones to an interceptor reading them.
   */
  private static final java.util.Set<String> HANDSHAKE_ONLY =
      java.util.Set.of("authorization", "cookie");

  /** What a client emits after a streaming operation's event to end its watch. */
  static final String CANCEL = ":cancel";

  /**
   * What the server emits after a streaming operation's event when it ends a watch with an error.
   */
  static final String ERROR = ":error";

  private final SocketIoTransport settings;
  private final TransportContext context;

  /**
   * Per item event ({@code task:saved}), the streaming operations whose values arrive as it: a
   * published value of that event is broadcast, under authentication, only to connections those
   * operations would admit.
   */
  private final Map<String, List<Operation<?, ?, ?>>> readersOf;

  /**
   * Per session id, its watches (see {@link Watch}): at most one unnamed watch per operation, and
   * any number of named ones (up to {@code maxCallsPerClient}), each by its operation's event and
   * its id.
   */
  private final ConcurrentHashMap<UUID, Map<WatchKey, Watch>> watching = new ConcurrentHashMap<>();

  /** Per namespace, what answers each event name. */
  private final Map<String, Map<String, Route>> routes;

  /** The main namespace's, looked up first. */
  private final Map<String, Route> mainRoutes;

  /**
   * The clients connected to the main namespace (their {@code 40} answered), which broadcasts
   * reach; netty-socketio's own list holds every Engine.IO session from its open (see
   * MainNamespaceConnect).
   */
  private final ConcurrentHashMap<UUID, SocketIOClient> joined = new ConcurrentHashMap<>();

  private final SocketIOServer server;
  private final SocketIoPipeline pipeline;
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /**
   * Events being answered plus session listener calls queued or running: a close waits for them.
   */
  private final AtomicInteger inFlight = new AtomicInteger();

  private final Object drained = new Object();
  private final AtomicBoolean stopped = new AtomicBoolean();

  /**
   * Per session id, the connect and disconnect listener calls not yet run: one session's run one at
   * a time and in event order (a host adding state on connect and removing it on disconnect must
   * never see the removal first), while other sessions' run beside them.
   */
  private final ConcurrentHashMap<SessionKey, SessionListeners> sessionListeners =
      new ConcurrentHashMap<>();

  /** A session in one namespace: a client connected to two has two, each with its listeners. */
  private record SessionKey(UUID id, String namespace) {}

  /**
   * Runs the listener calls of a session whose disconnect the call executor refused: its connect
   * listeners ran, so a host that added state then must hear of the disconnect to remove it. One
   * thread, started only when needed and ended after a second idle; never shut down, so a
   * disconnect refused while or after the server closes (the executor is shut down then) still
   * runs. Its queue holds at most one task per session (a session's calls are drained by one task
   * at a time).
   */
  private final ThreadPoolExecutor fallback =
      new ThreadPoolExecutor(
          0,
          1,
          1,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "ipc-socketio-listeners");
            t.setDaemon(true);
            return t;
          });

  private final int maxPollingBacklog;
  private final DirectWrites direct; // null: everything goes through the event loop
  private volatile boolean closing;
  private ChannelFuture bound;
  private AutoCloseable subscription;

  /**
   * This node's place in the Socket.IO cluster, or null when the bus carries no messages (one
   * node).
   */
  private volatile AdapterCluster cluster;

  /**
   * Broadcast events handed to a client connection, one per recipient (see {@link
   * #eventsDelivered}).
   */
  private final java.util.concurrent.atomic.LongAdder delivered =
      new java.util.concurrent.atomic.LongAdder();

  /** Broadcast events meant for a client that did not take them (see {@link #eventsDropped}). */
  private final java.util.concurrent.atomic.LongAdder dropped =
      new java.util.concurrent.atomic.LongAdder();

  private DefaultSocketIoServer(SocketIoTransport settings, TransportContext context) {
    // First: a netty-socketio whose internals differ from the fixes' must fail the start, by name.
    NettySocketIo.check();
    this.settings = settings;
    this.context = context;
    this.routes = routes(settings, context);
    this.mainRoutes = routes.getOrDefault(SocketIoTransport.MAIN_NAMESPACE, Map.of());
    Map<String, List<Operation<?, ?, ?>>> readers = new HashMap<>();
    for (BoundService service : context.services()) {
      for (BoundOperation op : service.operations()) {
        if (op.operation().streaming()) {
          readers
              .computeIfAbsent(op.operation().itemEvent(), k -> new java.util.ArrayList<>())
              .add(op.operation());
        }
      }
    }
    readers.replaceAll((k, v) -> List.copyOf(v));
    this.readersOf = Map.copyOf(readers);
    this.maxPollingBacklog = maxPollingBacklog(settings.maxPayload);

    Configuration config = new Configuration();
    config.setHostname(settings.host);
    config.setPort(settings.port);
    RoutingJsonSupport json = new RoutingJsonSupport(new JacksonJsonSupport(), settings.maxPayload);
    config.setJsonSupport(json);
    io.netty.handler.ssl.SslContext tls =
        context.tls().map(DefaultSocketIoServer::sslContext).orElse(null);
    // Compressed frames need the deflater on the loop; those acks take netty-socketio's path. Under
    // TLS
    // none either: DirectWrites writes plain bytes to the socket itself, past the pipeline and so
    // past
    // its SslHandler; every ack and broadcast then goes through the pipeline, encrypted (as
    // ipc-http
    // turns its direct writes off under TLS).
    this.direct =
        settings.compression || tls != null ? null : new DirectWrites(json, settings.maxPayload);
    // Acks are sent by the call once it is done, on the call executor; never an automatic empty
    // one.
    config.setAckMode(AckMode.MANUAL);
    // Without it a client picks its session id with an `io` cookie or header.
    config.setRandomSession(true);
    config.setTransports(Transport.POLLING, Transport.WEBSOCKET);
    config.setPingInterval((int) settings.pingInterval.toMillis());
    config.setPingTimeout((int) settings.pingTimeout.toMillis());
    config.setMaxHttpContentLength(settings.maxPayload);
    config.setMaxFramePayloadLength(settings.maxPayload);
    config.setWebsocketCompression(settings.compression);
    config.setHttpCompression(settings.compression);
    config.setAddVersionHeader(false);
    config.setBossThreads(1);
    config.setWorkerThreads(settings.workerThreads);
    // NIO wherever a call thread writes the socket itself (see DirectWrites): Netty's epoll channel
    // frees its file descriptor at once on close, so a write racing the close could reach a
    // connection
    // accepted meanwhile under the same number; the JDK's channel frees it only after that write.
    config.setUseLinuxNativeEpoll(direct == null && io.netty.channel.epoll.Epoll.isAvailable());
    config.getSocketConfig().setReuseAddress(true);
    config.setExceptionListener(new QuietExceptionListener());

    this.server = new SocketIOServer(config);
    // The default channel initializer's timer, started by netty-socketio's constructor and never
    // stopped once ours replaces it; Netty would report it as a leak.
    NettySocketIo.stopDefaultScheduler(server);
    this.pipeline =
        new SocketIoPipeline(
            channels,
            settings.maxPayload,
            settings.allowedOrigins,
            this::openSessions,
            settings.maxConnections,
            () -> closing,
            direct != null,
            settings.maxBufferedBytes,
            new MainNamespaceConnect(this::admit, this::onMainConnect, 4L * settings.maxPayload),
            head -> head.getStore().get(CONNECTION_KEY) != null,
            tls);
    server.setPipelineFactory(pipeline);
    for (String name : settings.namespaces) {
      SocketIONamespace ns =
          name.equals(SocketIoTransport.MAIN_NAMESPACE)
              ? server.getNamespace(Namespace.DEFAULT_NAME)
              : server.addNamespace(name);
      ns.addEventListener(
          RoutingJsonSupport.DISPATCH, RoutingJsonSupport.Incoming.class, this::onEvent);
      ns.addDisconnectListener(this::onDisconnect);
      if (name.equals(SocketIoTransport.MAIN_NAMESPACE)) {
        // Runs at the Engine.IO open, before the client's 40: see onEngineOpen and onMainConnect.
        ns.addConnectListener(this::onEngineOpen);
      } else {
        // netty-socketio joins custom namespaces only on the client's CONNECT: its listener is
        // right.
        ns.addConnectListener(this::onConnect);
      }
    }
  }

  static DefaultSocketIoServer start(SocketIoTransport settings, TransportContext context)
      throws IOException {
    DefaultSocketIoServer s = new DefaultSocketIoServer(settings, context);
    Future<Void> f = s.server.startAsync();
    f.awaitUninterruptibly();
    if (!f.isSuccess()) {
      s.stopInBackground();
      Throwable cause = f.cause();
      throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
    }
    s.bound = (ChannelFuture) f;
    s.subscription = context.subscribe(s::broadcast);
    if (context.messages().carries()) {
      // Node's @socket.io/redis-adapter protocol on the bus's raw channels: hosts' broadcasts reach
      // clients of every node, ipc or Node, and Node nodes' requests are answered (see
      // AdapterCluster).
      AdapterCluster c =
          new AdapterCluster(
              s,
              context.messages(),
              settings.adapterKey,
              settings.namespaces,
              context.tls().isPresent());
      s.cluster = c;
      try {
        c.start();
      } catch (RuntimeException e) {
        // A node that cannot hear the cluster must not serve as part of it: the start fails.
        s.shutdownNow();
        throw e;
      }
    }
    return s;
  }

  /**
   * The server's TLS from the host's PEM files (Netty reads PKCS#8 and PKCS#1 keys); with a client
   * CA, client certificates as {@code tls.clientAuth()} says.
   */
  private static io.netty.handler.ssl.SslContext sslContext(dev.ipc.core.Tls tls) {
    try {
      io.netty.handler.ssl.SslContextBuilder b =
          io.netty.handler.ssl.SslContextBuilder.forServer(
              tls.certificateChain().toFile(), tls.privateKey().toFile());
      if (tls.clientCa() != null) {
        b.trustManager(tls.clientCa().toFile())
            .clientAuth(
                tls.clientAuth() == dev.ipc.core.Tls.ClientAuth.REQUIRE
                    ? io.netty.handler.ssl.ClientAuth.REQUIRE
                    : tls.clientAuth() == dev.ipc.core.Tls.ClientAuth.OPTIONAL
                        ? io.netty.handler.ssl.ClientAuth.OPTIONAL
                        : io.netty.handler.ssl.ClientAuth.NONE);
      }
      return b.build();
    } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
      // Names the files, never their contents.
      throw new IllegalArgumentException(
          "cannot set up TLS from "
              + tls.certificateChain()
              + " and "
              + tls.privateKey()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static Map<String, Map<String, Route>> routes(
      SocketIoTransport settings, TransportContext context) {
    Map<String, Route> routes = new HashMap<>();
    for (BoundService service : context.services()) {
      for (BoundOperation op : service.operations()) {
        Operation<?, ?, ?> o = op.operation();
        for (Field f : o.output().fields()) {
          if (f.name().equals("error")) {
            throw new IllegalArgumentException(
                o + ": output field 'error' (expected: none, Socket.IO acks use it for failures)");
          }
        }
        if (o.streaming()) {
          if (routes.put(o.event(), new StreamRoute(op)) != null
              || routes.put(o.event() + CANCEL, new CancelRoute(o.event())) != null) {
            throw new IllegalArgumentException(
                "event: " + o.event() + " (expected: one operation per event)");
          }
        } else if (routes.put(o.event(), new OperationRoute(op)) != null) {
          throw new IllegalArgumentException(
              "event: " + o.event() + " (expected: one operation per event)");
        }
      }
    }
    Map<String, Map<String, Route>> all = new HashMap<>();
    for (String ns : settings.namespaces) {
      Map<String, Route> nsRoutes =
          ns.equals(SocketIoTransport.MAIN_NAMESPACE) ? routes : new HashMap<>();
      for (Map.Entry<String, SocketIoEventHandler> e :
          settings.handlers.getOrDefault(ns, Map.of()).entrySet()) {
        if (nsRoutes.put(e.getKey(), new HandlerRoute(e.getValue())) != null) {
          throw new IllegalArgumentException(
              "event: "
                  + e.getKey()
                  + " (expected: not an operation's event; it has a handler already)");
        }
      }
      all.put(ns, Map.copyOf(nsRoutes));
    }
    return Map.copyOf(all);
  }

  // The Engine.IO session: netty-socketio may replace a namespace client object, never the session.
  private static Object lockOf(SocketIOClient client) {
    return client instanceof NamespaceClient nc ? nc.getBaseClient() : client;
  }

  /**
   * Returns how many packets a long-polling session may have queued unsent before its client counts
   * as gone: the WebSocket rule's byte limit (4 times maxPayload, at least 16 MiB; see {@link
   * SocketIoPipeline#MIN_UNSENT_LIMIT}) in packets of 1 KiB. A count, not bytes: netty-socketio
   * queues packets unencoded in a private queue and encodes them only when a poll takes them, so
   * their size is unknown until then.
   */
  static int maxPollingBacklog(int maxPayload) {
    long bytes = Math.max(SocketIoPipeline.MIN_UNSENT_LIMIT, 4L * maxPayload);
    return (int) Math.min(Integer.MAX_VALUE, bytes / 1024);
  }

  /**
   * Sends an operation's ack: from this thread if {@link DirectWrites} can, else as {@link #send}.
   */
  private void sendAck(SocketIOClient client, AckRequest ack, Object[] args) {
    if (!ack.isAckRequested()) {
      return;
    }
    if (direct != null && client instanceof NamespaceClient nc) {
      synchronized (lockOf(client)) {
        if (direct.trySendAck(nc.getBaseClient(), ack, args)) {
          return;
        }
      }
    }
    send(client, () -> ack.sendAckData(args));
  }

  /** How many acks and broadcasts {@link DirectWrites} wrote; for tests. */
  long directWrites() {
    return direct == null ? 0 : direct.written();
  }

  /** The bytes of incoming messages not yet whole, over all connections; for tests. */
  long bufferedBytes() {
    return pipeline.bufferedBytes();
  }

  /** How many of those the socket took only in part; for tests. */
  long directRemainders() {
    return direct == null ? 0 : direct.remainders();
  }

  /**
   * Sends to {@code client} under its session lock (the Engine.IO session, which its upgrade to
   * WebSocket takes too: see UpgradeUnderSessionLock), then drops a long-polling client whose queue
   * has outgrown {@link #maxPollingBacklog}: a client that keeps its session but stops polling
   * would otherwise have every event, ack and broadcast queued for it without bound until its ping
   * timeout, or for good if it keeps sending pongs.
   */
  boolean send(SocketIOClient client, Runnable send) {
    synchronized (lockOf(client)) {
      send.run();
      if (client instanceof NamespaceClient nc
          && nc.getBaseClient().getCurrentTransport() == Transport.POLLING) {
        ClientHead head = nc.getBaseClient();
        Queue<Packet> queue = head.getPacketsQueue(Transport.POLLING);
        if (head.isConnected() && longerThan(queue, maxPollingBacklog)) {
          LOG.debug(
              "dropped {}: more than {} packets await its polls",
              head.getSessionId(),
              maxPollingBacklog);
          // As for a ping timeout: the session, its rooms and pending acks go, listeners hear of
          // it.
          head.disconnect();
          queue.clear();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Sends one broadcast event to {@code client} as {@link #send} does, and counts it: delivered
   * when handed to a connection that keeps it, dropped when the session was closing or gone, over
   * its queue's bound (then disconnected), or the send failed.
   */
  private void sendCounted(SocketIOClient client, Runnable send) {
    if (client instanceof NamespaceClient nc && !nc.getBaseClient().isConnected()) {
      dropped.increment();
      return;
    }
    boolean kept;
    try {
      kept = send(client, send);
    } catch (RuntimeException e) {
      LOG.debug("a broadcast to {} failed", client.getSessionId(), e);
      kept = false;
    }
    (kept ? delivered : dropped).increment();
  }

  // ConcurrentLinkedQueue.size() walks the queue anyway; stop at the limit.
  private static boolean longerThan(Queue<Packet> queue, int limit) {
    int n = 0;
    for (Iterator<Packet> it = queue.iterator(); it.hasNext(); it.next()) {
      if (++n > limit) {
        return true;
      }
    }
    return false;
  }

  // Runs on a Netty thread: decide, then hand over to the call executor.
  private void onEvent(SocketIOClient client, RoutingJsonSupport.Incoming in, AckRequest ack) {
    SocketIONamespace ns = client.getNamespace();
    Map<String, Route> nsRoutes =
        ns.getName().equals(Namespace.DEFAULT_NAME)
            ? mainRoutes
            : routes.getOrDefault(ns.getName(), Map.of());
    Route route = nsRoutes.get(in.name());
    if (route == null) {
      ackError(client, ack, ErrorCode.UNIMPLEMENTED, "unknown event: " + Values.shown(in.name()));
      return;
    }
    if (context.authenticates() && nsRoutes == mainRoutes && client.get(CONNECTION_KEY) == null) {
      // netty-socketio takes events of a session that never sent its CONNECT (or had it refused);
      // Node's server ignores them. With authentication they could bypass it: refuse them.
      ackError(
          client,
          ack,
          ErrorCode.UNAUTHENTICATED,
          "not connected (expected: a CONNECT packet first)");
      return;
    }
    if (route instanceof CancelRoute cancel) {
      // On the loop, in the order the client's packets came: a cancel right after its subscribe
      // ends
      // the watch that subscribe made, never one made later.
      cancel.cancel(this, client, in.args(), ack);
      return;
    }
    AtomicInteger calls = callsOf(client);
    if (calls.incrementAndGet() > settings.maxCallsPerClient) {
      calls.decrementAndGet();
      LOG.debug(
          "refused {} of {}: too many calls in flight",
          Values.shown(in.name()),
          client.getSessionId());
      ackError(
          client,
          ack,
          ErrorCode.RESOURCE_EXHAUSTED,
          "more than "
              + settings.maxCallsPerClient
              + " calls of this client in flight; wait for their acks");
      return;
    }
    // Count the call before looking at `closing`: a close that starts in between then waits for it,
    // instead of stopping the server under a call it never saw.
    inFlight.incrementAndGet();
    if (closing) {
      done(calls);
      ackError(client, ack, ErrorCode.UNAVAILABLE, "the server is shutting down");
      return;
    }
    List<Object> data = in.args();
    // A subscribe takes its place among the connection's watches here, on the loop, in packet order
    // (replacing the watch before it under its id); the stream opens on the call executor.
    Route task =
        route instanceof StreamRoute stream ? stream.watch(this, client, data, ack) : route;
    if (task == null) {
      done(calls); // refused, and answered
      return;
    }
    try {
      context
          .executor()
          .execute(
              () -> {
                try {
                  task.run(this, client, data, ack);
                } catch (RuntimeException | Error e) {
                  LOG.warn("answering {} failed", Values.shown(in.name()), e);
                } finally {
                  done(calls);
                }
              });
    } catch (RejectedExecutionException e) {
      done(calls);
      if (task instanceof Watch w) {
        w.forget(); // broadcasts of its event reach the client again
        w.cancel();
      }
      ackError(client, ack, ErrorCode.RESOURCE_EXHAUSTED, "the server is busy; retry later");
    }
  }

  /**
   * Returns the count of {@code client}'s calls in flight, kept in its session's store so it goes
   * with the session. Created under the session's lock: a long-polling session's posts may arrive
   * on two connections, so two event loops at once.
   */
  private AtomicInteger callsOf(SocketIOClient client) {
    AtomicInteger calls = client.get(CALLS_KEY);
    if (calls == null) {
      synchronized (lockOf(client)) {
        calls = client.get(CALLS_KEY);
        if (calls == null) {
          calls = new AtomicInteger();
          client.set(CALLS_KEY, calls);
        }
      }
    }
    return calls;
  }

  private void done(AtomicInteger calls) {
    calls.decrementAndGet();
    done();
  }

  private void ackError(SocketIOClient client, AckRequest ack, ErrorCode code, String message) {
    if (ack.isAckRequested()) {
      send(client, () -> ack.sendAckData(Values.error(code, message)));
    }
  }

  private void done() {
    if (inFlight.decrementAndGet() == 0 && closing) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /**
   * netty-socketio's main-namespace connect, at the Engine.IO open (see MainNamespaceConnect): no
   * listener yet, only the guards that belong to a session's start.
   */
  private void onEngineOpen(SocketIOClient client) {
    if (client instanceof NamespaceClient nc && PollRejoinsMainNamespace.undo(nc)) {
      return;
    }
    if (openSessions() > settings.maxConnections) {
      // Handshakes raced past the gate; the newest goes.
      client.disconnect();
    }
  }

  /**
   * How many Engine.IO sessions are open, in a namespace or not: what {@code maxConnections}
   * bounds, so a client that leaves every namespace ({@code 41}) and keeps its session still
   * counts.
   */
  private int openSessions() {
    return pipeline.openSessions();
  }

  /**
   * Returns the namespace of {@code client} as the host names it: {@code "/"} for netty-socketio's
   * "".
   */
  static String namespaceOf(SocketIOClient client) {
    String name = client.getNamespace().getName();
    return name.equals(Namespace.DEFAULT_NAME) ? SocketIoTransport.MAIN_NAMESPACE : name;
  }

  /**
   * Decides on a main-namespace {@code CONNECT} (called on the event loop, before netty-socketio
   * answers it): without authentication every one goes on. With it, the token is the {@code auth}
   * payload's {@code token}, else the handshake's {@code Authorization: Bearer} header; none makes
   * an anonymous connection, one that verifies a connection with its principal, and one that does
   * not a connect error ({@code 44{"message":"invalid credentials"}}) and no connection. The
   * verifier is the host's code and may block (a remote introspection, say): it runs on the call
   * executor, and the session's packets wait meanwhile (see MainNamespaceConnect), so no event loop
   * ever waits for it. The token is never logged.
   */
  private java.util.concurrent.CompletionStage<Boolean> admit(ClientHead head, String auth) {
    PollRejoinsMainNamespace.connecting(head);
    if (!context.authenticates()) {
      head.getStore().set(CONNECTION_KEY, new Connection(null));
      return ADMITTED;
    }
    String token;
    try {
      token = token(head, auth);
    } catch (IllegalArgumentException e) {
      LOG.debug("refused the connect of {}: {}", head.getSessionId(), e.getMessage());
      refuseConnect(head, INVALID_CREDENTIALS);
      return REFUSED;
    }
    if (token == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(admitAs(head, null));
    }
    java.util.concurrent.CompletableFuture<Boolean> decided =
        new java.util.concurrent.CompletableFuture<>();
    try {
      context.executor().execute(() -> decided.complete(verify(head, token)));
    } catch (RejectedExecutionException e) {
      LOG.debug("refused the connect of {}: the call executor is saturated", head.getSessionId());
      refuseConnect(head, "the server is busy; retry later");
      return REFUSED;
    }
    return decided;
  }

  private static final java.util.concurrent.CompletionStage<Boolean> ADMITTED =
      java.util.concurrent.CompletableFuture.completedStage(true);
  private static final java.util.concurrent.CompletionStage<Boolean> REFUSED =
      java.util.concurrent.CompletableFuture.completedStage(false);

  /** Runs the host's verifier on {@code token} (on the call executor); returns whether to admit. */
  private boolean verify(ClientHead head, String token) {
    Principal who;
    try {
      who = context.authenticate(token);
    } catch (ServiceException e) {
      LOG.debug("refused the connect of {}: {}", head.getSessionId(), e.code());
      refuseConnect(
          head, e.code() == ErrorCode.UNAUTHENTICATED ? INVALID_CREDENTIALS : e.getMessage());
      return false;
    } catch (RuntimeException | Error e) {
      // Only the exception's class: a verifier's own message may quote the token.
      LOG.warn(
          "the token verifier failed on the connect of {}: {}",
          head.getSessionId(),
          e.getClass().getName());
      refuseConnect(head, "internal error");
      return false;
    }
    return admitAs(head, who);
  }

  private static boolean admitAs(ClientHead head, Principal who) {
    // Once per connection: a repeated CONNECT keeps what the first one authenticated.
    synchronized (head) {
      if (head.getStore().get(CONNECTION_KEY) == null) {
        head.getStore().set(CONNECTION_KEY, new Connection(who));
      }
    }
    return true;
  }

  /**
   * Returns the token of a CONNECT: its {@code auth} payload's {@code token}, else the handshake's
   * bearer token, else null.
   *
   * @throws IllegalArgumentException for a payload that is no JSON object or a token that is no
   *     string
   */
  private static String token(ClientHead head, String auth) {
    if (auth != null && !auth.isBlank()) {
      com.fasterxml.jackson.databind.JsonNode node;
      try {
        node = AUTH_JSON.readTree(auth);
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("auth payload: not JSON");
      }
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("auth payload: not an object");
      }
      com.fasterxml.jackson.databind.JsonNode token = node.get("token");
      if (token != null && !token.isNull()) {
        if (!token.isTextual()) {
          throw new IllegalArgumentException("auth.token: not a string");
        }
        return token.asText();
      }
    }
    return headers(head.getHandshakeData().getHttpHeaders()).bearerToken();
  }

  /** Sends {@code 44{"message":...}}: a connect error for the main namespace. */
  private static void refuseConnect(ClientHead head, String message) {
    Packet error = new Packet(PacketType.MESSAGE, head.getEngineIOVersion());
    error.setSubType(PacketType.ERROR);
    error.setNsp(Namespace.DEFAULT_NAME);
    error.setData(message);
    synchronized (head) {
      head.send(error);
    }
  }

  /** Returns HTTP headers as Metadata (names in lower case, every value). */
  static Metadata headers(io.netty.handler.codec.http.HttpHeaders h) {
    Metadata.Builder b = Metadata.builder();
    for (Map.Entry<String, String> e : h) {
      b.add(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /**
   * Returns where a call of {@code client} comes from: its handshake's headers (with the call's own
   * metadata {@code extra} over them) and address, its principal, and under mutual TLS the
   * certificate chain its handshake's connection presented.
   */
  private static CallSource source(SocketIOClient client, Metadata extra) {
    Metadata metadata = client.get(METADATA_KEY);
    if (metadata == null) {
      metadata = headers(client.getHandshakeData().getHttpHeaders());
      client.set(METADATA_KEY, metadata);
    }
    if (!extra.isEmpty()) {
      Metadata.Builder b = metadata.toBuilder();
      // The call's value of a name replaces the handshake's: it is the more specific (a
      // traceparent).
      for (String name : extra.names()) {
        b.set(name, extra.get(name));
      }
      metadata = b.build();
    }
    Connection c = client.get(CONNECTION_KEY);
    // Under TLS, the client certificate chain of the connection that carried the session's
    // handshake
    // (see SocketIoPipeline.HandshakeCertificates); none in plain text.
    List<java.security.cert.X509Certificate> chain = client.get(SocketIoPipeline.PEER_CERTIFICATES);
    return new CallSource(
        "socketio",
        client.getHandshakeData().getAddress(),
        metadata,
        null,
        chain == null ? List.of() : chain,
        null,
        c == null ? null : c.principal());
  }

  /**
   * Returns an event's call metadata: the object after its request ({@code
   * {"traceparent":"00-..."}}), its string values under their names in lower case; values of other
   * types, and {@code authorization} and {@code cookie} (credentials are the handshake's), are left
   * out. Anything but an object is no metadata, as events had extra arguments ignored before.
   */
  static Metadata callMetadata(Object arg) {
    if (!(arg instanceof Map<?, ?> map) || map.isEmpty()) {
      return Metadata.EMPTY;
    }
    Metadata.Builder b = Metadata.builder();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getKey() instanceof String name
          && e.getValue() instanceof String value
          && !name.isEmpty()) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (!HANDSHAKE_ONLY.contains(lower)) {
          b.set(lower, value);
        }
      }
    }
    return b.build();
  }

  /** The client's {@code 40} to the main namespace has been answered: it is connected now. */
  private void onMainConnect(ClientHead head) {
    NamespaceClient client =
        head.getChildClient((Namespace) server.getNamespace(Namespace.DEFAULT_NAME));
    if (!head.isConnected() || client == null) {
      return;
    }
    if (joined.putIfAbsent(head.getSessionId(), client) != null) {
      return; // a repeated 40, heard once
    }
    onConnect(client);
  }

  private void onConnect(SocketIOClient client) {
    LOG.debug("connected: {}", client.getSessionId());
    String ns = namespaceOf(client);
    List<Consumer<SocketIoSession>> connects =
        settings.connectListeners.getOrDefault(ns, List.of());
    if (connects.isEmpty() && settings.disconnectListeners.getOrDefault(ns, List.of()).isEmpty()) {
      return;
    }
    SessionKey key = new SessionKey(client.getSessionId(), ns);
    Runnable connect = listenerCall(connects, new Session(this, client), "connect");
    boolean[] start = new boolean[1];
    sessionListeners.compute(
        key,
        (k, q) -> {
          // Gone already (Namespace.onDisconnect drops the client before calling onDisconnect,
          // which then
          // found no queue and skipped): skip these too. Open already: a repeated connect, heard
          // once.
          if (client.getNamespace().getClient(k.id()) == null || (q != null && q.open)) {
            return q;
          }
          q = q != null ? q : new SessionListeners();
          q.open = true;
          start[0] = q.add(connect);
          // Counted like a call (see onEvent): a close waits for it, queued or running.
          inFlight.incrementAndGet();
          return q;
        });
    if (start[0]) {
      drainLater(key, true);
    }
  }

  private void onDisconnect(SocketIOClient client) {
    LOG.debug("disconnected: {}", client.getSessionId());
    String ns = namespaceOf(client);
    if (ns.equals(SocketIoTransport.MAIN_NAMESPACE)) {
      if (client instanceof NamespaceClient nc) {
        PollRejoinsMainNamespace.left(nc.getBaseClient());
      }
      joined.remove(client.getSessionId());
      // Its watches end with it: the streams are cancelled on the server.
      Map<WatchKey, Watch> gone = watching.remove(client.getSessionId());
      if (gone != null) {
        gone.values().forEach(Watch::cancel);
      }
    }
    SessionKey key = new SessionKey(client.getSessionId(), ns);
    Runnable disconnect =
        listenerCall(
            settings.disconnectListeners.getOrDefault(ns, List.of()),
            new Session(this, client),
            "disconnect");
    boolean[] start = new boolean[1];
    sessionListeners.compute(
        key,
        (k, q) -> {
          // No open queue: its connect listeners never ran (refused, skipped), so neither do these.
          if (q == null || !q.open) {
            return q;
          }
          q.open = false;
          start[0] = q.add(disconnect);
          inFlight.incrementAndGet();
          return q;
        });
    if (start[0]) {
      drainLater(key, false);
    }
  }

  private static Runnable listenerCall(
      List<Consumer<SocketIoSession>> listeners, SocketIoSession session, String what) {
    return () -> {
      for (Consumer<SocketIoSession> l : listeners) {
        try {
          l.accept(session);
        } catch (RuntimeException | Error e) {
          // Errors too: one escaping would end the drain with its queue marked running, for good.
          LOG.warn("a {} listener failed", what, e);
        }
      }
    };
  }

  /**
   * Hands the drain of session {@code id}'s listener calls to the call executor, never a Netty
   * thread. {@code connect} tells whether a connect starts it (the queue is new) or a disconnect
   * (the session's connect listeners have run: the drain that ran them found the queue empty and
   * ended).
   */
  private void drainLater(SessionKey id, boolean connect) {
    try {
      context.executor().execute(() -> drain(id));
      return;
    } catch (RejectedExecutionException e) {
      if (connect) {
        // Nothing of this session runs now (no drain is running: this one was to start it). Forget
        // the session: a later disconnect then finds no queue and is skipped too, so the host hears
        // of both or neither, and the queue does not stay behind.
        forget(id);
        LOG.warn("connect listeners of {} skipped: the call executor is saturated", id);
        return;
      }
    }
    // A disconnect whose connect ran is never dropped: the host may hold state for the session.
    LOG.debug("disconnect listeners of {} run on the fallback thread: executor refused", id);
    try {
      fallback.execute(() -> drain(id));
    } catch (RejectedExecutionException e) {
      // Not while its queue is unbounded and it is never shut down; if it came, keep the count
      // right.
      forget(id);
      LOG.warn("disconnect listeners of {} skipped: no thread to run them", id);
    }
  }

  /**
   * Drops session {@code id}'s queue with the calls it holds (none of them runs): no longer in
   * flight.
   */
  private void forget(SessionKey id) {
    SessionListeners q = sessionListeners.remove(id);
    // The map's lock for this key ordered every add before the removal; no one adds to q after it.
    for (int n = q == null ? 0 : q.pending.size(); n > 0; n--) {
      done();
    }
  }

  /**
   * Runs session {@code id}'s pending listener calls one after another, then drops a closed queue.
   */
  private void drain(SessionKey id) {
    Runnable[] next = new Runnable[1];
    while (true) {
      // Never null here: a queue leaves the map only when no drain of it is scheduled or running.
      sessionListeners.compute(
          id,
          (k, q) -> {
            next[0] = q.pending.poll();
            if (next[0] != null) {
              return q;
            }
            q.running = false;
            return q.open ? q : null;
          });
      if (next[0] == null) {
        return;
      }
      try {
        next[0].run();
      } finally {
        done();
      }
    }
  }

  /**
   * One session's connect and disconnect listener calls not yet run, in event order. Only touched
   * inside {@code sessionListeners.compute} for its session, which serializes every change; a queue
   * is in the map from its connect until its disconnect listeners have run.
   */
  private static final class SessionListeners {
    final ArrayDeque<Runnable> pending = new ArrayDeque<>(2);

    /** Whether the session's connect is queued or done and its disconnect not yet queued. */
    boolean open;

    /** Whether a drain of this queue is scheduled or running on the call executor. */
    boolean running;

    /** Queues {@code call}; returns whether the caller must start a drain. */
    boolean add(Runnable call) {
      pending.add(call);
      if (running) {
        return false;
      }
      running = true;
      return true;
    }
  }

  /**
   * Emits a published value to the main namespace's clients: not to one watching its event (it gets
   * its watch's values instead, never the same value twice), and, when the server authenticates and
   * streaming operations deliver this event, only to one that one of them would admit (its roles).
   */
  private void broadcast(dev.ipc.core.spi.Published published) {
    String event = published.event();
    List<Operation<?, ?, ?>> readers =
        context.authenticates() ? readersOf.getOrDefault(event, List.of()) : List.of();
    java.util.function.Predicate<SocketIOClient> to =
        watching.isEmpty() && readers.isEmpty()
            ? null
            : c -> !watches(c, event) && (readers.isEmpty() || admitted(c, readers));
    broadcast(
        joined.values(), true, to, event, Values.output(published.operation(), published.value()));
  }

  /** Whether {@code client} has a watch whose values arrive as {@code itemEvent}. */
  private boolean watches(SocketIOClient client, String itemEvent) {
    Map<WatchKey, Watch> w = watching.get(client.getSessionId());
    if (w != null) {
      for (Watch watch : w.values()) {
        if (watch.op.itemEvent().equals(itemEvent)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether the principal of {@code client} would be admitted to one of {@code ops}, as calls check
   * it.
   */
  private static boolean admitted(SocketIOClient client, List<Operation<?, ?, ?>> ops) {
    Connection c = client.get(CONNECTION_KEY);
    Principal who = c == null ? null : c.principal();
    for (Operation<?, ?, ?> op : ops) {
      if (!op.requiresAuthentication()
          || who != null && (op.roles().isEmpty() || op.roles().stream().anyMatch(who::hasRole))) {
        return true;
      }
    }
    return false;
  }

  /** Emits to every client connected to the main namespace, each under its session lock. */
  void broadcast(String event, Object... data) {
    broadcast(joined.values(), true, null, event, data);
  }

  /** Emits to every client connected to namespace {@code ns}. */
  void broadcast(String ns, String event, Object... data) {
    if (ns.equals(SocketIoTransport.MAIN_NAMESPACE)) {
      broadcast(event, data);
    } else {
      broadcast(server.getNamespace(ns).getAllClients(), false, null, event, data);
    }
  }

  /**
   * Emits to {@code clients}, each under its session lock; {@code main}: they are the main
   * namespace's, whose event frame DirectWrites encodes; {@code to}, when not null, picks the
   * clients.
   */
  private void broadcast(
      Iterable<SocketIOClient> clients,
      boolean main,
      java.util.function.Predicate<SocketIOClient> to,
      String event,
      Object... data) {
    // Encoded once for every WebSocket client DirectWrites can write to now; the rest as usual.
    io.netty.buffer.ByteBuf frame = null;
    boolean encoded = false;
    try {
      for (SocketIOClient c : clients) {
        if (to != null && !to.test(c)) {
          continue;
        }
        if (main && direct != null && c instanceof NamespaceClient nc) {
          synchronized (lockOf(c)) {
            if (!encoded) {
              frame = direct.eventFrame(event, data);
              encoded = true;
            }
            if (frame != null && direct.tryWrite(nc.getBaseClient(), frame)) {
              delivered.increment();
              continue;
            }
          }
        }
        sendCounted(c, () -> c.sendEvent(event, data));
      }
    } finally {
      if (frame != null) {
        frame.release();
      }
    }
  }

  // The cluster (see AdapterCluster)

  /**
   * How many cluster requests this node heard and does not serve; -1 without a cluster. For tests.
   */
  long clusterRequestsIgnored() {
    AdapterCluster c = cluster;
    return c == null ? -1 : c.ignored.sum();
  }

  /** Publishes a host broadcast to the other nodes, when there are any. */
  private void publish(
      String ns, List<String> rooms, List<String> except, String event, Object[] data) {
    AdapterCluster c = cluster;
    if (c != null) {
      c.publish(ns, rooms, except, event, data);
    }
  }

  /**
   * The clients connected to namespace {@code ns}: for the main one, those whose {@code 40} was
   * answered.
   */
  Iterable<SocketIOClient> clients(String ns) {
    return ns.equals(SocketIoTransport.MAIN_NAMESPACE)
        ? joined.values()
        : server.getNamespace(ns).getAllClients();
  }

  /** The client of {@code ns} with session id {@code id}, or null. */
  SocketIOClient client(String ns, String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null; // another node's socket id
    }
    if (!uuid.toString().equals(id)) {
      return null; // UUID.fromString also reads non-canonical forms, which no session id has
    }
    return ns.equals(SocketIoTransport.MAIN_NAMESPACE)
        ? joined.get(uuid)
        : server.getNamespace(ns).getClient(uuid);
  }

  /**
   * Whether {@code client} is in {@code room} as Socket.IO's adapter counts it: every socket is in
   * the room named by its id, and in those it joined (not netty-socketio's room named after the
   * namespace).
   */
  boolean inRoom(SocketIOClient client, String room) {
    if (room.equals(client.getSessionId().toString())) {
      return true;
    }
    return !room.equals(client.getNamespace().getName()) && client.getAllRooms().contains(room);
  }

  /** Whether any client of {@code ns} is in {@code room}. */
  boolean hasRoom(String ns, String room) {
    for (SocketIOClient c : clients(ns)) {
      if (inRoom(c, room)) {
        return true;
      }
    }
    return false;
  }

  /** The rooms of {@code client} its host joined it to (without its id's and the namespace's). */
  java.util.Set<String> hostRooms(SocketIOClient client) {
    java.util.Set<String> rooms = new java.util.TreeSet<>(client.getAllRooms());
    rooms.remove(client.getNamespace().getName());
    return rooms;
  }

  /**
   * The rooms of namespace {@code ns} as the adapter's allRooms() has them: socket ids and joined
   * rooms.
   */
  java.util.Set<String> rooms(String ns) {
    java.util.Set<String> rooms = new java.util.LinkedHashSet<>();
    for (SocketIOClient c : clients(ns)) {
      rooms.add(c.getSessionId().toString());
      rooms.addAll(hostRooms(c));
    }
    return rooms;
  }

  /**
   * Joins or leaves {@code room} for another node ({@code socketsJoin}); never the namespace's
   * room.
   */
  void joinOrLeave(SocketIOClient client, String room, boolean join) {
    if (room.isEmpty()
        || room.equals(client.getNamespace().getName())
        || room.equals(client.getSessionId().toString())) {
      return;
    }
    if (join) {
      client.joinRoom(room);
    } else {
      client.leaveRoom(room);
    }
  }

  /**
   * Disconnects {@code client} for another node ({@code disconnectSockets}): from its namespace, or
   * with {@code close} its whole session, as Node's {@code socket.disconnect(close)}.
   */
  void disconnect(SocketIOClient client, boolean close) {
    synchronized (lockOf(client)) {
      if (close && client instanceof NamespaceClient nc) {
        if (nc.getBaseClient().isConnected()) {
          nc.getBaseClient().disconnect();
        }
      } else {
        client.disconnect();
      }
    }
  }

  /**
   * Emits another node's broadcast to the local clients {@code to} picks; never published again.
   */
  void deliverRemote(
      String ns, java.util.function.Predicate<SocketIOClient> to, String event, Object[] data) {
    broadcast(clients(ns), ns.equals(SocketIoTransport.MAIN_NAMESPACE), to, event, data);
  }

  /** Emits another node's broadcast with an ack callback to one client, counted as a broadcast. */
  void sendWithAck(
      SocketIOClient client,
      String event,
      com.corundumstudio.socketio.AckCallback<?> ack,
      Object[] data) {
    sendCounted(client, () -> client.sendEvent(event, ack, data));
  }

  // RunningTransport

  /**
   * Events of broadcasts (published values', hosts', other nodes') handed to client connections.
   */
  @Override
  public long eventsDelivered() {
    return delivered.sum();
  }

  /**
   * Broadcast events meant for a client whose session was closing or gone, too far behind, or
   * failed.
   */
  @Override
  public long eventsDropped() {
    return dropped.sum();
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) bound.channel().localAddress();
  }

  @Override
  public void beginShutdown() {
    closing = true;
  }

  /** The open Engine.IO sessions, in a namespace or not: what {@code maxConnections} bounds too. */
  @Override
  public int openConnections() {
    return openSessions();
  }

  /**
   * Waits for the events being answered and listener calls in flight, then ends every session as
   * the server's own disconnect and waits for the disconnect listeners that queues, all within
   * {@code timeout}. Ended here, not left to the channels' close: a long-polling session outlives
   * its HTTP connections (only a ping timeout, which the stopped server never reaches, would end
   * it), so its disconnect listeners would never run; a WebSocket session's could run after the
   * close had stopped waiting (a channel's inactive event comes after its close), and neither
   * client was told. Answers are out first: the sessions end only once nothing is in flight. A
   * long-polling client with no poll pending then gets its disconnect on its next poll, which the
   * port stays open for (up to a ping timeout; see PollingDisconnectDelivered).
   */
  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!awaitDrained(deadline)) {
      return false;
    }
    disconnectAll();
    // Long-polling clients get their disconnect on their next poll: the port stays open for it.
    return awaitDrained(deadline) && pipeline.awaitPollingEnds(deadline);
  }

  private boolean awaitDrained(long deadline) throws InterruptedException {
    synchronized (drained) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(drained, left);
      }
    }
    return true;
  }

  /**
   * Ends every session still open: the client gets a disconnect packet (Socket.IO clients then do
   * not reconnect) and the host's disconnect listeners are queued like for any other session's end.
   * New Engine.IO sessions are refused by then ({@code closing}); a join of an older one that comes
   * later is ended by {@link #shutdownNow}.
   */
  private void disconnectAll() {
    for (SocketIOClient c : server.getAllClients()) {
      if (c instanceof NamespaceClient nc) {
        ClientHead head = nc.getBaseClient();
        synchronized (lockOf(c)) {
          if (head.isConnected()) {
            head.disconnect();
          }
        }
      } else {
        c.disconnect();
      }
    }
  }

  @Override
  public void shutdownNow() {
    closing = true;
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    AdapterCluster c = cluster;
    if (c != null) {
      cluster = null;
      c.close();
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("unsubscribing failed", e);
      }
    }
    // Past the grace period (or without one): the sessions still open end now too, so that their
    // disconnect listeners are queued while the call executor still takes them.
    disconnectAll();
    // Release the port and drop every client now; netty-socketio's own stop() waits a 2 s quiet
    // period for its event loops, so it finishes in the background.
    bound.channel().close().syncUninterruptibly();
    channels.close().awaitUninterruptibly();
    stopInBackground();
  }

  private void stopInBackground() {
    Thread t = new Thread(server::stop, "ipc-socketio-stop");
    t.setDaemon(true);
    t.start();
  }

  /** What answers one event name: an operation or a host handler. Runs on the call executor. */
  private interface Route {
    void run(DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack);
  }

  private record OperationRoute(BoundOperation bound) implements Route {
    @Override
    public void run(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      Object data = args.isEmpty() ? null : args.get(0);
      Object answer;
      Object created = null;
      try {
        Object request = Values.request(bound.operation().input(), data);
        Metadata extra = callMetadata(args.size() > 1 ? args.get(1) : null);
        // A caller's connect-timeout-ms (ipc's client sends its timeout) is the call's deadline, as
        // over HTTP. Socket.IO acks carry no response metadata.
        Reply reply = bound.call(request, source(client, extra).withTimeoutHeader(), m -> {});
        answer = Values.output(bound.operation(), reply.value());
        if (reply.created()) {
          created = Values.CREATED;
        }
      } catch (Throwable t) {
        answer = Values.error(ServiceException.from(t));
      }
      Object[] out = created != null ? new Object[] {answer, created} : new Object[] {answer};
      owner.sendAck(client, ack, out);
    }
  }

  /**
   * A streaming operation's subscribe event: a {@link Watch} per connection, operation and watch
   * id. Its arguments: the filter, then optionally the watch id (a string), then optionally the
   * call's metadata (an object; see {@link #callMetadata}), which may also come right after the
   * filter.
   */
  private record StreamRoute(BoundOperation bound) implements Route {
    /**
     * Makes {@code client}'s watch of this operation under the id {@code args} name (none: the
     * unnamed one), replacing (cancelling) the one it had under that id; on the event loop. Returns
     * it, to run on the call executor, or null when refused (then answered through {@code ack}): an
     * id that is no string, or one watch too many on this connection.
     */
    Watch watch(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      Object second = args.size() > 1 ? args.get(1) : null;
      String name = null;
      Object metadata = null;
      if (second instanceof String s) {
        name = s;
        metadata = args.size() > 2 ? args.get(2) : null;
      } else if (second instanceof Map<?, ?>) {
        metadata = second;
      } else if (second != null) {
        owner.ackError(
            client,
            ack,
            ErrorCode.INVALID_ARGUMENT,
            "watch id: " + Values.kind(second) + " (expected: a string)");
        return null;
      }
      if (name != null && (name.isEmpty() || name.length() > MAX_WATCH_ID)) {
        owner.ackError(
            client,
            ack,
            ErrorCode.INVALID_ARGUMENT,
            "watch id: " + name.length() + " characters (expected: 1 to " + MAX_WATCH_ID + ")");
        return null;
      }
      UUID session = client.getSessionId();
      WatchKey key = new WatchKey(bound.operation().event(), name);
      Map<WatchKey, Watch> watches =
          owner.watching.computeIfAbsent(session, k -> new ConcurrentHashMap<>());
      if (name != null
          && !watches.containsKey(key)
          && watches.size() >= owner.settings.maxCallsPerClient) {
        // Each watch holds a stream and its buffer on the server: bounded per connection, as calls
        // are.
        owner.ackError(
            client,
            ack,
            ErrorCode.RESOURCE_EXHAUSTED,
            "more than "
                + owner.settings.maxCallsPerClient
                + " watches on this connection; cancel one first");
        return null;
      }
      Watch w = owner.new Watch(client, bound, key, metadata);
      Watch before = watches.put(key, w);
      if (before != null) {
        before.cancel();
      }
      if (client instanceof NamespaceClient nc && !nc.getBaseClient().isConnected()) {
        // Gone meanwhile (its disconnect may have run before this watch was in place): end it here.
        Map<WatchKey, Watch> gone = owner.watching.remove(session);
        if (gone != null) {
          gone.values().forEach(Watch::cancel);
        }
      }
      return w;
    }

    @Override
    public void run(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      Watch w = watch(owner, client, args, ack);
      if (w != null) {
        w.run(owner, client, args, ack);
      }
    }
  }

  /**
   * A streaming operation's cancel event ({@code task:watchTasks:cancel}): ends the watch its first
   * argument names (none, or no string: the unnamed one), acks {}.
   */
  private record CancelRoute(String event) implements Route {
    void cancel(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      String name = !args.isEmpty() && args.get(0) instanceof String s ? s : null;
      Map<WatchKey, Watch> w = owner.watching.get(client.getSessionId());
      Watch watch = w == null ? null : w.remove(new WatchKey(event, name));
      if (watch != null) {
        watch.cancel();
      }
      if (ack.isAckRequested()) {
        owner.send(client, () -> ack.sendAckData(Map.of()));
      }
    }

    @Override
    public void run(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      cancel(owner, client, args, ack);
    }
  }

  /**
   * One connection's subscription to a streaming operation: opens the stream with the connection's
   * {@link CallSource} (and the subscribe's call metadata), acks the subscribe, then emits each
   * value as the operation's item event to this connection only, with the watch's id as second
   * argument when it has one. Ends with the client's cancel, a second subscribe under the same id
   * (or none), the connection's end ({@link StreamHandle#cancel}), an error (the error event {@code
   * {code, message}}, and the id) or the stream's completion (the server disconnects the client, as
   * at its close, which ends the connection's other watches too).
   *
   * <p>Ready ({@link #isReady}) once its ack is out, so no value can come before it, and while its
   * WebSocket is writable: less than {@link SocketIoPipeline#STREAM_WRITABILITY}'s high mark waits
   * unsent; the server's stream buffer holds the rest and ends a subscriber that falls further
   * behind. A long-polling session is always ready: netty-socketio queues its packets unencoded,
   * with no writability to read, and {@link #maxPollingBacklog} bounds that queue (a session past
   * it is disconnected, which ends its watches).
   */
  private final class Watch implements StreamSink, Route {
    final SocketIOClient client;
    final BoundOperation bound;
    final Operation<?, ?, ?> op;
    final WatchKey key;

    /** The call metadata the subscribe carried (see {@link #callMetadata}), or null. */
    private final Object metadata;

    private volatile dev.ipc.core.spi.StreamHandle handle;
    private volatile boolean acked;
    private volatile boolean cancelled;

    Watch(SocketIOClient client, BoundOperation bound, WatchKey key, Object metadata) {
      this.client = client;
      this.bound = bound;
      this.op = bound.operation();
      this.key = key;
      this.metadata = metadata;
    }

    /** Opens the stream and acks; on the call executor. */
    @Override
    public void run(
        DefaultSocketIoServer owner, SocketIOClient c, List<Object> args, AckRequest ack) {
      dev.ipc.core.spi.StreamHandle h;
      try {
        Object request = Values.request(op.input(), args.isEmpty() ? null : args.get(0));
        h = bound.stream(request, source(client, callMetadata(metadata)), m -> {}, this);
      } catch (Throwable t) {
        forget();
        sendAck(client, ack, new Object[] {Values.error(ServiceException.from(t))});
        return;
      }
      handle = h;
      if (cancelled) {
        // Replaced, cancelled or disconnected while it opened.
        h.cancel();
      }
      sendAck(client, ack, new Object[] {Map.of()});
      acked = true;
      h.ready();
    }

    @Override
    public boolean isReady() {
      if (!acked) {
        return false;
      }
      io.netty.channel.Channel ch =
          client instanceof NamespaceClient nc
              ? DirectWrites.webSocketChannel(nc.getBaseClient())
              : null;
      return ch == null || SocketIoPipeline.writableOrLater(ch, this::ready);
    }

    private void ready() {
      dev.ipc.core.spi.StreamHandle h = handle;
      if (h != null) {
        h.ready();
      }
    }

    @Override
    public void next(long id, Object value) {
      Object json = Values.output(op, value);
      String name = key.id();
      // A named watch's values carry its id, so one connection can tell its watches apart.
      send(
          client,
          name == null
              ? () -> client.sendEvent(op.itemEvent(), json)
              : () -> client.sendEvent(op.itemEvent(), json, name));
    }

    @Override
    public void error(ServiceException error) {
      forget();
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("code", error.code().name());
      body.put("message", error.getMessage());
      String name = key.id();
      send(
          client,
          name == null
              ? () -> client.sendEvent(op.event() + ERROR, body)
              : () -> client.sendEvent(op.event() + ERROR, body, name));
    }

    @Override
    public void complete() {
      forget();
      // As at the server's close: the client hears the disconnect and does not reconnect.
      if (client instanceof NamespaceClient nc) {
        ClientHead head = nc.getBaseClient();
        synchronized (lockOf(client)) {
          if (head.isConnected()) {
            head.disconnect();
          }
        }
      } else {
        client.disconnect();
      }
    }

    /** Ends the stream from the client's side; idempotent. */
    void cancel() {
      cancelled = true;
      dev.ipc.core.spi.StreamHandle h = handle;
      if (h != null) {
        h.cancel();
      }
    }

    /** Leaves the connection's watches, if still there: broadcasts of its event reach it again. */
    void forget() {
      Map<WatchKey, Watch> w = watching.get(client.getSessionId());
      if (w != null) {
        w.remove(key, this);
      }
    }
  }

  private record HandlerRoute(SocketIoEventHandler handler) implements Route {
    @Override
    public void run(
        DefaultSocketIoServer owner, SocketIOClient client, List<Object> args, AckRequest ack) {
      try {
        handler.handle(new Session(owner, client), args, new Ack(owner, client, ack));
      } catch (Throwable t) {
        Object error = Values.error(ServiceException.from(t));
        owner.send(client, () -> ack.sendAckData(error));
        return;
      }
      if (ack.isAckRequested()) {
        // A client that asked for an ack always gets one, as python-socketio's server does: an
        // empty
        // one when the handler sent none (AckRequest sends only its first answer, so this is then a
        // no-op).
        owner.send(client, () -> ack.sendAckData());
      }
    }
  }

  private record Session(DefaultSocketIoServer owner, SocketIOClient client)
      implements SocketIoSession {
    @Override
    public String id() {
      return client.getSessionId().toString();
    }

    @Override
    public void send(String event, Object... data) {
      java.util.Objects.requireNonNull(event, "event");
      owner.send(client, () -> client.sendEvent(event, data));
    }

    @Override
    public void broadcast(String event, Object... data) {
      String ns = namespaceOf(client);
      owner.broadcast(ns, java.util.Objects.requireNonNull(event, "event"), data);
      owner.publish(ns, List.of(), List.of(), event, data);
    }

    @Override
    public void broadcastToOthers(String event, Object... data) {
      java.util.Objects.requireNonNull(event, "event");
      String ns = namespaceOf(client);
      UUID me = client.getSessionId();
      owner.broadcast(
          owner.clients(ns),
          ns.equals(SocketIoTransport.MAIN_NAMESPACE),
          c -> !c.getSessionId().equals(me),
          event,
          data);
      // The sender's id, as socket.broadcast.emit puts it in `except`: no other node has that
      // socket.
      owner.publish(ns, List.of(), List.of(me.toString()), event, data);
    }

    @Override
    public void join(String room) {
      client.joinRoom(checkRoom(room));
    }

    @Override
    public void leave(String room) {
      client.leaveRoom(checkRoom(room));
    }

    @Override
    public java.util.Set<String> rooms() {
      // netty-socketio puts every client in a room named after its namespace; that one is not the
      // host's.
      java.util.Set<String> rooms = new java.util.TreeSet<>(client.getAllRooms());
      rooms.remove(client.getNamespace().getName());
      return java.util.Collections.unmodifiableSet(rooms);
    }

    @Override
    public void sendToRoom(String room, String event, Object... data) {
      java.util.Objects.requireNonNull(event, "event");
      String ns = namespaceOf(client);
      UUID me = client.getSessionId();
      owner.broadcast(
          client.getNamespace().getRoomOperations(checkRoom(room)).getClients(),
          ns.equals(SocketIoTransport.MAIN_NAMESPACE),
          c -> !c.getSessionId().equals(me),
          event,
          data);
      owner.publish(ns, List.of(room), List.of(me.toString()), event, data);
    }

    private String checkRoom(String room) {
      java.util.Objects.requireNonNull(room, "room");
      if (room.isEmpty() || room.equals(client.getNamespace().getName())) {
        throw new IllegalArgumentException(
            "room: " + room + " (expected: not empty nor the namespace's name)");
      }
      return room;
    }

    @Override
    public String namespace() {
      return namespaceOf(client);
    }

    @Override
    public java.util.Optional<Principal> principal() {
      Connection c = client.get(CONNECTION_KEY);
      return java.util.Optional.ofNullable(c == null ? null : c.principal());
    }

    @Override
    public Map<String, Object> auth() {
      return Values.auth(client.getHandshakeData().getAuthToken());
    }

    @Override
    public Map<String, List<String>> headers() {
      Map<String, List<String>> headers = new java.util.TreeMap<>();
      io.netty.handler.codec.http.HttpHeaders h = client.getHandshakeData().getHttpHeaders();
      for (String name : h.names()) {
        headers.put(name.toLowerCase(java.util.Locale.ROOT), List.copyOf(h.getAll(name)));
      }
      return java.util.Collections.unmodifiableMap(headers);
    }

    @Override
    public Map<String, List<String>> query() {
      Map<String, List<String>> query = new java.util.LinkedHashMap<>();
      client.getHandshakeData().getUrlParams().forEach((k, v) -> query.put(k, List.copyOf(v)));
      return java.util.Collections.unmodifiableMap(query);
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return client.getHandshakeData().getAddress();
    }

    @Override
    public String toString() {
      return "SocketIoSession{" + id() + '}';
    }
  }

  private record Ack(DefaultSocketIoServer owner, SocketIOClient client, AckRequest request)
      implements SocketIoAck {
    @Override
    public boolean requested() {
      return request.isAckRequested();
    }

    @Override
    public void send(Object... data) {
      owner.send(client, () -> request.sendAckData(data));
    }
  }

  /**
   * Keeps malformed packets and dropped connections out of the error log, and closes their
   * connection.
   */
  private static final class QuietExceptionListener extends ExceptionListenerAdapter {
    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
      LOG.debug("dropped bad input or connection error from {}", ctx.channel().remoteAddress(), e);
      // A packet that does not parse (an unknown type, a payload that is no array) ends the
      // connection,
      // as in Node's engine.io; over WebSocket the session ends with it.
      if (ctx.pipeline().get(io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder.class)
          != null) {
        EngineIoClose.closeWebSocket(ctx.channel());
      } else {
        ctx.channel().close();
      }
      return true;
    }

    @Override
    public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
      LOG.warn("event listener failed", e);
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
      LOG.debug("connect packet refused", e);
    }
  }
}
