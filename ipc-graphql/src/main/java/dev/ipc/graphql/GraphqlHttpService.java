package dev.ipc.graphql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.http.internal.HttpHandler;
import dev.ipc.http.internal.HttpRequest;
import dev.ipc.http.internal.HttpResponse;
import dev.ipc.http.internal.WebSocketHandler;
import dev.ipc.http.internal.WebSocketSession;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GraphQL over HTTP at {@code /graphql}: {@code GET ?query=&variables=&operationName=} for queries,
 * {@code POST} with {@code application/json} (or {@code application/graphql}) for everything; the
 * GraphiQL page for a browser (unless turned off: then it and its assets are 404); the SDL at
 * {@code /graphql/schema.graphql} where introspection is on (404 otherwise). Runs on the executor
 * ipc-http gives it, so the services it calls never run on an event loop.
 *
 * <p>Statuses: 200 whenever execution started (field errors sit in {@code errors[]} beside {@code
 * data}); 400 for a request that could not run (malformed JSON, syntax error, validation error, a
 * limit exceeded, bad variables), whichever media type is answered; 405 for a mutation over GET;
 * 415 for another content type; 413 (from ipc-http) for a body over the limit; 503 while closing.
 *
 * <p>Each field that calls an operation calls it as coming from this request ({@link #source}):
 * every header is call metadata, so {@code Authorization: Bearer} is the credential core
 * authenticates. A refused call (UNAUTHENTICATED, PERMISSION_DENIED) is a field error like any
 * other, at 200; when one was UNAUTHENTICATED the answer carries {@code WWW-Authenticate: Bearer}.
 * The response metadata of the request's calls become response headers (see {@link CallHeaders}).
 */
final class GraphqlHttpService implements HttpHandler {
  /** The open graphql-transport-ws sessions, so a close can wait for their last messages. */
  private final java.util.Set<GraphqlWsSession> sessions =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Waits, until {@code deadline} ({@link System#nanoTime()}), for every WebSocket operation to
   * have sent its last message: the server completes every stream before it stops, and the sockets'
   * 1001 must come after each {@code complete}, not before.
   */
  void awaitWebSocketOperations(long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline && sessions.stream().anyMatch(s -> s.operations() > 0)) {
      Thread.sleep(5);
    }
  }

  static final String PATH = "/graphql";
  static final String SCHEMA_PATH = "/graphql/schema.graphql";
  static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
  private static final String JSON_UTF8 = "application/json; charset=utf-8";
  private static final String GRAPHQL_RESPONSE_UTF8 = GRAPHQL_RESPONSE + "; charset=utf-8";

  private final GraphqlEngine engine;
  private final TransportContext context;
  private final ObjectMapper json;
  private final GraphiqlAssets graphiql;
  private final HttpResponse sdl;
  private final Duration connectionInitTimeout;

  GraphqlHttpService(
      GraphqlEngine engine,
      TransportContext context,
      ObjectMapper json,
      GraphiqlAssets graphiql,
      Duration connectionInitTimeout) {
    this.connectionInitTimeout = connectionInitTimeout;
    this.engine = engine;
    this.context = context;
    this.json = json;
    this.graphiql = graphiql;
    // The SDL says what introspection would: served only where introspection is.
    this.sdl = engine.introspection() ? HttpResponse.text(200, engine.sdl()) : null;
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws Exception {
    String path = request.path();
    if (path.equals(PATH) || path.equals(PATH + "/")) {
      return graphql(request);
    }
    if (path.equals(SCHEMA_PATH) && sdl != null) {
      return request.method().equals("GET") ? sdl : notAllowed("GET");
    }
    if (graphiql != null
        && path.startsWith(GraphiqlAssets.PREFIX)
        && request.method().equals("GET")) {
      HttpResponse asset = graphiql.asset(path);
      if (asset != null) {
        return asset;
      }
    }
    return HttpResponse.problem(
        404,
        "path: " + path + " (expected: " + PATH + (sdl != null ? " or " + SCHEMA_PATH : "") + ")",
        Map.of("code", "NOT_FOUND"));
  }

  private HttpResponse graphql(HttpRequest request) throws JsonProcessingException {
    String accept = request.header("Accept");
    String type =
        accept != null && accept.contains(GRAPHQL_RESPONSE) ? GRAPHQL_RESPONSE_UTF8 : JSON_UTF8;
    if (request.isWebSocketUpgrade()) {
      return webSocket(type);
    }
    switch (request.method()) {
      case "GET" -> {
        // As the article's koa-graphql does: a browser gets GraphiQL, with the URL's query in the
        // editor.
        if (graphiql != null && wantsHtml(accept)) {
          return graphiql.page();
        }
        return get(request, type);
      }
      case "POST" -> {
        return post(request, type);
      }
      default -> {
        return notAllowed("GET, POST");
      }
    }
  }

  private HttpResponse get(HttpRequest request, String type) throws JsonProcessingException {
    String query = request.queryParam("query");
    if (query == null || query.isBlank()) {
      return bad(type, 400, "query: missing (expected: GET /graphql?query={...}, or a POST)");
    }
    Map<String, Object> variables;
    try {
      variables = variables(request.queryParam("variables"));
    } catch (ServiceException e) {
      return answer(type, 400, GraphqlEngine.failure(e));
    }
    return run(
        request,
        new GraphqlEngine.Request(
            query, emptyToNull(request.queryParam("operationName")), variables),
        true,
        type);
  }

  private HttpResponse post(HttpRequest request, String type) throws JsonProcessingException {
    String contentType = request.contentType();
    if ("application/graphql".equals(contentType)) {
      Map<String, Object> variables;
      try {
        variables = variables(request.queryParam("variables"));
      } catch (ServiceException e) {
        return answer(type, 400, GraphqlEngine.failure(e));
      }
      String query = request.bodyText();
      if (query.isBlank()) {
        return bad(type, 400, "query: missing (expected: the document as the body)");
      }
      return run(
          request,
          new GraphqlEngine.Request(
              query, emptyToNull(request.queryParam("operationName")), variables),
          false,
          type);
    }
    if (!"application/json".equals(contentType)) {
      return bad(type, 415, "content type: " + contentType + " (expected: application/json)")
          .withHeader("Accept-Post", "application/json, application/graphql");
    }
    JsonNode body;
    try {
      body = json.readTree(request.body());
    } catch (java.io.IOException e) {
      return bad(
          type, 400, "body: malformed JSON (expected: {\"query\": \"...\", \"variables\": {...}})");
    }
    if (body == null || !body.isObject()) {
      return bad(type, 400, "body: not a JSON object (expected: {\"query\": \"...\"})");
    }
    JsonNode query = body.get("query");
    if (query == null || !query.isTextual() || query.asText().isBlank()) {
      return bad(type, 400, "query: missing or not a string");
    }
    JsonNode name = body.get("operationName");
    if (name != null && !name.isNull() && !name.isTextual()) {
      return bad(type, 400, "operationName: not a string");
    }
    Map<String, Object> variables;
    try {
      variables = variables(body.get("variables"));
    } catch (ServiceException e) {
      return answer(type, 400, GraphqlEngine.failure(e));
    }
    String operationName = name == null || name.isNull() ? null : emptyToNull(name.asText());
    return run(
        request, new GraphqlEngine.Request(query.asText(), operationName, variables), false, type);
  }

  private HttpResponse run(
      HttpRequest http, GraphqlEngine.Request request, boolean readOnly, String type)
      throws JsonProcessingException {
    if (context.isClosing()) {
      return answer(
          type,
          503,
          GraphqlEngine.failure(
              new ServiceException(ErrorCode.UNAVAILABLE, "server is shutting down")));
    }
    if (wantsEvents(http.header("Accept"))) {
      return events(http, request, readOnly, type);
    }
    CallSource source;
    try {
      // A caller's Connect-Timeout-Ms is the deadline of every field's call in this request.
      source = source(http).withTimeoutHeader();
    } catch (ServiceException e) {
      return answer(type, 400, GraphqlEngine.failure(e));
    }
    GraphqlEngine.Result result = engine.execute(request, readOnly, source);
    HttpResponse response = answer(type, result.status(), result.body());
    List<String> headers = result.headers();
    for (int i = 0; i < headers.size(); i += 2) {
      response = response.withHeader(headers.get(i), headers.get(i + 1));
    }
    return result.status() == 405 ? response.withHeader("Allow", "POST") : response;
  }

  /**
   * GraphQL over Server-Sent Events, the "distinct connections" mode of the GraphQL over SSE
   * protocol ({@code graphql-sse}): any operation over {@code POST}, queries and subscriptions over
   * {@code GET}; every result an {@code event: next}, then {@code event: complete} and the end of
   * the response. A request that ran nothing (a syntax or validation error, a limit, a refused
   * subscription) is one {@code next} with its errors, as the protocol's reference server answers;
   * only a mutation over GET is refused with a status (405), since its answer says which method to
   * use.
   */
  private HttpResponse events(
      HttpRequest http, GraphqlEngine.Request request, boolean readOnly, String type)
      throws JsonProcessingException {
    GraphqlEngine.Result result =
        engine.execute(
            request,
            readOnly ? GraphqlEngine.Allowed.QUERIES_AND_SUBSCRIPTIONS : GraphqlEngine.Allowed.ALL,
            source(http));
    if (result.status() == 405) {
      return answer(type, 405, result.body()).withHeader("Allow", "POST");
    }
    HttpResponse response =
        HttpResponse.events(
            writer -> {
              GraphqlSseStream.Channel channel =
                  new GraphqlSseStream.Channel() {
                    @Override
                    public void send(String event, String data) {
                      writer.send(event, null, data);
                    }

                    @Override
                    public boolean isWritable() {
                      return writer.isWritable();
                    }

                    @Override
                    public void end() {
                      writer.end();
                    }
                  };
              if (result.stream() == null) {
                GraphqlSseStream.single(json, channel, result.body());
                return;
              }
              GraphqlSseStream stream = new GraphqlSseStream(json, channel);
              // Registered before subscribing: a client already gone cancels the stream at once.
              writer.onClose(stream::cancel);
              writer.onWritable(stream::resume);
              result.stream().subscribe(stream);
            });
    List<String> headers = result.headers();
    for (int i = 0; i < headers.size(); i += 2) {
      response = response.withHeader(headers.get(i), headers.get(i + 1));
    }
    return response;
  }

  /**
   * GraphQL over WebSocket at {@code /graphql}, subprotocol {@code graphql-transport-ws} ({@link
   * GraphqlWsSession}). A client that does not offer the subprotocol is closed with 4406, as
   * graphql-ws's server does.
   */
  private HttpResponse webSocket(String type) throws JsonProcessingException {
    if (context.isClosing()) {
      return answer(
          type,
          503,
          GraphqlEngine.failure(
              new ServiceException(ErrorCode.UNAVAILABLE, "server is shutting down")));
    }
    return HttpResponse.webSocket(
        GraphqlWsSession.SUBPROTOCOL,
        new WebSocketHandler() {
          private GraphqlWsSession session;

          @Override
          public void onOpen(WebSocketSession socket) {
            if (!GraphqlWsSession.SUBPROTOCOL.equals(socket.subprotocol())) {
              socket.close(4406, "Subprotocol not acceptable");
              return;
            }
            GraphqlWsSession s =
                new GraphqlWsSession(
                    engine,
                    context.executor(),
                    json,
                    source(socket.request()),
                    new GraphqlWsSession.Channel() {
                      @Override
                      public void send(String text) {
                        socket.sendText(text);
                      }

                      @Override
                      public boolean isWritable() {
                        return socket.isWritable();
                      }

                      @Override
                      public void close(int code, String reason) {
                        socket.close(code, reason);
                      }
                    });
            session = s;
            sessions.add(s);
            socket.onWritable(s::onWritable);
            socket.onClose(
                () -> {
                  sessions.remove(s);
                  s.onClosed();
                });
            s.opened(connectionInitTimeout);
          }

          @Override
          public void onText(WebSocketSession socket, String text) {
            if (session != null) {
              session.onText(text);
            }
          }
        });
  }

  /**
   * Returns where the request's calls come from: every header as metadata (so the bearer token of
   * {@code Authorization}), the peer's address, its TLS client certificate under mutual TLS; no
   * deadline, as HTTP sends none.
   */
  static CallSource source(HttpRequest request) {
    Metadata.Builder metadata = Metadata.builder();
    request.forEachHeader(metadata::add);
    CallSource source =
        CallSource.of(CallHeaders.TRANSPORT, request.remoteAddress(), metadata.build());
    return request.peerCertificates().isEmpty()
        ? source
        : source.withPeerCertificates(request.peerCertificates());
  }

  private Map<String, Object> variables(Object raw) {
    if (raw == null) {
      return Map.of();
    }
    JsonNode node;
    if (raw instanceof String s) {
      if (s.isBlank()) {
        return Map.of();
      }
      try {
        node = json.readTree(s);
      } catch (JsonProcessingException e) {
        throw ServiceException.invalidArgument(
            "variables: malformed JSON (expected: a JSON object)");
      }
    } else {
      node = (JsonNode) raw;
    }
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw ServiceException.invalidArgument(
          "variables: "
              + node.getNodeType().name().toLowerCase(Locale.ROOT)
              + " (expected: a JSON object)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = json.convertValue(node, Map.class);
    return map;
  }

  private HttpResponse bad(String type, int status, String message) throws JsonProcessingException {
    return answer(type, status, GraphqlEngine.failure(ServiceException.invalidArgument(message)));
  }

  private HttpResponse answer(String type, int status, Map<String, Object> body)
      throws JsonProcessingException {
    return HttpResponse.of(status, type, json.writeValueAsBytes(body));
  }

  private static HttpResponse notAllowed(String allow) {
    return HttpResponse.problem(
            405, "method not allowed (expected: " + allow + ")", Map.of("code", "INVALID_ARGUMENT"))
        .withHeader("Allow", allow);
  }

  private static boolean wantsEvents(String accept) {
    return accept != null && accept.toLowerCase(Locale.ROOT).contains(HttpResponse.EVENT_STREAM);
  }

  private static boolean wantsHtml(String accept) {
    return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/html");
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
