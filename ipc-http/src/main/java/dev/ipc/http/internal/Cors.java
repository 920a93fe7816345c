package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * The CORS policy, and every decision the server takes from it: which origins may call, the answer
 * to their preflight requests, the headers an answer to an allowed origin carries, and which
 * origins may open a WebSocket. Immutable.
 */
final class Cors {
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String MAX_AGE = "600";

  private final List<String> origins;
  private final boolean any;

  Cors(List<String> origins) {
    this.origins = List.copyOf(origins);
    this.any = origins.contains("*");
  }

  /**
   * Returns the {@code Access-Control-Allow-Origin} value for {@code origin}, or null if refused.
   */
  String allowOrigin(String origin) {
    if (origin == null) {
      return null;
    }
    if (any) {
      return "*";
    }
    return origins.contains(origin) ? origin : null;
  }

  /**
   * Whether a request is a CORS preflight: {@code OPTIONS} with an Origin and the method it asks
   * for.
   */
  static boolean isPreflight(HttpMethod method, HttpHeaders h, String origin) {
    return HttpMethod.OPTIONS.equals(method)
        && origin != null
        && h.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
  }

  /** Returns the answer to a preflight request from {@code origin} with headers {@code h}. */
  HttpResponse preflight(HttpHeaders h, String origin) {
    String allow = allowOrigin(origin);
    if (allow == null) {
      return HttpResponse.problem(
          403, ErrorCode.PERMISSION_DENIED, "origin not allowed: " + origin);
    }
    HttpResponse r =
        HttpResponse.of(204)
            .withHeader("access-control-allow-methods", ALLOWED_METHODS)
            .withHeader("access-control-max-age", MAX_AGE);
    String headers = h.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
    if (headers != null) {
      r = r.withHeader("access-control-allow-headers", headers);
    }
    return r;
  }

  /**
   * Adds to {@code headers} (alternating names and values) the CORS headers an answer to a request
   * from {@code origin} carries; none if the origin is not allowed. Returns whether it added any.
   */
  boolean addTo(List<String> headers, String origin) {
    String allow = allowOrigin(origin);
    if (allow == null) {
      return false;
    }
    ResponseEncoding.set(headers, "access-control-allow-origin", allow);
    ResponseEncoding.set(headers, "access-control-expose-headers", "Location");
    if (!"*".equals(allow)) {
      headers.add("vary");
      headers.add("origin");
    }
    return true;
  }

  /**
   * Whether a WebSocket from {@code origin} is accepted, by the rule CORS applies to HTTP: no
   * Origin (not a browser), the server's own origin (a page it served, at {@code host}), or one the
   * CORS origins ({@code cors}, null without CORS) allow. Browsers do not apply CORS to WebSockets,
   * so without this any site could open one with its visitor's credentials.
   */
  static boolean allowsWebSocket(Cors cors, String origin, String host, boolean tls) {
    if (origin == null) {
      return true;
    }
    if (cors != null && cors.allowOrigin(origin) != null) {
      return true;
    }
    return host != null && origin.equalsIgnoreCase((tls ? "https://" : "http://") + host);
  }
}
