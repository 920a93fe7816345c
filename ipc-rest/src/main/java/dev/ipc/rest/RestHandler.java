package dev.ipc.rest;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.Reply;
import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.CallSource;
import dev.ipc.core.spi.TransportContext;
import dev.ipc.http.internal.HttpHandler;
import dev.ipc.http.internal.HttpRequest;
import dev.ipc.http.internal.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes requests to operations by method and path, decodes the request record from the path, query
 * string and body, calls the operation and encodes its reply. Runs on the server's executor.
 */
final class RestHandler implements HttpHandler {
  static final String OPENAPI_PATH = "/openapi.json";
  private static final String FORM = "application/x-www-form-urlencoded";

  private final TransportContext context;
  private final List<Route> routes;
  private final byte[] openApi;

  RestHandler(TransportContext context) {
    this.context = context;
    List<Route> list = new ArrayList<>();
    for (BoundService s : context.services()) {
      for (BoundOperation op : s.operations()) {
        list.add(Route.of(op));
      }
    }
    this.routes = Route.distinct(list);
    this.openApi = OpenApi.document(routes);
  }

  @Override
  public HttpResponse handle(HttpRequest request) {
    List<String> segments;
    try {
      segments = new ArrayList<>();
      for (String s : Route.split(request.rawPath())) {
        segments.add(Route.decodeSegment(s));
      }
    } catch (IllegalArgumentException e) {
      return problem(400, ErrorCode.INVALID_ARGUMENT, "malformed path: " + e.getMessage());
    }
    String method = request.method();
    if (segments.size() == 1
        && OPENAPI_PATH.regionMatches(1, segments.get(0), 0, OPENAPI_PATH.length() - 1)
        && segments.get(0).length() == OPENAPI_PATH.length() - 1) {
      return switch (method) {
        case "GET" -> HttpResponse.json(200, openApi);
        case "OPTIONS" -> HttpResponse.of(204).withHeader("allow", "GET, HEAD, OPTIONS");
        default -> notAllowed(method, request.path(), "GET, HEAD, OPTIONS");
      };
    }
    Route best = null;
    String[] captured = null;
    for (Route r : routes) {
      if (!r.method.equals(method)) {
        continue;
      }
      String[] c = r.match(segments);
      if (c != null && (best == null || r.literalCount > best.literalCount)) {
        best = r;
        captured = c;
      }
    }
    if (best != null) {
      return call(best, captured, request);
    }
    // No route for this method: collect the methods the path has, for 404, 405 or OPTIONS.
    Set<String> methods = new LinkedHashSet<>();
    for (Route r : routes) {
      if (r.match(segments) != null) {
        methods.add(r.method);
      }
    }
    if (methods.isEmpty()) {
      return problem(404, ErrorCode.NOT_FOUND, "no route for " + method + " " + request.path());
    }
    String allow = allow(methods);
    if (method.equals("OPTIONS")) {
      return HttpResponse.of(204).withHeader("allow", allow);
    }
    return notAllowed(method, request.path(), allow);
  }

  private static String allow(Set<String> methods) {
    Set<String> all = new LinkedHashSet<>();
    for (String m : methods) {
      all.add(m);
      if (m.equals("GET")) {
        all.add("HEAD");
      }
    }
    all.add("OPTIONS");
    return String.join(", ", all);
  }

  private static HttpResponse notAllowed(String method, String path, String allow) {
    String detail = method + " not allowed on " + path + " (allowed: " + allow + ")";
    return problem(405, ErrorCode.INVALID_ARGUMENT, detail).withHeader("allow", allow);
  }

  private HttpResponse call(Route route, String[] captured, HttpRequest request) {
    if (context.isClosing()) {
      return problem(503, ErrorCode.UNAVAILABLE, "server is shutting down");
    }
    Operation<?, ?, ?> op = route.operation;
    RecordType<?> input = op.input();
    CallSource source = null;
    Metadata[] answerMetadata = {Metadata.EMPTY};
    try {
      Map<String, Object> values = new HashMap<>();
      for (Map.Entry<String, List<String>> e : request.queryParams().entrySet()) {
        putText(input, e.getKey(), e.getValue(), values);
      }
      if (route.method.equals("POST") && !op.restSimpleRequests() && isSimple(request)) {
        return problem(
                415,
                ErrorCode.INVALID_ARGUMENT,
                "POST "
                    + route.operation.restPath()
                    + " needs Content-Type: application/json (a form, text or empty body is what any web"
                    + " page can send cross-site; an operation allows it with @Rest(simpleRequests = true))")
            .withHeader("accept", "application/json");
      }
      if (!route.method.equals("GET") && !route.method.equals("DELETE")) {
        HttpResponse unsupported = readBody(request, input, values);
        if (unsupported != null) {
          return unsupported;
        }
      }
      for (int i = 0; i < route.vars.length; i++) {
        Field f = route.vars[i];
        if (f != null) {
          values.put(f.name(), JsonCodec.parseText(f, captured[i], f.name()));
        }
      }
      Object record = input.create(values);
      source = source(request);
      if (!op.streaming()) {
        // A stream outlives any call timeout; a call ends at the deadline its caller gave.
        source = source.withTimeoutHeader();
      }
      if (op.streaming()) {
        SseSink sink = new SseSink(op);
        sink.opened(route.bound.stream(record, source, m -> answerMetadata[0] = m, sink));
        return withMetadata(HttpResponse.events(sink::attach), answerMetadata[0]);
      }
      Reply reply = route.bound.call(record, source, m -> answerMetadata[0] = m);
      byte[] body =
          op.many()
              ? JsonCodec.encodeList(op.output(), (List<?>) reply.value())
              : JsonCodec.encode(op.output(), reply.value());
      if (reply.created()) {
        // Built from the record, not echoed from the request line: its raw bytes may not be valid
        // in
        // a header (a control character the id parse trimmed away).
        return withMetadata(
            HttpResponse.json(201, body).withHeader("location", route.pathOf(record)),
            answerMetadata[0]);
      }
      return withMetadata(HttpResponse.json(200, body), answerMetadata[0]);
    } catch (ServiceException | InvalidValueException failure) {
      // A value that does not fit its field (the model's refusal) is the caller's INVALID_ARGUMENT.
      ServiceException e = ServiceException.from(failure);
      HttpResponse r = problem(HttpStatuses.status(e.code()), e.code(), e.getMessage());
      if (e.code() == ErrorCode.UNAUTHENTICATED) {
        // RFC 6750: the scheme to use, and whether the token presented was the trouble.
        r =
            r.withHeader(
                "www-authenticate",
                source != null && source.credential() != null
                    ? "Bearer error=\"invalid_token\""
                    : "Bearer");
      }
      return withMetadata(r, answerMetadata[0]);
    }
  }

