package dev.ipc.graphql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportBuilder;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.http.internal.HttpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Serves every described service over GraphQL at {@code /graphql} (graphql-java on ipc-http's Netty
 * HTTP/1.1 server). The schema is generated from the descriptors: query operations are {@code
 * Query} fields, mutations {@code Mutation} fields, inputs become arguments; the article's {@code {
 * name hobby }} works unchanged. 64-bit integers use a {@code Long} scalar that serializes as a
 * JSON number and accepts integers or decimal strings.
 *
 * <pre>{@code
 * Transports.builder().services(Reference.services()).transport(GraphqlTransport.of(4444)).start();
 * }</pre>
 *
 * <p>Endpoints: {@code GET /graphql?query=&variables=&operationName=} (queries only; a mutation
 * gets 405), {@code POST /graphql} with {@code application/json}; a browser ({@code Accept:
 * text/html}) gets GraphiQL, served from the jar; {@code GET /graphql/schema.graphql} returns the
 * SDL. A request that cannot run (syntax or validation error, a limit exceeded, bad variables) gets
 * 400 with {@code errors[]}, whichever of {@code application/json} and {@code
 * application/graphql-response+json} is answered; once execution starts the status is 200 and
 * failed fields are {@code errors[]} entries with {@code extensions.code} naming the {@link
 * dev.ipc.core.ErrorCode}.
 *
 * <p>Calls carry their context: every field's call is authenticated and intercepted as core
 * configures ({@code Transports.builder().authenticate(...)}, {@code .interceptor(...)}), from the
 * request's headers ({@code Authorization: Bearer}), peer and TLS client certificate; a refused
 * call is a field error with {@code extensions.code} {@code UNAUTHENTICATED} (and {@code
 * WWW-Authenticate: Bearer} on the answer) or {@code PERMISSION_DENIED}, and the calls' response
 * metadata become response headers. With {@code Transports.builder().tls(...)} it serves HTTPS
 * only, GraphiQL included.
 *
 * <p>Protection is on by default: see the {@link Builder}'s limits. Immutable and thread-safe; each
 * {@link #start} binds a new server.
 */
public final class GraphqlTransport implements Transport {
  /** The default port, the article's. */
  public static final int DEFAULT_PORT = 4444;

  /** The default deepest nesting of fields in a query. */
  public static final int DEFAULT_MAX_DEPTH = 15;

  /** The default largest number of fields in a query, fragments counted where spread. */
  public static final int DEFAULT_MAX_FIELDS = 500;

  /** The default largest number of parser tokens in a document (graphql-java's own default). */
  public static final int DEFAULT_MAX_TOKENS = 15_000;

  /** The default largest number of aliases in a document. */
  public static final int DEFAULT_MAX_ALIASES = 30;

  /** The default number of parsed and validated documents kept. */
  public static final int DEFAULT_DOCUMENT_CACHE_SIZE = 1_000;

  /**
   * The default time a GraphQL WebSocket has to send {@code connection_init}: graphql-ws's server
   * default.
   */
  public static final Duration DEFAULT_CONNECTION_INIT_TIMEOUT = Duration.ofSeconds(3);

  /** The default largest request body: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  /**
   * The default largest request body.
   *
   * @deprecated use {@link #DEFAULT_MAX_MESSAGE_BYTES}
   */
  @Deprecated public static final int DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_MESSAGE_BYTES;

  private final String host;
  private final int port;
  private final GraphqlEngine.Limits limits;
  private final boolean graphiql;
  private final int maxBodyBytes;
  private final long maxBufferedBodyBytes;
  private final String[] corsOrigins;
  private final Duration idleTimeout;
  private final Duration requestTimeout;
  private final Duration writeTimeout;
  private final int maxConnections;
  private final int maxConnectionsPerPeer;
  private final int workerThreads;
  private final Executor executor;
  private final Duration connectionInitTimeout;

  GraphqlTransport(Builder b) {
    this.connectionInitTimeout = b.connectionInitTimeout;
    this.host = b.host();
    this.port = b.port();
    this.limits =
        new GraphqlEngine.Limits(
            b.maxDepth,
            b.maxFields,
            b.maxTokens,
            b.maxAliases,
            b.introspection,
            b.documentCacheSize);
    this.graphiql = b.graphiql;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxBufferedBodyBytes = b.maxBufferedBodyBytes;
    this.corsOrigins = b.corsOrigins.clone();
    this.idleTimeout = b.idleTimeout;
    this.requestTimeout = b.requestTimeout;
    this.writeTimeout = b.writeTimeout;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
    this.workerThreads = b.workerThreads;
    this.executor = b.executor;
  }

  /** Returns a transport on {@code port} of every interface, with default settings. */
  public static GraphqlTransport of(int port) {
    return builder().port(port).build();
  }

  /** Returns a new builder; by default it binds port {@value #DEFAULT_PORT} on every interface. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "graphql";
  }

  @Override
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public RunningTransport start(TransportContext serverContext) throws IOException {
    requireNonNull(serverContext, "context");
    // With an executor of its own, every call runs on it, over HTTP and over WebSocket alike.
    TransportContext context =
        executor == null ? serverContext : serverContext.withExecutor(executor);
    GraphqlEngine engine = new GraphqlEngine(context.services(), limits);
    GraphqlHttpService service =
        new GraphqlHttpService(
            engine,
            context,
            new ObjectMapper(),
            graphiql ? new GraphiqlAssets() : null,
            connectionInitTimeout);
    var server =
        HttpServer.builder()
            .name("ipc-graphql")
            .host(host)
            .port(port)
            .executor(context.executor())
            .maxBodyBytes(maxBodyBytes)
            // Every answer, the server's own errors included: a browser must not sniff JSON into
            // HTML.
            .responseHeader("X-Content-Type-Options", "nosniff")
            .handler(service)
            // /healthz and /readyz for load balancers; readiness goes false as soon as a close
            // begins.
            .health(context::isReady);
    if (corsOrigins.length > 0) {
      server.cors(corsOrigins);
    }
    if (maxBufferedBodyBytes > 0) {
      server.maxBufferedBodyBytes(maxBufferedBodyBytes);
    }
    // Unset: ipc-http's defaults, the same as REST's.
    if (idleTimeout != null) {
      server.idleTimeout(idleTimeout);
    }
    if (requestTimeout != null) {
      server.requestTimeout(requestTimeout);
    }
    if (writeTimeout != null) {
      server.writeTimeout(writeTimeout);
    }
    if (maxConnections > 0) {
      server.maxConnections(maxConnections);
    }
    if (maxConnectionsPerPeer > 0) {
      server.maxConnectionsPerPeer(maxConnectionsPerPeer);
    }
    if (workerThreads > 0) {
      server.workerThreads(workerThreads);
    }
    // TLS only when the host configured it: then a plaintext client's connection is closed.
    context.tls().ifPresent(server::tls);
    RunningTransport http = server.start();
    return new RunningTransport() {
      @Override
      public java.net.InetSocketAddress localAddress() {
        return http.localAddress();
      }

      @Override
      public void beginDrain() {
        http.beginDrain();
      }

      @Override
      public void beginShutdown() {
        http.beginShutdown();
      }

      @Override
      public boolean awaitTermination(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Subscriptions first send their complete; only then may the server close their sockets.
        service.awaitWebSocketOperations(deadline);
        return http.awaitTermination(
            java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      }

      @Override
      public void shutdownNow() {
        http.shutdownNow();
      }

      @Override
      public int openConnections() {
        return http.openConnections();
      }

      @Override
      public String toString() {
        return http.toString();
      }
    };
  }

  @Override
  public String toString() {
    return "GraphqlTransport{" + address() + '}';
  }

  /**
   * Configures a {@link GraphqlTransport}; every setting has a default. The HTTP settings are
   * REST's, with the names every transport uses on its builder and in URI options ({@code
   * maxMessageBytes}, {@code maxBufferedBytes}, {@code cors}, {@code idleTimeout}, {@code
   * maxConnections}, {@code workerThreads}, {@code executor}); see the README's Defaults section.
   * Not thread-safe.
   */
  public static final class Builder extends TransportBuilder<Builder> {
    private int maxDepth = DEFAULT_MAX_DEPTH;
    private int maxFields = DEFAULT_MAX_FIELDS;
    private int maxTokens = DEFAULT_MAX_TOKENS;
    private int maxAliases = DEFAULT_MAX_ALIASES;
    private boolean introspection = true;
    private boolean graphiql = true;
    private int documentCacheSize = DEFAULT_DOCUMENT_CACHE_SIZE;
    private int maxBodyBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private long maxBufferedBodyBytes;
    private String[] corsOrigins = new String[0];
    private Duration idleTimeout;
    private Duration requestTimeout;
    private Duration writeTimeout;
    private int maxConnections;
    private int maxConnectionsPerPeer;
    private int workerThreads;
    private Executor executor;
    private Duration connectionInitTimeout = DEFAULT_CONNECTION_INIT_TIMEOUT;

    Builder() {
      super(DEFAULT_PORT);
    }

    /**
     * Sets how long a GraphQL WebSocket may stay open without {@code connection_init} before it is
     * closed with 4408 (default 3 s).
     */
    public Builder connectionInitTimeout(Duration timeout) {
      this.connectionInitTimeout = positive("connectionInitTimeout", timeout);
      return this;
    }

    /**
     * Refuses queries nesting fields deeper than {@code depth} (default {@value
     * GraphqlTransport#DEFAULT_MAX_DEPTH}).
     */
    public Builder maxDepth(int depth) {
      this.maxDepth = positive("depth", depth);
      return this;
    }

    /**
     * Refuses queries selecting more than {@code fields} fields, counting a fragment's fields at
     * each spread (default {@value GraphqlTransport#DEFAULT_MAX_FIELDS}).
     */
    public Builder maxFields(int fields) {
      this.maxFields = positive("fields", fields);
      return this;
    }

    /**
     * Refuses documents of more than {@code tokens} parser tokens (default {@value
     * GraphqlTransport#DEFAULT_MAX_TOKENS}).
     */
    public Builder maxTokens(int tokens) {
      this.maxTokens = positive("tokens", tokens);
      return this;
    }

    /**
     * Refuses documents with more than {@code aliases} aliased fields, counting a fragment's
     * aliases at each spread (default {@value GraphqlTransport#DEFAULT_MAX_ALIASES}).
     */
    public Builder maxAliases(int aliases) {
      if (aliases < 0) {
        throw new IllegalArgumentException("aliases: " + aliases + " (expected: >= 0)");
      }
      this.maxAliases = aliases;
      return this;
    }

    /**
     * Sets whether clients may introspect the schema ({@code __schema}, {@code __type}; default
     * true).
     */
    public Builder introspection(boolean enabled) {
      this.introspection = enabled;
      return this;
    }

    /** Sets whether a browser opening {@code /graphql} gets the GraphiQL page (default true). */
    public Builder graphiql(boolean enabled) {
      this.graphiql = enabled;
      return this;
    }

    /**
     * Sets how many parsed and validated documents are kept, so repeated queries skip parsing and
     * validation (default {@value GraphqlTransport#DEFAULT_DOCUMENT_CACHE_SIZE}; 0 keeps none).
     */
    public Builder documentCacheSize(int documents) {
      if (documents < 0) {
        throw new IllegalArgumentException("documents: " + documents + " (expected: >= 0)");
      }
      this.documentCacheSize = documents;
      return this;
    }

    /** Answers 413 to request bodies larger than {@code bytes} (default 1 MiB). */
    public Builder maxMessageBytes(int bytes) {
      this.maxBodyBytes = positive("bytes", bytes);
      return this;
    }

    /**
     * Answers 413 to request bodies larger than {@code bytes}.
     *
     * @deprecated use {@link #maxMessageBytes(int)}, the name every transport uses
     */
    @Deprecated
    public Builder maxBodyBytes(int bytes) {
      return maxMessageBytes(bytes);
    }

    /**
     * Holds at most {@code bytes} of request bodies at once over all connections (default: a
     * quarter of the JVM's maximum heap); a request whose body would go beyond gets 503 with {@code
     * Retry-After}.
     */
    public Builder maxBufferedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("bytes: " + bytes + " (expected: > 0)");
      }
      this.maxBufferedBodyBytes = bytes;
      return this;
    }

    /**
     * Holds at most {@code bytes} of request bodies at once over all connections.
     *
     * @deprecated use {@link #maxBufferedBytes(long)}, the name every transport uses
     */
    @Deprecated
    public Builder maxBufferedBodyBytes(long bytes) {
      return maxBufferedBytes(bytes);
    }

    /**
     * Allows browsers on {@code origins} to call the endpoint ({@code "*"}: any; default: none).
     */
    public Builder cors(String... origins) {
      requireNonNull(origins, "origins");
      for (String o : origins) {
        requireNonNull(o, "origin");
      }
      this.corsOrigins = origins.clone();
      return this;
    }

    /**
     * Sets how long a silent connection stays open (default 60 s); a half-sent request gets 408.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * Sets how long a request may take to arrive from its first byte, head included (default 30 s),
     * however steadily it trickles in; then 408 and the connection is closed.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive("requestTimeout", requestTimeout);
      return this;
    }

    /**
     * Sets how long an answer may wait for its client to read it (default 30 s); then the
     * connection is closed, so a client that never reads holds neither memory nor a place for long.
     */
    public Builder writeTimeout(Duration writeTimeout) {
      this.writeTimeout = positive("writeTimeout", writeTimeout);
      return this;
    }

    /**
     * Sets how many connections are served at once (default 10,000); one more is answered 503
     * {@code UNAVAILABLE} and closed, while open ones keep being served.
     */
    public Builder maxConnections(int maxConnections) {
      this.maxConnections = positive("maxConnections", maxConnections);
      return this;
    }

    /**
     * Sets how many connections one client address may have served at once (default 1,000); one
     * more from it is answered 503 {@code UNAVAILABLE} and closed, while other addresses are
     * served.
     */
    public Builder maxConnectionsPerPeer(int maxConnectionsPerPeer) {
      this.maxConnectionsPerPeer = positive("maxConnectionsPerPeer", maxConnectionsPerPeer);
      return this;
    }

    /** Sets the number of event-loop threads (default: half the processors, at least one). */
    public Builder workerThreads(int workerThreads) {
      this.workerThreads = positive("workerThreads", workerThreads);
      return this;
    }

    /**
     * Runs service code on {@code executor} instead of the server's shared one (never on an event
     * loop either way), over HTTP and WebSocket; when it rejects a call the call fails with
     * RESOURCE_EXHAUSTED. It is not shut down by the server.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Binds the URI options ({@code graphql://0.0.0.0:4444?maxDepth=10&introspection=false}):
     * {@code maxDepth}, {@code maxFields}, {@code maxTokens}, {@code maxAliases}, {@code
     * introspection}, {@code graphiql}, {@code documentCacheSize}, {@code connectionInitTimeout},
     * and the HTTP settings with REST's names: {@code maxMessageBytes}, {@code maxBufferedBytes}
     * (bytes, or with KiB/MiB/GiB), {@code cors} (comma-separated origins), {@code idleTimeout},
     * {@code requestTimeout}, {@code writeTimeout} (durations like {@code 30s}), {@code
     * maxConnections}, {@code maxConnectionsPerPeer}, {@code workerThreads}; the deprecated {@code
     * maxBodyBytes} and {@code maxBufferedBodyBytes} still work.
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table
          .integer("maxDepth", this::maxDepth)
          .integer("maxFields", this::maxFields)
          .integer("maxTokens", this::maxTokens)
          .integer("maxAliases", this::maxAliases)
          .bool("introspection", this::introspection)
          .bool("graphiql", this::graphiql)
          .integer("documentCacheSize", this::documentCacheSize)
          .duration("connectionInitTimeout", this::connectionInitTimeout)
          .size("maxMessageBytes", this::maxMessageBytes)
          .longSize("maxBufferedBytes", this::maxBufferedBytes)
          .list("cors", this::cors)
          .duration("idleTimeout", this::idleTimeout)
          .duration("requestTimeout", this::requestTimeout)
          .duration("writeTimeout", this::writeTimeout)
          .positive("maxConnections", this::maxConnections)
          .positive("maxConnectionsPerPeer", this::maxConnectionsPerPeer)
          .positive("workerThreads", this::workerThreads)
          .alias("maxBodyBytes", "maxMessageBytes")
          .alias("maxBufferedBodyBytes", "maxBufferedBytes");
    }

    /** Returns the transport. */
    public GraphqlTransport build() {
      return new GraphqlTransport(this);
    }

    private static Duration positive(String name, Duration value) {
      requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    private static int positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
      }
      return value;
    }
  }
}
