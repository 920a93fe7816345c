package dev.ipc.graphql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.ipc.core.spi.ClientBuilder;
import dev.ipc.core.spi.RemoteStream;
import dev.ipc.http.internal.ClientTls;
import dev.ipc.http.internal.HttpClientPool;
import dev.ipc.http.internal.HttpResponse;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Calls services served by a {@link GraphqlTransport}, through the same interfaces the server
 * implements: {@code GraphqlClient.of("localhost", 4444).service(MyService.DESCRIPTOR)}. Each call
 * is one {@code POST /graphql} whose document is generated from the operation's description (its
 * field, its input fields as variables, every output field selected), so no per-service code is
 * needed.
 *
 * <p>An {@code errors[]} entry comes back as a {@link ServiceException} with the code the server
 * raised ({@code extensions.code}) and its message, and so does the server's HTTP layer refusing a
 * call (too large, busy, closing); no answer (refused, timed out, an answer not from a GraphQL
 * endpoint of ours, such as a REST server's 404 or a proxy's 502) is a {@link TransportException}.
 * Connections are kept alive and reused. Thread-safe; share one per server.
 *
 * <p>Plain text by default; {@link Builder#tls}, {@link Builder#ca}, {@link Builder#cert} and
 * {@link Builder#key} (URI options {@code tls=true}, {@code ca=}, {@code cert=}, {@code key=}) make
 * it HTTPS, the server's name checked against its certificate. Metadata goes with a call as HTTP
 * headers ({@link #call(Operation, Object, Metadata)}, {@link #withBearerToken}).
 *
 * <p>A streaming operation answers a {@link java.util.concurrent.Flow.Publisher}; its subscribers
 * share one {@code graphql-transport-ws} WebSocket per distinct metadata (so never one of another
 * credential), each under its own id, the socket opened with the first subscriber and closed with
 * the last.
 */
public final class GraphqlClient implements Client {
  /** The default per-call timeout: every client's, {@link ClientBuilder#DEFAULT_TIMEOUT} (30 s). */
  public static final Duration DEFAULT_TIMEOUT = ClientBuilder.DEFAULT_TIMEOUT;

  private static final String ACCEPT = GraphqlHttpService.GRAPHQL_RESPONSE + ", application/json";

  private static final Map<String, String> HEADERS =
      Map.of("Content-Type", "application/json", "Accept", ACCEPT);
  private static final Set<String> OWN_HEADERS =
      Set.of(
          "content-type",
          "accept",
          "host",
          "content-length",
          "connection",
          "transfer-encoding",
          "keep-alive",
          "te",
          "trailer",
          "upgrade",
          "expect");
  private static final int MAX_CONNECTIONS = 64;

  /** Values a stream's subscriber may leave unread before it is ended with RESOURCE_EXHAUSTED. */
  private static final int STREAM_BUFFER = 256;

  private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final URI uri;
  private final Duration timeout;
  private final HttpClientPool http;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Operation<?, ?, ?>, String> documents = new ConcurrentHashMap<>();
  private final URI wsUri;
  private final ClientTls tls;

  /**
   * The shared subscription sockets, by the headers a subscriber's metadata makes: one per distinct
   * credential and metadata, so no subscriber runs with another caller's identity.
   */
  private final Map<Map<String, String>, WsConnection> sockets = new ConcurrentHashMap<>();

  private volatile HttpClient webSockets;
  private volatile boolean closed;

  private GraphqlClient(Builder b) {
    ClientTls tls = ClientTls.of(b.tls(), b.ca(), b.cert(), b.key());
    this.uri =
        URI.create(
            (tls == null ? "http://" : "https://")
                + (b.host().contains(":") ? "[" + b.host() + "]" : b.host())
                + ":"
                + b.port()
                + "/graphql");
    this.wsUri =
        URI.create(
            (tls == null ? "ws://" : "wss://")
                + (b.host().contains(":") ? "[" + b.host() + "]" : b.host())
                + ":"
                + b.port()
                + "/graphql");
    this.tls = tls;
    this.timeout = b.timeout();
    this.http =
        HttpClientPool.open(
            "ipc-graphql-client-" + CLIENTS.incrementAndGet(),
            b.host(),
            b.port(),
            MAX_CONNECTIONS,
            timeout,
            MAX_RESPONSE_BYTES,
            tls);
  }

  /** Returns a client of the server at {@code host}:{@code port} with default settings. */
  public static GraphqlClient of(String host, int port) {
    return builder().target(host, port).build();
  }

  /** Returns a new builder; {@link Builder#target} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the endpoint this client posts to ({@code http://host:port/graphql}, {@code https://}
   * over TLS).
   */
  public URI uri() {
    return uri;
  }

  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request) {
    return call(operation, request, Metadata.EMPTY);
  }

  /**
   * Calls {@code operation} with {@code metadata} sent as HTTP request headers (several values of
   * one name joined with {@code ", "}); {@code Content-Type}, {@code Accept} and the headers HTTP
   * itself sets ({@code Host}, {@code Content-Length}, {@code Connection}...) are this client's and
   * cannot be replaced.
   *
   * @throws IllegalArgumentException if a name or value cannot be an HTTP header
   */
  @Override
  public Reply call(Operation<?, ?, ?> operation, Object request, Metadata metadata) {
    requireNonNull(operation, "operation");
    requireNonNull(request, "request");
    requireNonNull(metadata, "metadata");
    if (closed) {
      throw new TransportException("GraphQL client of " + uri + " is closed");
    }
    String document = documents.computeIfAbsent(operation, GraphqlClient::document);
    Map<String, Object> variables = new LinkedHashMap<>();
    for (Field f : operation.input().fields()) {
      Object value = f.get(request);
      if (value != null) {
        variables.put(f.name(), toJson(f, value));
      }
    }
    if (operation.streaming()) {
      Map<String, String> headers = headers(metadata);
      return Reply.of(
          new RemoteStream<>(
              STREAM_BUFFER,
              emitter -> subscribe(operation, document, variables, headers, emitter)));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", document);
    body.put("variables", variables);
    HttpClientPool.Response response = send(body, headers(metadata));
    return read(operation, response);
  }

  /**
   * Opens one subscription on the WebSocket ({@code graphql-transport-ws}) this client shares among
   * the subscribers sending the same metadata ({@link WsConnection}), opening it if there is none:
   * the caller's {@code Authorization} goes in the {@code connection_init} payload (as browsers'
   * clients send it), the rest of its metadata as headers of the upgrade request, so callers with
   * other credentials or metadata never share a socket (the server authenticates a socket once, at
   * its start).
   */
  private Runnable subscribe(
      Operation<?, ?, ?> operation,
      String document,
      Map<String, Object> variables,
      Map<String, String> headers,
      RemoteStream.Emitter emitter) {
    if (closed) {
      throw new TransportException("GraphQL client of " + uri + " is closed");
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("query", document);
    payload.put("variables", variables);
    WsConnection.Subscriber subscriber =
        new WsConnection.Subscriber(
            emitter,
            payload,
            json,
            data -> {
              JsonNode value = data.get(operation.graphqlField());
              if (value == null || value.isNull()) {
                throw new TransportException(
                    "no value for " + operation.graphqlField() + " from " + wsUri);
              }
              return SchemaFactory.answersNothing(operation)
                  ? record(operation.output(), json.createObjectNode())
                  : record(operation.output(), value);
            },
            GraphqlClient::error);
    WsConnection[] opened = new WsConnection[1];
    Runnable[] cancel = new Runnable[1];
    sockets.compute(
        headers,
        (key, current) -> {
          if (current != null) {
            cancel[0] = current.add(subscriber);
            if (cancel[0] != null) {
              return current;
            }
          }
          // None yet, or the one there is closing: a new socket.
          WsConnection[] self = new WsConnection[1];
          self[0] = new WsConnection(json, wsUri, init(key), () -> sockets.remove(key, self[0]));
          cancel[0] = self[0].add(subscriber);
          opened[0] = self[0];
          return self[0];
        });
    if (opened[0] != null) {
      opened[0].open(webSockets(), upgrade(headers), timeout);
    }
    if (closed) {
      // close() ran while this subscriber joined: it may not have seen the socket.
      abortSockets();
    }
    return cancel[0];
  }

  /** Returns the {@code connection_init} payload for {@code headers}: the credential, if any. */
  private static Map<String, Object> init(Map<String, String> headers) {
    String authorization = headers.get("authorization");
    return authorization == null ? Map.of() : Map.of("Authorization", authorization);
  }

  /** Returns the upgrade request's headers for {@code headers}: the metadata but the credential. */
  private static Map<String, String> upgrade(Map<String, String> headers) {
    Map<String, String> upgrade = new LinkedHashMap<>();
    headers.forEach(
        (name, value) -> {
          if (!name.equals("authorization")
              && !HEADERS.containsKey(name)
              && !name.startsWith("sec-websocket-")) {
            upgrade.put(name, value);
          }
        });
    return upgrade;
  }

  /**
   * Returns the HTTP client the WebSockets use, made on first use (most clients never subscribe).
   */
  private HttpClient webSockets() {
    HttpClient h = webSockets;
    if (h == null) {
      synchronized (this) {
        h = webSockets;
        if (h == null) {
          HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout);
          if (tls != null) {
            b.sslContext(sslContext(tls));
          }
          webSockets = h = b.build();
        }
      }
    }
    return h;
  }

  /**
   * Returns a JDK TLS context with the client's trust and key material, read as the HTTP pool reads
   * it.
   */
  private static SSLContext sslContext(ClientTls tls) {
    SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
    try {
      if (tls.ca() != null) {
        b.trustManager(tls.ca().toFile());
      }
      if (tls.cert() != null) {
        b.keyManager(tls.cert().toFile(), tls.key().toFile());
      }
      return ((JdkSslContext) b.build()).context();
    } catch (SSLException | IllegalArgumentException e) {
      // Names the files, never their contents.
      throw new IllegalArgumentException(
          "cannot set up client TLS from " + tls + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> headers(Metadata metadata) {
    if (metadata.isEmpty()) {
      return HEADERS;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : metadata.names()) {
      if (OWN_HEADERS.contains(name)) {
        continue;
      }
      String value = String.join(", ", metadata.all(name));
      // Named, never shown: a value may be a credential.
      if (!headerName(name)) {
        throw new IllegalArgumentException(
            "metadata: " + name + " (expected: an HTTP header name)");
      }
      if (!headerValue(value)) {
        throw new IllegalArgumentException(
            "metadata: the value of " + name + " (expected: visible ASCII, spaces and tabs)");
      }
      headers.put(name, value);
    }
    headers.putAll(HEADERS);
    return headers;
  }

  private static boolean headerName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean headerValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private HttpClientPool.Response send(Map<String, Object> body, Map<String, String> headers) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("request: cannot be written as JSON", e);
    }
    if (!headers.containsKey(dev.ipc.core.spi.CallSource.TIMEOUT_HEADER)) {
      // The server ends the call when this client stops waiting, unless the caller named a
      // deadline.
      Map<String, String> timed = new java.util.LinkedHashMap<>(headers);
      timed.put(dev.ipc.core.spi.CallSource.TIMEOUT_HEADER, Long.toString(timeout.toMillis()));
      headers = timed;
    }
    try {
      // The pool's timeout covers the whole exchange, connecting and the full body included.
      return http.exchange("POST", uri.getRawPath(), headers, bytes, timeout);
    } catch (SocketTimeoutException e) {
      throw new TransportException("no answer from " + uri + " within " + timeout, e);
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while calling " + uri, e);
    } catch (IOException e) {
      if (closed) {
        throw new TransportException("GraphQL client of " + uri + " is closed", e);
      }
      throw new TransportException("cannot reach " + uri + ": " + e, e);
    }
  }

  /*
   * Which answers are ours. The client always POSTs to /graphql, and our endpoint answers there in one of
   * two forms only:
   *  - a GraphQL response (application/graphql-response+json or application/json; an object with
   *    "data" and/or a non-empty "errors" array) with status 200, 4xx or 503: errors[].extensions.code
   *    is the service's ErrorCode;
   *  - ipc-http's own refusal before GraphQL ran (application/problem+json whose "code" names an
   *    ErrorCode, whose "status" member is the HTTP status, and whose (status, code) pair is one ipc-http
   *    answers on any route: 413/429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 500 INTERNAL, ...).
   * Anything else did not come from our GraphQL endpoint, so it is no answer (TransportException): a
   * problem for 404 or 405 (the route or method is not there: a REST server, ours included, or a wrong
   * port), a proxy's 502, an HTML page, a body of another shape. The message names the status and the
   * content type, never the body, which may be large or private.
   */
  private Reply read(Operation<?, ?, ?> operation, HttpClientPool.Response response) {
    int status = response.status();
    String type = mediaType(response.header("Content-Type"));
    JsonNode root = null;
    if (type.equals(GraphqlHttpService.GRAPHQL_RESPONSE)
        || type.equals("application/json")
        || type.equals(HttpResponse.PROBLEM_JSON)) {
      try {
        root = json.readTree(response.body());
      } catch (IOException e) {
        root = null;
      }
    }
    if (root == null || !root.isObject()) {
      throw notOurs(response, type);
    }
    if (type.equals(HttpResponse.PROBLEM_JSON)) {
      ErrorCode code = refusal(status, root);
      if (code == null) {
        throw notOurs(response, type);
      }
      throw new ServiceException(code, root.get("detail").asText());
    }
    if (!isGraphqlResponse(root)
        || !(status == 200 || status == 503 || (status >= 400 && status < 500))) {
      throw notOurs(response, type);
    }
    JsonNode errors = root.get("errors");
    if (errors != null && !errors.isEmpty()) {
      throw error(errors.get(0));
    }
    JsonNode data = root.get("data");
    JsonNode value = data == null ? null : data.get(operation.graphqlField());
    if (status != 200 || value == null || value.isNull()) {
      throw new TransportException(
          "no value for " + operation.graphqlField() + " from " + uri + " (HTTP " + status + ")");
    }
    Object result;
    if (SchemaFactory.answersNothing(operation)) {
      if (!value.isBoolean()) {
        throw new TransportException(
            "malformed answer to "
                + operation.graphqlField()
                + " from "
                + uri
                + " (expected: true)");
      }
      result = record(operation.output(), json.createObjectNode());
    } else if (operation.many()) {
      List<Object> list = new ArrayList<>(value.size());
      for (JsonNode item : value) {
        list.add(record(operation.output(), item));
      }
      result = List.copyOf(list);
    } else {
      result = record(operation.output(), value);
    }
    JsonNode created = root.path("extensions").path("created").path(operation.graphqlField());
    return Reply.of(result, created.asBoolean(false));
  }

  private Object record(RecordType<?> type, JsonNode node) {
    try {
      return type.create(fields(type, node));
    } catch (ServiceException | InvalidValueException e) {
      throw new TransportException(
          "malformed " + type.name() + " from " + uri + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns whether {@code root} has GraphQL's response shape: {@code data} and/or non-empty {@code
   * errors}.
   */
  private static boolean isGraphqlResponse(JsonNode root) {
    JsonNode data = root.get("data");
    JsonNode errors = root.get("errors");
    boolean hasData = data != null && (data.isObject() || data.isNull());
    if (errors == null) {
      return hasData;
    }
    if (!errors.isArray() || errors.isEmpty()) {
      return false;
    }
    for (JsonNode e : errors) {
      if (!e.isObject() || !e.path("message").isTextual()) {
        return false;
      }
    }
    return data == null || hasData;
  }

  /**
   * Returns the code of an ipc-http refusal made before GraphQL ran on our endpoint, or {@code
   * null} when {@code problem} at {@code status} is not one: the pairs are those ipc-http's
   * connection answers on any route (404 and 405 are not among them: on POST /graphql they mean
   * another endpoint).
   */
  private static ErrorCode refusal(int status, JsonNode problem) {
    JsonNode code = problem.get("code");
    JsonNode detail = problem.get("detail");
    if (code == null
        || !code.isTextual()
        || detail == null
        || !detail.isTextual()
        || problem.path("status").asInt(-1) != status) {
      return null;
    }
    ErrorCode expected =
        switch (status) {
          case 400, 414, 431 -> ErrorCode.INVALID_ARGUMENT;
          case 403 -> ErrorCode.PERMISSION_DENIED;
          case 408 -> ErrorCode.DEADLINE_EXCEEDED;
          case 413, 429 -> ErrorCode.RESOURCE_EXHAUSTED;
          case 500 -> ErrorCode.INTERNAL;
          case 503 -> ErrorCode.UNAVAILABLE;
          default -> null;
        };
    return expected != null && expected.name().equals(code.asText()) ? expected : null;
  }

  private TransportException notOurs(HttpClientPool.Response response, String type) {
    return new TransportException(
        "not a GraphQL response from "
            + uri
            + ": HTTP "
            + response.status()
            + ", "
            + (type.isEmpty() ? "no content type" : type)
            + ", "
            + response.body().length
            + " bytes");
  }

  /**
   * Returns the media type of a Content-Type value, lower case without parameters, bounded; "" if
   * none.
   */
  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    String type =
        (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    // A foreign server's header goes into an exception message: keep it short and printable.
    type = type.replaceAll("[^\\x21-\\x7e]", "?");
    return type.length() > 100 ? type.substring(0, 100) + "..." : type;
  }

  private static ServiceException error(JsonNode error) {
    String message = error.path("message").asText("");
    JsonNode code = error.path("extensions").path(Errors.CODE);
    return new ServiceException(
        code.isTextual() ? code(code.asText()) : ErrorCode.INTERNAL, message);
  }

  private static ErrorCode code(String name) {
    try {
      return ErrorCode.valueOf(name);
    } catch (IllegalArgumentException e) {
      // A newer server's code this client does not know.
      return ErrorCode.INTERNAL;
    }
  }

  /**
   * Returns the document calling {@code op}: its field, its inputs as variables, every output
   * field.
   */
  static String document(Operation<?, ?, ?> op) {
    GraphqlTypes types = new GraphqlTypes();
    StringBuilder sb =
        new StringBuilder(
            switch (op.kind()) {
              case QUERY -> "query";
              case MUTATION -> "mutation";
              case SUBSCRIPTION -> "subscription";
            });
    List<Field> inputs = op.input().fields();
    if (!inputs.isEmpty()) {
      sb.append('(');
      for (int i = 0; i < inputs.size(); i++) {
        Field f = inputs.get(i);
        sb.append(i == 0 ? "" : ", ").append('$').append(f.name()).append(": ");
        sb.append(GraphqlTypes.print(types.input(op.input(), f)));
      }
      sb.append(')');
    }
    sb.append(" { ").append(op.graphqlField());
    if (!inputs.isEmpty()) {
      sb.append('(');
      for (int i = 0; i < inputs.size(); i++) {
        String name = inputs.get(i).name();
        sb.append(i == 0 ? "" : ", ").append(name).append(": $").append(name);
      }
      sb.append(')');
    }
    if (!SchemaFactory.answersNothing(op)) {
      selection(sb, op.output());
    }
    return sb.append(" }").toString();
  }

  private static void selection(StringBuilder sb, RecordType<?> type) {
    sb.append(" {");
    if (type.fields().isEmpty()) {
      sb.append(' ').append(GraphqlTypes.EMPTY_FIELD);
    }
    for (Field f : type.fields()) {
      sb.append(' ').append(f.name());
      if (f.map()) {
        sb.append(" { ").append(GraphqlTypes.KEY).append(' ').append(GraphqlTypes.VALUE);
        if (f.messageType() != null) {
          selection(sb, f.messageType());
        }
        sb.append(" }");
      } else if (f.messageType() != null) {
        selection(sb, f.messageType());
      }
    }
    sb.append(" }");
  }

  /**
   * Returns the answer's fields of {@code type} in the form {@link RecordType#create(Map)} takes:
   * maps from their entry lists, nested records as maps of their own; scalars as JSON gives them,
   * which {@code create} converts (and refuses, naming the field, when they are of the wrong type).
   */
  private Map<String, Object> fields(RecordType<?> type, JsonNode node) {
    if (!node.isObject()) {
      throw ServiceException.invalidArgument(
          type.name() + ": " + node.getNodeType() + " (expected: an object)");
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Field f : type.fields()) {
      JsonNode v = node.get(f.name());
      if (v != null && !v.isNull()) {
        map.put(f.name(), fromJson(f, v));
      }
    }
    return map;
  }

  private Object fromJson(Field f, JsonNode node) {
    if (f.map()) {
      if (!node.isArray()) {
        throw ServiceException.invalidArgument(
            f.name() + ": " + node.getNodeType() + " (expected: entries)");
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (JsonNode entry : node) {
        JsonNode key = entry.get(GraphqlTypes.KEY);
        JsonNode value = entry.get(GraphqlTypes.VALUE);
        if (key == null || !key.isTextual() || value == null || value.isNull()) {
          throw ServiceException.invalidArgument(
              f.name() + ": " + entry + " (expected: {key, value})");
        }
        map.put(key.asText(), elementFromJson(f, value));
      }
      return map;
    }
    if (f.repeated() && node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      for (JsonNode e : node) {
        list.add(e.isNull() ? null : elementFromJson(f, e));
      }
      return list;
    }
    return elementFromJson(f, node);
  }

  private Object elementFromJson(Field f, JsonNode node) {
    if (f.type() == FieldType.MESSAGE) {
      return fields(f.messageType(), node);
    }
    return json.convertValue(node, Object.class);
  }

  /**
   * Returns a request field's value as a variable: each type in the form its GraphQL type reads.
   */
  private static Object toJson(Field f, Object value) {
    if (f.map()) {
      List<Object> entries = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put(GraphqlTypes.KEY, e.getKey());
        entry.put(GraphqlTypes.VALUE, element(f, e.getValue()));
        entries.add(entry);
      }
      return entries;
    }
    if (f.repeated()) {
      List<?> list = (List<?>) value;
      List<Object> out = new ArrayList<>(list.size());
      for (Object e : list) {
        out.add(element(f, e));
      }
      return out;
    }
    return element(f, value);
  }

  private static Object element(Field f, Object value) {
    if (value == null) {
      return null;
    }
    return switch (f.type()) {
      case BYTES -> Base64.getEncoder().encodeToString((byte[]) value);
      case ENUM -> f.enumType().name(value);
      case TIMESTAMP, DURATION -> value.toString();
      case DECIMAL -> ((BigDecimal) value).toPlainString();
      case MESSAGE -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Field nested : f.messageType().fields()) {
          Object v = nested.get(value);
          if (v != null) {
            map.put(nested.name(), toJson(nested, v));
          }
        }
        yield map;
      }
      default -> value;
    };
  }

  /**
   * Stops the client, closing every connection; calls after it fail with {@link
   * TransportException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    http.close();
    abortSockets();
  }

  private void abortSockets() {
    for (WsConnection c : sockets.values()) {
      c.abort();
    }
  }

  /** Returns the number of subscription sockets open or opening, for tests. */
  int sockets() {
    return sockets.size();
  }

  @Override
  public String toString() {
    return "GraphqlClient{" + uri + '}';
  }

  /**
   * Configures a {@link GraphqlClient}: the server (required), TLS and timeout as every client's
   * builder has them ({@link ClientBuilder}). The timeout bounds connecting too. Not thread-safe.
   */
  public static final class Builder extends ClientBuilder<Builder> {
    Builder() {}

    /**
     * Returns the client.
     *
     * @throws IllegalStateException if no target was set, or only one of cert and key
     * @throws IllegalArgumentException if {@code tls(false)} was set with a CA or a certificate, or
     *     a PEM file cannot be read
     */
    public GraphqlClient build() {
      if (host() == null) {
        throw new IllegalStateException("target(host, port) is required");
      }
      if ((cert() == null) != (key() == null)) {
        throw new IllegalStateException("cert and key (expected: both, or neither)");
      }
      if (tlsRefused() && tls()) {
        throw new IllegalArgumentException("tls: false (expected: true, or no ca, cert and key)");
      }
      return new GraphqlClient(this);
    }
  }
}
