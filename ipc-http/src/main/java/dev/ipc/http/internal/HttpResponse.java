package dev.ipc.http.internal;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.ErrorCode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP response: status, headers and a body. The server adds {@code Content-Length} and {@code
 * Connection}. Immutable: {@link #withHeader} returns a copy.
 */
public final class HttpResponse {
  /** {@code application/json}. */
  public static final String JSON = "application/json";

  /** {@code application/problem+json} (RFC 9457). */
  public static final String PROBLEM_JSON = "application/problem+json";

  private static final byte[] EMPTY = new byte[0];

  /** {@code text/event-stream}. */
  public static final String EVENT_STREAM = "text/event-stream";

  private final int status;
  private final List<String> headers; // name, value, name, value...
  private final byte[] body;
  private final EventStream events; // a Server-Sent Events answer, or null
  private final WebSocketHandler webSocket; // a WebSocket upgrade, or null
  private final String subprotocol; // of the upgrade, or null

  private HttpResponse(int status, List<String> headers, byte[] body) {
    this(status, headers, body, null, null, null);
  }

  private HttpResponse(
      int status,
      List<String> headers,
      byte[] body,
      EventStream events,
      WebSocketHandler webSocket,
      String subprotocol) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
    }
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.events = events;
    this.webSocket = webSocket;
    this.subprotocol = subprotocol;
  }

  /**
   * Returns a Server-Sent Events answer: {@code 200} with {@code Content-Type: text/event-stream},
   * {@code Cache-Control: no-store} and {@code Connection: close}, its body chunked (HTTP/1.0:
   * until the close) and written by {@code stream} ({@link EventStream#start}) until it ends it or
   * the client goes away. The connection serves nothing after it: requests pipelined behind it are
   * dropped. The request counts as in flight until the end is flushed, so a graceful close waits
   * for it. Headers added with {@link #withHeader} are sent too.
   */
  public static HttpResponse events(EventStream stream) {
    requireNonNull(stream, "stream");
    return new HttpResponse(200, List.of("content-type", EVENT_STREAM), EMPTY, stream, null, null);
  }

  /**
   * Returns the answer that upgrades the request to a WebSocket served by {@code handler}. The
   * server does the handshake (RFC 6455) and agrees on {@code subprotocol} only if the client
   * offered it ({@link WebSocketSession#subprotocol()} says). Refused instead of upgraded: a
   * request that is not an upgrade ({@link HttpRequest#isWebSocketUpgrade()}) or HTTP/1.0 (400), an
   * unsupported WebSocket version (426), and an {@code Origin} other than the server's own that its
   * CORS origins do not allow (403; a request without {@code Origin}, as non-browser clients send,
   * is accepted).
   *
   * @param subprotocol the subprotocol to agree on, or null for none
   */
  public static HttpResponse webSocket(String subprotocol, WebSocketHandler handler) {
    requireNonNull(handler, "handler");
    return new HttpResponse(101, List.of(), EMPTY, null, handler, subprotocol);
  }

  /** Returns a response with {@code status} and no body. */
  public static HttpResponse of(int status) {
    return new HttpResponse(status, List.of(), EMPTY);
  }

  /** Returns a response with {@code status} and {@code body} of type {@code contentType}. */
  public static HttpResponse of(int status, String contentType, byte[] body) {
    requireNonNull(contentType, "contentType");
    requireNonNull(body, "body");
    return new HttpResponse(status, List.of("content-type", contentType), body);
  }

  /** Returns an {@code application/json} response whose body is {@code json} (UTF-8). */
  public static HttpResponse json(int status, byte[] json) {
    return of(status, JSON, json);
  }

  /** Returns an {@code application/json} response whose body is {@code json}. */
  public static HttpResponse json(int status, String json) {
    return of(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns a {@code text/plain; charset=utf-8} response. */
  public static HttpResponse text(int status, String text) {
    return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns an RFC 9457 {@code application/problem+json} response: {@code
   * {"type":"about:blank","title":<reason phrase>,"status":..,"detail":..}}.
   */
  public static HttpResponse problem(int status, String detail) {
    return problem(status, detail, Map.of());
  }

  /**
   * Returns a problem response like {@link #problem(int, String)} with extension members added
   * after the standard ones ({@code "code":"NOT_FOUND"}). Values may be strings, numbers, booleans,
   * null, lists and maps of these.
   */
  public static HttpResponse problem(int status, String detail, Map<String, ?> extensions) {
    requireNonNull(detail, "detail");
    requireNonNull(extensions, "extensions");
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("type", "about:blank");
    members.put("title", reasonPhrase(status));
    members.put("status", status);
    members.put("detail", detail);
    members.putAll(extensions);
    return of(status, PROBLEM_JSON, Json.write(members).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the problem answer the server gives itself (400, 408, 413, 503...): a problem response
   * whose {@code code} member names the {@code ErrorCode}, as the transports' own errors do.
   */
  static HttpResponse problem(int status, ErrorCode code, String detail) {
    return problem(status, detail, Map.of("code", code.name()));
  }

  /** Returns the standard reason phrase of {@code status} ({@code Not Found}). */
  public static String reasonPhrase(int status) {
    return HttpResponseStatus.valueOf(status).reasonPhrase();
  }

  /** Returns a copy with header {@code name: value} added (names are case-insensitive). */
  public HttpResponse withHeader(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    List<String> copy = new ArrayList<>(headers.size() + 2);
    copy.addAll(headers);
    copy.add(name);
    copy.add(value);
    return new HttpResponse(
        status, Collections.unmodifiableList(copy), body, events, webSocket, subprotocol);
  }

  /** Returns the stream of a {@link #events} answer, else null. */
  EventStream eventStream() {
    return events;
  }

  /** Returns the handler of a {@link #webSocket} answer, else null. */
  WebSocketHandler webSocketHandler() {
    return webSocket;
  }

  /** Returns the subprotocol of a {@link #webSocket} answer. */
  String subprotocol() {
    return subprotocol;
  }

  /** Returns the status code. */
  public int status() {
    return status;
  }

  /** Returns the first value of header {@code name} (case-insensitive), or null. */
  public String header(String name) {
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase(name)) {
        return headers.get(i + 1);
      }
    }
    return null;
  }

  /** Returns the headers as alternating names and values, in the order added. */
  List<String> headerList() {
    return headers;
  }

  /** Returns the body bytes; callers must not modify the array. */
  public byte[] body() {
    return body;
  }

  @Override
  public String toString() {
    if (events != null) {
      return status + " (event stream)";
    }
    if (webSocket != null) {
      return "WebSocket upgrade";
    }
    return status + " (" + body.length + " bytes)";
  }
}
