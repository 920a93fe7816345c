package dev.ipc.rest;

import dev.ipc.core.spi.TransportOptions;
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
import dev.ipc.http.HttpClientPool;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * status); a refused connection, a timeout or an answer that is not the protocol's becomes a
 * {@link TransportException}. Connections are kept alive and reused. Thread-safe.
 */
public final class RestClient implements Client {
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private static final int MAX_CONNECTIONS = 64;
  private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
  private static final Map<String, String> ACCEPT =
      Map.of("accept", "application/json, application/problem+json");
  private static final Map<String, String> ACCEPT_JSON_BODY =
      Map.of("accept", "application/json, application/problem+json", "content-type", "application/json");

  private final String base;
  private final Duration timeout;
  private final HttpClientPool http;
  private volatile boolean closed;

  private RestClient(Builder b) {
    this.base = "http://" + (b.host.contains(":") ? "[" + b.host + "]" : b.host) + ":" + b.port;
    this.timeout = b.timeout;
    this.http =
        HttpClientPool.open(
            "ipc-rest-client-" + CLIENTS.incrementAndGet(),
            b.host,
            b.port,
            MAX_CONNECTIONS,
            b.connectTimeout,
            MAX_RESPONSE_BYTES);
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
    Exchange exchange = toHttp(operation, request);
    HttpClientPool.Response response;
    try {
      // The pool's timeout covers the whole exchange, connecting and the full body included.
      response = http.exchange(exchange.method, exchange.target, exchange.headers, exchange.body, timeout);
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
          throw new IllegalArgumentException(operation + ": path binds unknown field {" + name + "}");
        }
        bound.add(name);
        Object v = f.get(request);
        if (v == null) {
          throw ServiceException.invalidArgument(
              name + ": null (expected: a value; it is part of the path " + operation.restPath() + ")");
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
          path.append(sep).append(Route.percentEncode(f.name())).append('=')
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
      this.timeout = TransportOptions.positive("timeout", timeout, timeout);
      return this;
    }

    /** Sets how long connecting may take (default 10 s). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = TransportOptions.positive("connectTimeout", connectTimeout, connectTimeout);
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
          case "timeout" -> timeout(TransportOptions.duration(e.getKey(), e.getValue()));
          case "connectTimeout" -> connectTimeout(TransportOptions.duration(e.getKey(), e.getValue()));
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