  /**
   * Returns where the call comes from: every request header as metadata (the bearer token of {@code
   * Authorization} as the credential), the client's address and its TLS certificate chain.
   */
  private static CallSource source(HttpRequest request) {
    Metadata.Builder headers = Metadata.builder();
    request.forEachHeader(headers::add);
    CallSource source = CallSource.of("rest", request.remoteAddress(), headers.build());
    List<X509Certificate> chain = request.peerCertificates();
    return chain.isEmpty() ? source : source.withPeerCertificates(chain);
  }

  /**
   * Returns {@code r} with the response metadata interceptors and the service added as headers;
   * those that frame the answer ({@code content-length}, {@code content-type}...) stay the
   * server's, and one that cannot be an HTTP header is dropped (named in a warning, its value never
   * shown).
   */
  static HttpResponse withMetadata(HttpResponse r, Metadata metadata) {
    if (metadata.isEmpty()) {
      return r;
    }
    for (String name : metadata.names()) {
      if (FRAMING.contains(name)) {
        continue;
      }
      for (String value : metadata.all(name)) {
        if (!isToken(name) || !isFieldValue(value)) {
          LOG.warn("response metadata {} cannot be an HTTP header: dropped", name);
          continue;
        }
        r = r.withHeader(name, value);
      }
    }
    return r;
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestHandler.class);

  /** Response headers the server sets itself, never taken from response metadata. */
  private static final Set<String> FRAMING =
      Set.of(
          "content-length",
          "content-type",
          "transfer-encoding",
          "connection",
          "keep-alive",
          "upgrade",
          "trailer",
          "te");

  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns whether a browser would send this request cross-site without asking first (a CORS
   * "simple" request): no content type, or one a plain HTML form can produce.
   */
  private static boolean isSimple(HttpRequest request) {
    String type = request.contentType();
    return type == null
        || type.equals(FORM)
        || type.equals("multipart/form-data")
        || type.equals("text/plain");
  }

  /** Reads the body into {@code values}; returns a 415 answer for a media type it cannot read. */
  private static HttpResponse readBody(
      HttpRequest request, RecordType<?> input, Map<String, Object> values) {
    byte[] body = request.body();
    String type = request.contentType();
    if (body.length == 0) {
      return null;
    }
    if (type == null || type.equals("application/json") || type.endsWith("+json")) {
      JsonCodec.readObject(input, body, values, "request body");
      return null;
    }
    if (type.equals(FORM)) {
      Charset charset = request.charset();
      Map<String, List<String>> form = new LinkedHashMap<>();
      boolean dataRead = false;
      for (FormBody.Field field : FormBody.parse(body)) {
        String name = new String(field.name(), charset);
        // The article's client sends the record as JSON in one form field: data={"name": "task5"}.
        if (!dataRead && name.equals("data") && input.field("data") == null) {
          byte[] json =
              charset.equals(StandardCharsets.UTF_8)
                  ? field.value()
                  : new String(field.value(), charset).getBytes(StandardCharsets.UTF_8);
          JsonCodec.readObject(input, json, values, "form field 'data'");
          dataRead = true;
          continue;
        }
        form.computeIfAbsent(name, k -> new ArrayList<>(1)).add(new String(field.value(), charset));
      }
      // Fields named in the form win over the same members of the JSON in 'data'.
      for (Map.Entry<String, List<String>> e : form.entrySet()) {
        putText(input, e.getKey(), e.getValue(), values);
      }
      return null;
    }
    return problem(
            415,
            ErrorCode.INVALID_ARGUMENT,
            "unsupported content type " + type + " (expected: application/json or " + FORM + ")")
        .withHeader("accept", "application/json, " + FORM);
  }

  private static void putText(
      RecordType<?> input, String name, List<String> texts, Map<String, Object> values) {
    Field f = input.field(name);
    if (f == null || f.type() == FieldType.MESSAGE || f.map() || texts.isEmpty()) {
      // Unknown parameters are ignored, as most REST servers do; records and maps have no text form
      // (an operation taking one is served as POST with a JSON body).
      return;
    }
    if (f.repeated()) {
      List<Object> list = new ArrayList<>(texts.size());
      for (String t : texts) {
        list.add(JsonCodec.parseText(f, t, name));
      }
      values.put(name, list);
    } else {
      values.put(name, JsonCodec.parseText(f, texts.get(0), name));
    }
  }

  static HttpResponse problem(int status, ErrorCode code, String detail) {
    return HttpResponse.problem(status, detail, Map.of("code", code.name()));
  }
}
