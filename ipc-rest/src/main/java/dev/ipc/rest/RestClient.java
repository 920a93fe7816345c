package dev.ipc.rest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ipc.core.Client;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.core.spi.OptionTable;
import dev.ipc.core.spi.RemoteStream;
import dev.ipc.core.spi.TransportOptions;
import dev.ipc.http.internal.ClientTls;
import dev.ipc.http.internal.HttpClientPool;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls services of a REST server built by {@link RestTransport}, over the same routes, JSON and
 * problem documents; {@code client.service(Library.class)} (or a descriptor) implements any
 * described interface.
 *
 * <pre>{@code
 * try (RestClient client = RestClient.of("localhost", 5000)) {
 *   MyService service = client.service(MyService.DESCRIPTOR);
 *   service.doSomething(request);
 * }
 * }</pre>
 *
 * <p>A problem answer becomes a {@link ServiceException} with its {@code code} (or the code of its
 * status); a refused connection, a timeout or an answer that is not the protocol's becomes a {@link
 * TransportException}. Connections are kept alive and reused. Thread-safe.
 *
 * <p>Metadata ({@code withMetadata}, {@code withBearerToken}) goes as request headers. TLS: {@code
 * rest://host:port?ca=/path/ca.pem} (or {@code tls=true} for the JDK's default trust, and {@code
 * cert=...&key=...} for a client certificate), or the builder methods of the same names.
 */
public final class RestClient implements Client {
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private static final int MAX_CONNECTIONS = 64;
  private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
  private static final Map<String, String> ACCEPT =
      Map.of("accept", "application/json, application/problem+json");
  private static final Map<String, String> ACCEPT_JSON_BODY =
      Map.of(
          "accept",
          "application/json, application/problem+json",
          "content-type",
          "application/json");

  /** Request headers the client sets itself, never taken from metadata. */
  private static final Set<String> RESERVED =
      Set.of(
          "host",
          "content-length",
          "content-type",
          "accept",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "te",
          "trailer",
          "expect");

  private final String base;
  private final Duration timeout;
  private final HttpClientPool http;
  private volatile boolean closed;

  private RestClient(Builder b) {
    ClientTls tls = ClientTls.of(b.tls(), b.ca(), b.cert(), b.key());
    this.base =
        (tls != null ? "https://" : "http://")
            + (b.host().contains(":") ? "[" + b.host() + "]" : b.host())
            + ":"
            + b.port();
    this.timeout = b.timeout();
    this.http =
        HttpClientPool.open(
            "ipc-rest-client-" + CLIENTS.incrementAndGet(),
            b.host(),
            b.port(),
            MAX_CONNECTIONS,
            b.connectTimeout,
            MAX_RESPONSE_BYTES,
            tls);
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
    return call(operation, request, Metadata.EMPTY);
  }

