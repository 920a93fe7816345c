package dev.ipc.rest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls services of a REST server built by {@link RestTransport}, over the same routes, JSON and
 * problem documents; {@code client.service(descriptor)} implements any described interface.
 *
 * <pre>{@code
 * try (RestClient client = RestClient.of("localhost", 5000)) {
 *   MyService service = client.service(MyService.DESCRIPTOR);
 *   service.doSomething(request);
 * }
 * }</pre>
 *
 * <p>A problem answer becomes a {@link ServiceException} with its {@code code} (or the code of its
 * status); a refused connection, a timeout or an answer that is not the protocol's becomes a
 * {@link TransportException}. Connections are kept alive and reused. Thread-safe.
 */
public final class RestClient implements Client {
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final String base;
  private final Duration timeout;
  private final ExecutorService executor;
  private final HttpClient http;
  private volatile boolean closed;

  private RestClient(Builder b) {
    this.base = "http://" + (b.host.contains(":") ? "[" + b.host + "]" : b.host) + ":" + b.port;
    this.timeout = b.timeout;
    int id = CLIENTS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "ipc-rest-client-" + id + "-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .executor(executor)
            .build();
  }

  /** Returns a client of the server at {@code host}:{@code port} with default settings. */
  public static RestClient of(String host, int port) {
    return builder().target(host, port).build();
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request) {
    requireNonNull(operation, "operation");
    requireNonNull(request, "request");
    if (closed) {
      throw new TransportException("client closed: " + base);
    }
    HttpRequest httpRequest = toHttp(operation, request);
    // The JDK client's request timeout stops at the response headers: a body that stalls would hang
    // the call. Waiting on the whole exchange bounds it all; cancelling aborts the exchange.
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw noAnswer(operation, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        throw noAnswer(operation, cause);
      }
      if (cause instanceof ConnectException) {
        throw new TransportException("cannot connect to " + base, cause);
      }
      String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
      throw new TransportException("connection to " + base + " failed: " + why, cause);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while calling " + operation, e);
    }
    return toReply(operation, response);
  }

  private TransportException noAnswer(Operation<?, ?, ?> operation, Throwable cause) {
    return new TransportException(
        "no answer from " + base + " within " + timeout + " for " + operation, cause);
  }

  private HttpRequest toHttp(Operation<?, ?, ?> operation, Object request) {
    RecordType<?> input = operation.input();
    StringBuilder path = new StringBuilder();
    List<String> bound = new ArrayList<>();
    for (String segment : Route.split(operation.restPath())) {
      path.append('/');
      if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")) {
        String name = segment.substring(1, segment.length() - 1);
        Field f = input.field(name);
        if (f == null) {
          throw new IllegalArgumentException(operation + ": path binds unknown field {" + name + "}");
        }
        bound.add(name);
        path.append(Route.percentEncode(String.valueOf(f.get(request))));
      } else {
        path.append(segment);
      }
    }
    if (path.length() == 0) {
      path.append('/');
    }
    String method = operation.restMethod();
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
    boolean bodyless = method.equals("GET") || method.equals("DELETE") || method.equals("HEAD");
    if (bodyless) {
      char sep = '?';
      for (Field f : input.fields()) {
        Object v = f.get(request);
        if (bound.contains(f.name()) || v == null || f.type() == FieldType.MESSAGE) {
          continue;
        }
        for (Object e : f.repeated() ? (List<?>) v : List.of(v)) {
          path.append(sep).append(Route.percentEncode(f.name())).append('=')
              .append(Route.percentEncode(String.valueOf(e)));
          sep = '&';
        }
      }
    } else {
      body = HttpRequest.BodyPublishers.ofByteArray(JsonCodec.encode(input, request));
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("accept", "application/json, application/problem+json")
            .method(method, body);
    if (!bodyless) {
      b.header("content-type", "application/json");
    }
    return b.build();
  }

  private Reply toReply(Operation<?, ?, ?> operation, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    String type = response.headers().firstValue("content-type").orElse("");
    JsonNode node;
    try {
      node = JsonCodec.MAPPER.readTree(response.body());
    } catch (IOException e) {
      node = null;
    }
    if (status == 200 || status == 201) {
      if (node == null) {
        throw new TransportException("malformed JSON answer from " + base + " for " + operation);
      }
      try {
        if (operation.many()) {
          if (!node.isArray()) {
            throw new TransportException("answer of " + operation + " is not a JSON array");
          }
          List<Object> values = new ArrayList<>(node.size());
          for (JsonNode e : node) {
            values.add(JsonCodec.readRecord(operation.output(), e, "answer"));
          }
          return new Reply(List.copyOf(values), status == 201);
        }
        return new Reply(JsonCodec.readRecord(operation.output(), node, "answer"), status == 201);
      } catch (ServiceException e) {
        throw new TransportException("answer of " + operation + " does not fit its type: " + e.getMessage(), e);
      }
    }
    if (node != null && node.isObject() && (type.startsWith("application/problem+json") || node.has("code"))) {
      ErrorCode code = HttpStatuses.code(status);
      JsonNode c = node.get("code");
      if (c != null && c.isTextual()) {
        try {
          code = ErrorCode.valueOf(c.textValue());
        } catch (IllegalArgumentException e) {
          // A code this client does not know: keep the one of the status.
        }
      }
      JsonNode detail = node.get("detail");
      JsonNode title = node.get("title");
      String message =
          detail != null && detail.isTextual()
              ? detail.textValue()
              : title != null && title.isTextual() ? title.textValue() : "HTTP " + status;
      throw new ServiceException(code, message);
    }
    throw new TransportException(
        "unexpected answer from " + base + " for " + operation + ": HTTP " + status + " "
            + shorten(response.body()));
  }

  private static String shorten(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
    return body.length > 80 ? s + "..." : s;
  }

  /** Fails later calls and releases the client's threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "RestClient{" + base + "}";
  }

  /** Configures a {@link RestClient}. */
  public static final class Builder {
    private String host = "localhost";
    private int port = RestTransport.DEFAULT_PORT;
    private Duration timeout = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);

    Builder() {}

    /** Sets the server's host and port (default {@code localhost:5000}). */
    public Builder target(String host, int port) {
      this.host = requireNonNull(host, "host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
      }
      this.port = port;
      return this;
    }

    /** Sets how long one call may take, answer included (default 30 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Options.positive("timeout", timeout, timeout);
      return this;
    }

    /** Sets how long connecting may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Options.positive("connectTimeout", connectTimeout, connectTimeout);
      return this;
    }

    /**
     * Applies URI options ({@code rest://localhost:5000?timeout=5s}): {@code timeout},
     * {@code connectTimeout}.
     *
     * @throws IllegalArgumentException for an unknown option or a malformed value
     */
    public Builder options(Map<String, String> options) {
      requireNonNull(options, "options");
      for (Map.Entry<String, String> e : options.entrySet()) {
        switch (e.getKey()) {
          case "timeout" -> timeout(Options.duration(e.getKey(), e.getValue()));
          case "connectTimeout" -> connectTimeout(Options.duration(e.getKey(), e.getValue()));
          default ->
              throw new IllegalArgumentException(
                  "option: " + e.getKey() + " (expected: timeout, connectTimeout)");
        }
      }
      return this;
    }

    /** Returns the client. */
    public RestClient build() {
      return new RestClient(this);
    }
  }
}
