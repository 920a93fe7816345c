package dev.ipc.http;

import java.util.List;

/** The CORS policy: which origins may call, and the answer to their preflight requests. */
final class Cors {
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
  static final String MAX_AGE = "600";

  private final List<String> origins;
  private final boolean any;

  Cors(List<String> origins) {
    this.origins = List.copyOf(origins);
    this.any = origins.contains("*");
  }

  /** Returns the {@code Access-Control-Allow-Origin} value for {@code origin}, or null if refused. */
  String allowOrigin(String origin) {
    if (origin == null) {
      return null;
    }
    if (any) {
      return "*";
    }
    return origins.contains(origin) ? origin : null;
  }
}
