package dev.ipc.rest;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportBuilder;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.core.spi.TransportOptions;
import dev.ipc.http.internal.HttpServer;
import dev.ipc.http.internal.HttpServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Serves every described service as JSON over HTTP/1.1: each operation at its model route ({@code
 * GET /tasks}, {@code PUT /tasks/{id}}...), errors as {@code application/problem+json} with a
 * {@code code} member, and the OpenAPI 3.1 document at {@code GET /openapi.json}.
 *
 * <pre>{@code
 * Transports.builder().services(Reference.services()).transport(RestTransport.of(5000)).start();
 * }</pre>
 *
 * <p>{@code PUT} and {@code POST} accept {@code application/json}, or a form whose field {@code
 * data} holds the JSON (the article's {@code curl -d 'data={"name": "task5"}'}) or whose fields are
 * the record's. Immutable and thread-safe; each {@link #start} binds a new server.
 *
 * <p>Every request header reaches the call context ({@code CallContext.current().metadata()}), with
 * the client's address and, over mutual TLS, its certificate chain; an {@code Authorization:
 * Bearer} token is the credential the server's verifier checks. UNAUTHENTICATED answers 401 with
 * {@code WWW-Authenticate: Bearer} ({@code Bearer error="invalid_token"} when a token was sent),
 * PERMISSION_DENIED 403, both {@code application/problem+json}. Response metadata that interceptors
 * or the service add becomes response headers. When the server has TLS ({@code
 * Transports.builder().tls}), this port serves only TLS.
 */
public final class RestTransport implements Transport {
  /** The default port, the article's. */
  public static final int DEFAULT_PORT = 5000;

  /** The default largest request body: 1 MiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

  /**
   * The default largest request body.
   *
   * @deprecated use {@link #DEFAULT_MAX_MESSAGE_BYTES}
   */
  @Deprecated public static final int DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_MESSAGE_BYTES;

  final String host;
  final int port;
  final int maxBodyBytes;
  final List<String> corsOrigins;
  final Duration idleTimeout;
  final Duration requestTimeout;
  final Executor executor;
  final int workerThreads;
  final long maxBufferedBodyBytes;
  final int maxConnections;
  final int maxConnectionsPerPeer;
  final Duration writeTimeout;
  final java.util.Map<String, Page> pages;

  RestTransport(Builder b) {
    this.host = b.host();
    this.port = b.port();
    this.maxBodyBytes = b.maxBodyBytes;
    this.corsOrigins = b.corsOrigins;
    this.idleTimeout = b.idleTimeout;
    this.requestTimeout = b.requestTimeout;
    this.executor = b.executor;
    this.workerThreads = b.workerThreads;
    this.maxBufferedBodyBytes = b.maxBufferedBodyBytes;
    this.maxConnections = b.maxConnections;
    this.maxConnectionsPerPeer = b.maxConnectionsPerPeer;
    this.writeTimeout = b.writeTimeout;
    this.pages = java.util.Map.copyOf(b.pages);
  }

  /** Returns a transport on {@code port} of every interface, with default settings. */
  public static RestTransport of(int port) {
    return builder().port(port).build();
  }

