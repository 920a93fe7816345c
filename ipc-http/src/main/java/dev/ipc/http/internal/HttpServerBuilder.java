package dev.ipc.http.internal;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Tls;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** Configures an {@link HttpServer}; {@link #build()} it, then {@link HttpServer#start()}. */
public final class HttpServerBuilder {
  String host = "0.0.0.0";
  int port;
  HttpHandler handler;
  Executor executor;
  int maxBodyBytes = 1024 * 1024;
  Duration idleTimeout = Duration.ofSeconds(60);
  Duration requestTimeout = Duration.ofSeconds(30);
  List<String> corsOrigins = List.of();
  // Half the processors: a loop only reads, decodes and routes (call threads run the handler and
  // write the answer), and fewer loops find more connections ready per wake-up.
  int workerThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  int maxConnections = 10_000;
  int maxConnectionsPerPeer = 1_000;
  Duration writeTimeout = Duration.ofSeconds(30);
  Duration heartbeat = EventWriter.HEARTBEAT;
  long maxBufferedBodyBytes = Runtime.getRuntime().maxMemory() / 4;
  String name = "ipc-http";
  Tls tls;
  List<String> responseHeaders = List.of(); // name, value, name, value...

  HttpServerBuilder() {}

  /** Sets the interface to bind (default {@code 0.0.0.0}). */
  public HttpServerBuilder host(String host) {
    this.host = requireNonNull(host, "host");
    return this;
  }

  /**
   * Sets the port to bind; 0 (the default) picks a free one, see {@link HttpServer#localAddress()}.
   */
  public HttpServerBuilder port(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
    this.port = port;
    return this;
  }

  /** Sets what answers requests (required). */
  public HttpServerBuilder handler(HttpHandler handler) {
    this.handler = requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Sets the executor the handler runs on (required); when it rejects a request the server answers
   * 429, or 503 once it is shut down or the server is closing.
   */
  public HttpServerBuilder executor(Executor executor) {
    this.executor = requireNonNull(executor, "executor");
    return this;
  }

  /** Sets the largest request body accepted (default 1 MiB); larger ones get 413. */
  public HttpServerBuilder maxBodyBytes(int maxBodyBytes) {
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: >= 0)");
    }
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  /**
   * Sets how long a connection may stay silent (default 60 s) while no request of it is being
   * handled; then it is closed, with a 408 when it had sent only part of a request.
   */
  public HttpServerBuilder idleTimeout(Duration idleTimeout) {
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
    }
    this.idleTimeout = idleTimeout;
    return this;
  }

  /**
   * Sets how long a request may take to arrive once its first byte came (default 30 s), head
   * included, however steadily it trickles in; then it is answered 408 and the connection closed.
   */
  public HttpServerBuilder requestTimeout(Duration requestTimeout) {
    requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
    }
    this.requestTimeout = requestTimeout;
    return this;
  }

  /**
   * Enables CORS for the given origins ({@code "*"} for any; none, the default, disables it):
   * preflight requests are answered by the server, other responses get {@code
   * Access-Control-Allow-Origin}.
   */
  public HttpServerBuilder cors(String... origins) {
    requireNonNull(origins, "origins");
    for (String o : origins) {
      requireNonNull(o, "origin");
    }
    this.corsOrigins = List.of(origins);
    return this;
  }

  /**
   * Sets how many client connections are served at once (default 10,000: far above what keep-alive
   * client pools open, well below common descriptor limits); beyond it a new connection is answered
   * 503 {@code UNAVAILABLE} with {@code Connection: close} (and CORS headers when its request shows
   * an allowed Origin) and closed once that is written, while open ones keep being served.
   */
  public HttpServerBuilder maxConnections(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
    }
    this.maxConnections = maxConnections;
    return this;
  }

  /**
   * Sets how many connections one client address may have served at once (default 1,000, a tenth of
   * the default {@link #maxConnections}): one more is refused like a connection beyond {@code
   * maxConnections} (503 {@code UNAVAILABLE}, {@code Connection: close}, closed once written), so a
   * single peer cannot take every place while the others keep being served.
   */
  public HttpServerBuilder maxConnectionsPerPeer(int maxConnectionsPerPeer) {
    if (maxConnectionsPerPeer < 1) {
      throw new IllegalArgumentException(
          "maxConnectionsPerPeer: " + maxConnectionsPerPeer + " (expected: >= 1)");
    }
    this.maxConnectionsPerPeer = maxConnectionsPerPeer;
    return this;
  }

  /**
   * Sets how long an answer may wait for its client to read it (default 30 s): an answer the
   * client's socket has not taken whole by then closes the connection. Answers go one at a time per
   * connection, so a client that never reads holds at most one answer's bytes and cannot hold a
   * place forever.
   */
  public HttpServerBuilder writeTimeout(Duration writeTimeout) {
    requireNonNull(writeTimeout, "writeTimeout");
    if (writeTimeout.isNegative() || writeTimeout.isZero()) {
      throw new IllegalArgumentException("writeTimeout: " + writeTimeout + " (expected: > 0)");
    }
    this.writeTimeout = writeTimeout;
    return this;
  }

  /**
   * Sets how many request-body bytes the server holds at once over all connections (default: a
   * quarter of the JVM's maximum heap): bodies still arriving, waiting behind other requests, or
   * being handled. A request whose body would go beyond it is answered 503 {@code UNAVAILABLE} with
   * {@code Retry-After} and {@code Connection: close}, so many large or slowly sent bodies cannot
   * exhaust the memory, while requests that fit, and those without a body, are still served.
   */
  public HttpServerBuilder maxBufferedBodyBytes(long maxBufferedBodyBytes) {
    if (maxBufferedBodyBytes < 0) {
      throw new IllegalArgumentException(
          "maxBufferedBodyBytes: " + maxBufferedBodyBytes + " (expected: >= 0)");
    }
    this.maxBufferedBodyBytes = maxBufferedBodyBytes;
    return this;
  }

  /**
   * Sets how often a silent event stream gets a heartbeat and a WebSocket a ping (default {@link
   * EventWriter#HEARTBEAT}); for tests, which cannot wait that long.
   */
  HttpServerBuilder heartbeat(Duration heartbeat) {
    requireNonNull(heartbeat, "heartbeat");
    if (heartbeat.isNegative() || heartbeat.isZero()) {
      throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
    }
    this.heartbeat = heartbeat;
    return this;
  }

  /** Sets the number of event-loop threads (default: half the processors, at least one). */
  public HttpServerBuilder workerThreads(int workerThreads) {
    if (workerThreads < 1) {
      throw new IllegalArgumentException("workerThreads: " + workerThreads + " (expected: >= 1)");
    }
    this.workerThreads = workerThreads;
    return this;
  }

  /**
   * Serves TLS only, from {@code tls}'s PEM certificate chain and key, asking for client
   * certificates signed by its {@code clientCa} as its {@code clientAuth} says; null (the default)
   * serves plain text. Netty's {@code SslHandler} is then first in every connection's pipeline and
   * every answer, those of call threads included, is written through it. A client that does not
   * speak TLS has its connection closed (a failed handshake), as has one that does not finish its
   * handshake within the {@linkplain #requestTimeout request timeout} (10 s at most). Handlers see
   * the client's certificate chain in {@link HttpRequest#peerCertificates()}. The files are read at
   * {@link HttpServer#start()}.
   */
  public HttpServerBuilder tls(Tls tls) {
    this.tls = tls;
    return this;
  }

  /**
   * Adds {@code name: value} to every answer the server sends, its own (408, 413, 429, 503...)
   * included, unless the handler's answer already has a {@code name} header (for example {@code
   * X-Content-Type-Options: nosniff}). None by default.
   */
  public HttpServerBuilder responseHeader(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    List<String> h = new java.util.ArrayList<>(responseHeaders);
    h.add(name.toLowerCase(java.util.Locale.ROOT));
    h.add(value);
    if (ResponseEncoding.encode(false, 200, h, new byte[0]) == null) {
      throw new IllegalArgumentException("responseHeader: not a valid header: " + name);
    }
    this.responseHeaders = List.copyOf(h);
    return this;
  }

  /**
   * Answers {@code GET /healthz} (200 while the server runs: it is alive) and {@code GET /readyz}
   * (200 while {@code ready} says so, else 503) before the handler sees them, for load balancers
   * and orchestrators. Both answer JSON {@code {"status":"UP"}} or {@code {"status":"DOWN"}}.
   */
  public HttpServerBuilder health(java.util.function.BooleanSupplier ready) {
    requireNonNull(ready, "ready");
    HttpHandler inner = requireNonNull(handler, "handler (expected: set before health)");
    this.handler =
        request -> {
          String path = request.path();
          boolean get = request.method().equals("GET") || request.method().equals("HEAD");
          if (get && path.equals("/healthz")) {
            return HttpResponse.json(200, "{\"status\":\"UP\"}");
          }
          if (get && path.equals("/readyz")) {
            return ready.getAsBoolean()
                ? HttpResponse.json(200, "{\"status\":\"UP\"}")
                : HttpResponse.json(503, "{\"status\":\"DOWN\"}").withHeader("retry-after", "1");
          }
          return inner.handle(request);
        };
    return this;
  }

  /** Sets the name used for threads and log messages (default {@code ipc-http}). */
  public HttpServerBuilder name(String name) {
    this.name = requireNonNull(name, "name");
    return this;
  }

  /** Returns a server with these settings, not yet bound. */
  public HttpServer build() {
    if (handler == null) {
      throw new IllegalStateException("handler not set");
    }
    if (executor == null) {
      throw new IllegalStateException("executor not set");
    }
    return new HttpServer(this);
  }

  /** Builds and starts the server; see {@link HttpServer#start()}. */
  public HttpServer start() throws IOException {
    return build().start();
  }
}