  /**
   * Calls {@code operation} with {@code metadata} sent as request headers (a name with several
   * values as one header, the values joined by commas); {@code Host}, {@code Content-Length},
   * {@code Content-Type}, {@code Accept} and the connection's own headers stay the client's.
   *
   * @throws IllegalArgumentException if a name is not an HTTP token or a value holds a control
   *     character
   */
  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
    requireNonNull(operation, "operation");
    requireNonNull(request, "request");
    requireNonNull(metadata, "metadata");
    if (closed) {
      throw new TransportException("client closed: " + base);
    }
    Exchange exchange = toHttp(operation, request);
    if (operation.streaming()) {
      return stream(operation, exchange, metadata);
    }
    Map<String, String> headers = exchange.headers;
    if (!metadata.isEmpty()) {
      Map<String, String> all = new LinkedHashMap<>();
      for (String name : metadata.names()) {
        if (!RESERVED.contains(name)) {
          all.put(name, String.join(", ", metadata.all(name)));
        }
      }
      all.putAll(exchange.headers);
      headers = all;
    }
    // The server ends the call when this client stops waiting (its service thread is interrupted),
    // unless the caller's metadata named a deadline of its own.
    if (!headers.containsKey(CallSource.TIMEOUT_HEADER)) {
      Map<String, String> timed = new LinkedHashMap<>(headers);
      timed.put(CallSource.TIMEOUT_HEADER, Long.toString(timeout.toMillis()));
      headers = timed;
    }
    HttpClientPool.Response response;
    try {
      // The pool's timeout covers the whole exchange, connecting and the full body included.
      response = http.exchange(exchange.method, exchange.target, headers, exchange.body, timeout);
    } catch (SocketTimeoutException e) {
      throw noAnswer(operation, e);
    } catch (ConnectException e) {
      throw new TransportException("cannot connect to " + base, e);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while calling " + operation, e);
    } catch (IOException e) {
      if (closed) {
        throw new TransportException("client closed: " + base, e);
      }
      String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new TransportException("connection to " + base + " failed: " + why, e);
    }
    return toReply(operation, response);
  }

  /** The request headers: {@code metadata}'s (reserved names left out), then {@code own}. */
  private static Map<String, String> headers(Metadata metadata, Map<String, String> own) {
    Map<String, String> all = new LinkedHashMap<>();
    for (String name : metadata.names()) {
      if (!RESERVED.contains(name)) {
        all.put(name, String.join(", ", metadata.all(name)));
      }
    }
    all.putAll(own);
    return all;
  }

  private static final Map<String, String> ACCEPT_EVENTS =
      Map.of("accept", "text/event-stream, application/problem+json");

  /**
   * Answers a streaming operation: a publisher whose each subscriber opens its own Server-Sent
   * Events request ({@code Last-Event-ID} goes as metadata, like any header) and reads the events
   * as they come; cancelling closes that request's connection, which ends the stream on the server.
   */
  private Reply stream(Operation<?, ?, ?> operation, Exchange exchange, Metadata metadata) {
    Map<String, String> headers = headers(metadata, ACCEPT_EVENTS);
    return Reply.of(
        new RemoteStream<>(
            256,
            emitter -> {
              if (closed) {
                throw new TransportException("client closed: " + base);
              }
              SseReader reader = new SseReader(operation, emitter);
              Runnable cancel =
                  http.stream(exchange.method, exchange.target, headers, timeout, reader);
              reader.cancel = cancel;
              return cancel;
            }));
  }

  /** One request as the pool sends it. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed: equality is moot
  private record Exchange(String method, String target, Map<String, String> headers, byte[] body) {}

  private TransportException noAnswer(Operation<?, ?, ?> operation, Throwable cause) {
    return new TransportException(
        "no answer from " + base + " within " + timeout + " for " + operation, cause);
  }

  private Exchange toHttp(Operation<?, ?, ?> operation, Object request) {
    RecordType<?> input = operation.input();
    StringBuilder path = new StringBuilder();
    List<String> bound = new ArrayList<>();
    for (String segment : Route.split(operation.restPath())) {
      path.append('/');
      if (segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}")) {
        String name = segment.substring(1, segment.length() - 1);
        Field f = input.field(name);
        if (f == null) {
          throw new IllegalArgumentException(
              operation + ": path binds unknown field {" + name + "}");
        }
        bound.add(name);
        Object v = f.get(request);
        if (v == null) {
          throw ServiceException.invalidArgument(
              name
                  + ": null (expected: a value; it is part of the path "
                  + operation.restPath()
                  + ")");
        }
        path.append(Route.percentEncode(JsonCodec.text(f, v)));
      } else {
        path.append(segment);
      }
    }
    if (path.length() == 0) {
      path.append('/');
    }
    String method = operation.restMethod();
    byte[] body = null;
    boolean bodyless = method.equals("GET") || method.equals("DELETE") || method.equals("HEAD");
    if (bodyless) {
      char sep = '?';
      for (Field f : input.fields()) {
        Object v = f.get(request);
        if (bound.contains(f.name()) || v == null || f.type() == FieldType.MESSAGE || f.map()) {
          continue;
        }
        for (Object e : f.repeated() ? (List<?>) v : List.of(v)) {
          path.append(sep)
              .append(Route.percentEncode(f.name()))
              .append('=')
              .append(Route.percentEncode(JsonCodec.text(f, e)));
          sep = '&';
        }
      }
    } else {
      body = JsonCodec.encode(input, request);
    }
    return new Exchange(method, path.toString(), bodyless ? ACCEPT : ACCEPT_JSON_BODY, body);
  }

  private Reply toReply(Operation<?, ?, ?> operation, HttpClientPool.Response response) {
    int status = response.status();
    String type = response.header("content-type") != null ? response.header("content-type") : "";
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
          return Reply.of(List.copyOf(values), status == 201);
        }
        return Reply.of(JsonCodec.readRecord(operation.output(), node, "answer"), status == 201);
      } catch (ServiceException e) {
        throw new TransportException(
            "answer of " + operation + " does not fit its type: " + e.getMessage(), e);
      }
    }
    ServiceException problem = problem(status, type, node);
    if (problem != null) {
      throw problem;
    }
    throw new TransportException(
        "unexpected answer from "
            + base
            + " for "
            + operation
            + ": HTTP "
            + status
            + " "
            + shorten(response.body()));
  }

  /** Returns the error a problem answer carries, or null if {@code node} is not one. */
  static ServiceException problem(int status, String type, JsonNode node) {
    if (node != null
        && node.isObject()
        && (type.startsWith("application/problem+json") || node.has("code"))) {
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
      return new ServiceException(code, message);
    }
    return null;
  }

  static String shorten(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 80), StandardCharsets.UTF_8);
    return body.length > 80 ? s + "..." : s;
  }

  /** Fails later calls, closes every connection and releases the client's thread. Idempotent. */
  @Override
  public void close() {
    closed = true;
    http.close();
  }

  @Override
  public String toString() {
    return "RestClient{" + base + "}";
  }

  /**
   * Configures a {@link RestClient}: the server (default {@code localhost:5000}), TLS and timeout
   * as every client's builder has them ({@link ClientBuilder}), and the connect timeout. Not
   * thread-safe.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    private Duration connectTimeout = Duration.ofSeconds(10);

    Builder() {
      target("localhost", RestTransport.DEFAULT_PORT);
    }

    /** Sets how long connecting may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout =
          TransportOptions.positive("connectTimeout", connectTimeout, connectTimeout);
      return this;
    }

    /**
     * Binds the URI option {@code connectTimeout}, beside {@code timeout}, {@code tls}, {@code ca},
     * {@code cert}, {@code key}.
     */
    @Override
    protected void bindOptions(OptionTable table) {
      table.duration("connectTimeout", this::connectTimeout);
    }

    /**
     * Returns the client.
     *
     * @throws IllegalArgumentException if a TLS file cannot be read or holds no usable certificate
     *     or key, or only one of {@code cert} and {@code key} is set
     */
    public RestClient build() {
      return new RestClient(this);
    }
  }
}