  /** Returns a new builder; by default it binds port {@value #DEFAULT_PORT} on every interface. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "rest";
  }

  @Override
  public String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public RunningTransport start(TransportContext context) throws IOException {
    requireNonNull(context, "context");
    HttpServerBuilder b =
        HttpServer.builder()
            .name("ipc-rest")
            .host(host)
            .port(port)
            .maxBodyBytes(maxBodyBytes)
            .idleTimeout(idleTimeout)
            .requestTimeout(requestTimeout)
            .executor(executor != null ? executor : context.executor())
            .handler(
                pages.isEmpty() ? new RestHandler(context) : withPages(new RestHandler(context)))
            // /healthz and /readyz for load balancers; readiness goes false as soon as a close
            // begins.
            .health(context::isReady)
            .cors(corsOrigins.toArray(new String[0]))
            // TLS only when the server has it (Transports.builder().tls): then this port speaks
            // nothing else.
            .tls(context.tls().orElse(null));
    if (workerThreads > 0) {
      b.workerThreads(workerThreads);
    }
    if (maxBufferedBodyBytes > 0) {
      b.maxBufferedBodyBytes(maxBufferedBodyBytes);
    }
    if (maxConnections > 0) {
      b.maxConnections(maxConnections);
    }
    if (maxConnectionsPerPeer > 0) {
      b.maxConnectionsPerPeer(maxConnectionsPerPeer);
    }
    if (writeTimeout != null) {
      b.writeTimeout(writeTimeout);
    }
    return b.start();
  }

  /** Answers the host's GET pages first; everything else goes to the service routes. */
  private dev.ipc.http.internal.HttpHandler withPages(RestHandler routes) {
    return request -> {
      Page page = pages.get(request.path());
      if (page == null) {
        return routes.handle(request);
      }
      if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
        return dev.ipc.http.internal.HttpResponse.problem(
                405, request.method() + " " + request.path() + " (expected: GET)")
            .withHeader("Allow", "GET, HEAD");
      }
      byte[] body = page.body().get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return dev.ipc.http.internal.HttpResponse.of(200, page.contentType(), body)
          .withHeader("Cache-Control", "no-store");
    };
  }

  /** A host page: {@link Builder#page}. */
  private record Page(String contentType, java.util.function.Supplier<String> body) {}

  @Override
  public String toString() {
    return "rest://" + address();
  }

  /**
   * Configures a {@link RestTransport}. The settings transports share have the same names on every
   * transport's builder and in URI options ({@code maxMessageBytes}, {@code maxBufferedBytes},
   * {@code cors}, {@code idleTimeout}, {@code maxConnections}, {@code workerThreads}); see the
   * README's Defaults section. Not thread-safe.
   */
  public static final class Builder extends TransportBuilder<Builder> {
    private int maxBodyBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private List<String> corsOrigins = List.of();
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Executor executor;
    private int workerThreads;
    private long maxBufferedBodyBytes;
    private int maxConnections;
    private int maxConnectionsPerPeer;
    private Duration writeTimeout;
    private final java.util.Map<String, Page> pages = new java.util.LinkedHashMap<>();

    Builder() {
      super(DEFAULT_PORT);
    }

    /** Sets the largest request body accepted, in bytes (default 1 MiB); larger ones get 413. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maxMessageBytes: " + bytes + " (expected: >= 0)");
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the largest request body accepted.
     *
     * @deprecated use {@link #maxMessageBytes(int)}, the name every transport uses
     */
    @Deprecated
    public Builder maxBodyBytes(int maxBodyBytes) {
      return maxMessageBytes(maxBodyBytes);
    }

    /**
     * Sets how many request-body bytes the server holds at once over all connections (default: a
     * quarter of the JVM's maximum heap): bodies arriving, waiting behind other requests of their
     * connection, or being handled. A request whose body would go beyond gets 503 with {@code
     * Retry-After}, so a flood of large or slowly sent bodies cannot exhaust the memory.
     */
    public Builder maxBufferedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxBufferedBytes: " + bytes + " (expected: > 0)");
      }
      this.maxBufferedBodyBytes = bytes;
      return this;
    }

    /**
     * Sets how many request-body bytes the server holds at once.
     *
     * @deprecated use {@link #maxBufferedBytes(long)}, the name every transport uses
     */
    @Deprecated
    public Builder maxBufferedBodyBytes(long bytes) {
      return maxBufferedBytes(bytes);
    }

    /** Enables CORS for these origins ({@code "*"} for any); off by default. */
    public Builder cors(String... origins) {
      requireNonNull(origins, "origins");
      for (String o : origins) {
        requireNonNull(o, "origin");
      }
      this.corsOrigins = List.copyOf(Arrays.asList(origins));
      return this;
    }

    /**
     * Sets how long a silent connection stays open (default 60 s); a half-sent request gets 408.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      requireNonNull(idleTimeout, "idleTimeout");
      this.idleTimeout = TransportOptions.positive("idleTimeout", idleTimeout, idleTimeout);
      return this;
    }

    /** Sets how long a request may take to arrive once started (default 30 s); then 408. */
    public Builder requestTimeout(Duration requestTimeout) {
      requireNonNull(requestTimeout, "requestTimeout");
      this.requestTimeout =
          TransportOptions.positive("requestTimeout", requestTimeout, requestTimeout);
      return this;
    }

    /**
     * Sets how long an answer may wait for its client to read it (default 30 s); then the
     * connection is closed, so a client that never reads holds neither memory nor a place for long.
     */
    public Builder writeTimeout(Duration writeTimeout) {
      requireNonNull(writeTimeout, "writeTimeout");
      this.writeTimeout = TransportOptions.positive("writeTimeout", writeTimeout, writeTimeout);
      return this;
    }

    /**
     * Sets how many connections are served at once (default 10,000); one more is answered 503
     * {@code UNAVAILABLE} and closed, while open ones keep being served.
     */
    public Builder maxConnections(int maxConnections) {
      this.maxConnections =
          TransportOptions.positive("maxConnections", String.valueOf(maxConnections));
      return this;
    }

    /**
     * Sets how many connections one client address may have served at once (default 1,000); one
     * more from it is answered 503 {@code UNAVAILABLE} and closed, while other addresses are
     * served.
     */
    public Builder maxConnectionsPerPeer(int maxConnectionsPerPeer) {
      this.maxConnectionsPerPeer =
          TransportOptions.positive("maxConnectionsPerPeer", String.valueOf(maxConnectionsPerPeer));
      return this;
    }

    /**
     * Runs service code on {@code executor} instead of the server's shared one (never on an event
     * loop either way). It is not shut down by the server.
     */
    public Builder executor(Executor executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Also answers {@code GET path} (and HEAD) with the text {@code body} supplies at each request,
     * as {@code contentType}: a host's own page beside the services, such as Prometheus' {@code
     * /metrics}. It wins over a service route of the same path; it runs on the executor, so it may
     * block.
     */
    public Builder page(String path, String contentType, java.util.function.Supplier<String> body) {
      requireNonNull(path, "path");
      if (!path.startsWith("/") || path.contains("{") || path.contains("?")) {
        throw new IllegalArgumentException(
            "path: " + path + " (expected: a literal path such as /metrics)");
      }
      pages.put(
          path, new Page(requireNonNull(contentType, "contentType"), requireNonNull(body, "body")));
      return this;
    }

    /** Sets the number of event-loop threads (default: half the processors, at least one). */
    public Builder workerThreads(int workerThreads) {
      this.workerThreads =
          TransportOptions.positive("workerThreads", String.valueOf(workerThreads));
      return this;
    }

    /**
     * Binds the URI options ({@code rest://0.0.0.0:5000?maxMessageBytes=2MiB&cors=*}): {@code
     * maxMessageBytes}, {@code maxBufferedBytes} (bytes, or with KiB/MiB/GiB), {@code cors}
     * (comma-separated origins), {@code idleTimeout}, {@code requestTimeout}, {@code writeTimeout}
     * (durations like {@code 30s}), {@code maxConnections}, {@code maxConnectionsPerPeer}, {@code
     * workerThreads}; the deprecated {@code maxBodyBytes} and {@code maxBufferedBodyBytes} still
     * work.
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table
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
    public RestTransport build() {
      return new RestTransport(this);
    }
  }
}
