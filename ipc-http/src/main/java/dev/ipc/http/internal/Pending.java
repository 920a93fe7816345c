package dev.ipc.http.internal;

/**
 * A request waiting in a connection's {@link ResponseQueue}: either one to hand to the handler, or
 * one whose answer the server decided itself ({@code immediate}: malformed, too large, refused,
 * timed out). It carries what the answer's framing needs (HEAD, keep-alive, HTTP/1.0, the Origin
 * for CORS), and the {@code bodyBytes} of the server's body budget held for it until the handler is
 * done with it or it is dropped.
 */
record Pending(
    HttpRequest request,
    HttpResponse immediate,
    boolean head,
    boolean keepAlive,
    boolean http10,
    String origin,
    long bodyBytes) {
  Pending(
      HttpRequest request,
      HttpResponse immediate,
      boolean head,
      boolean keepAlive,
      boolean http10,
      String origin) {
    this(request, immediate, head, keepAlive, http10, origin, 0);
  }

  /** An answer the server gives itself, with nothing held for it. */
  static Pending answered(
      HttpResponse immediate, boolean head, boolean keepAlive, boolean http10, String origin) {
    return new Pending(null, immediate, head, keepAlive, http10, origin);
  }

  Pending withBodyBytes(long n) {
    return new Pending(request, immediate, head, keepAlive, http10, origin, n);
  }
}
