package dev.ipc.http.internal;

import dev.ipc.core.ErrorCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Turns each whole request Netty decoded on one connection into a {@link Pending}: the {@link
 * HttpRequest} the handler gets (target split into path and query, the peer's address and
 * certificates), or the answer the server gives without the handler (malformed request 400/414/431,
 * undecodable target 400, CORS preflight, shutting down 503). Event-loop confined.
 */
final class RequestReader {
  private final HttpConnection connection;
  private final HttpServer server;
  private List<X509Certificate> peerCertificates; // read once, after the handshake

  RequestReader(HttpConnection connection, HttpServer server) {
    this.connection = connection;
    this.server = server;
  }

  /** Returns what to do with {@code req}; its body is copied, so the caller releases it. */
  Pending read(FullHttpRequest req) {
    HttpHeaders h = req.headers();
    boolean head = HttpMethod.HEAD.equals(req.method());
    boolean http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    String origin = h.get(HttpHeaderNames.ORIGIN);
    DecoderResult result = req.decoderResult();
    if (!result.isSuccess()) {
      return Pending.answered(malformed(result.cause()), head, false, http10, origin);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (server.isClosing()) {
      return Pending.answered(
          HttpResponse.problem(503, ErrorCode.UNAVAILABLE, "server is shutting down"),
          head,
          false,
          http10,
          origin);
    }
    if (server.cors != null && Cors.isPreflight(req.method(), h, origin)) {
      return Pending.answered(server.cors.preflight(h, origin), false, keepAlive, http10, origin);
    }
    String uri = req.uri();
    String target = originForm(uri);
    SslHandler ssl = connection.ssl;
    InetSocketAddress remote = (InetSocketAddress) connection.ctx.channel().remoteAddress();
    if (isPlainPath(target)) {
      // Most requests (GET /tasks, PUT /tasks/1): nothing to decode, so skip the query decoder.
      return new Pending(
          new HttpRequest(
              head ? "GET" : req.method().name(),
              head,
              uri,
              target,
              target,
              "",
              Map.of(),
              h,
              ByteBufUtil.getBytes(req.content()),
              remote,
              ssl != null,
              peerCertificates(ssl)),
          null,
          head,
          keepAlive,
          http10,
          origin);
    }
    int q = target.indexOf('?');
    int hash = target.indexOf('#');
    int pathEnd = q >= 0 ? q : (hash >= 0 ? hash : target.length());
    String rawPath = target.substring(0, pathEnd);
    String rawQuery = q < 0 ? "" : target.substring(q + 1, hash > q ? hash : target.length());
    String path;
    Map<String, List<String>> params;
    try {
      QueryStringDecoder decoder = new QueryStringDecoder(target);
      path = decoder.path();
      params = Collections.unmodifiableMap(decoder.parameters());
    } catch (IllegalArgumentException e) {
      return Pending.answered(
          HttpResponse.problem(
              400, ErrorCode.INVALID_ARGUMENT, "malformed request target: " + e.getMessage()),
          head,
          keepAlive,
          http10,
          origin);
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    HttpRequest request =
        new HttpRequest(
            head ? "GET" : req.method().name(),
            head,
            uri,
            rawPath.isEmpty() ? "/" : rawPath,
            path.isEmpty() ? "/" : path,
            rawQuery,
            params,
            h,
            body,
            remote,
            ssl != null,
            peerCertificates(ssl));
    return new Pending(request, null, head, keepAlive, http10, origin);
  }

  /**
   * Returns the client's verified certificate chain, empty without one. Read at the first request:
   * the handshake is over once a request has been decrypted, and TLS 1.3 never renegotiates
   * (Netty's JDK engine refuses a TLS 1.2 renegotiation by default), so it holds for the whole
   * connection.
   */
  private List<X509Certificate> peerCertificates(SslHandler ssl) {
    if (peerCertificates == null) {
      peerCertificates = ssl == null ? List.of() : chain(ssl.engine().getSession());
    }
    return peerCertificates;
  }

  private static List<X509Certificate> chain(SSLSession session) {
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
      return List.copyOf(chain);
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // the client presented none (ClientAuth NONE or OPTIONAL)
    }
  }

  /**
   * Returns whether {@code target} is a non-empty path with no query, fragment or escape to decode.
   */
  private static boolean isPlainPath(String target) {
    int n = target.length();
    if (n == 0 || target.charAt(0) != '/') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = target.charAt(i);
      if (c == '?' || c == '#' || c == '%' || c >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Strips {@code http://host} from an absolute-form target, as proxies send it. */
  private static String originForm(String uri) {
    if (uri.regionMatches(true, 0, "http://", 0, 7)
        || uri.regionMatches(true, 0, "https://", 0, 8)) {
      int slash = uri.indexOf('/', uri.indexOf("//") + 2);
      return slash < 0 ? "/" : uri.substring(slash);
    }
    return uri;
  }

  private static HttpResponse malformed(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponse.problem(414, ErrorCode.INVALID_ARGUMENT, "request line too long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponse.problem(431, ErrorCode.INVALID_ARGUMENT, "request headers too large");
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponse.problem(400, ErrorCode.INVALID_ARGUMENT, "request too large");
    }
    return HttpResponse.problem(400, ErrorCode.INVALID_ARGUMENT, "malformed HTTP request");
  }
}
