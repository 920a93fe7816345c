package dev.ipc.http.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * One complete HTTP request as a {@link HttpHandler} sees it: method, raw and decoded target,
 * headers and the whole body. {@code HEAD} requests arrive as {@code GET} with {@link #isHead()}
 * true; the server drops the body of their response. Immutable and thread-safe.
 */
public final class HttpRequest {
  private final String method;
  private final boolean head;
  private final String uri;
  private final String rawPath;
  private final String path;
  private final String rawQuery;
  private final Map<String, List<String>> queryParams;
  private final HttpHeaders headers;
  private final byte[] body;
  private final InetSocketAddress remoteAddress;
  private final List<X509Certificate> peerCertificates;
  private final boolean tls;

  HttpRequest(
      String method,
      boolean head,
      String uri,
      String rawPath,
      String path,
      String rawQuery,
      Map<String, List<String>> queryParams,
      HttpHeaders headers,
      byte[] body,
      InetSocketAddress remoteAddress,
      boolean tls,
      List<X509Certificate> peerCertificates) {
    this.method = method;
    this.head = head;
    this.uri = uri;
    this.rawPath = rawPath;
    this.path = path;
    this.rawQuery = rawQuery;
    this.queryParams = queryParams;
    this.headers = headers;
    this.body = body;
    this.remoteAddress = remoteAddress;
    this.tls = tls;
    this.peerCertificates = peerCertificates;
  }

  /**
   * Returns the method in upper case; {@code GET} for a {@code HEAD} request (see {@link
   * #isHead()}).
   */
  public String method() {
    return method;
  }

  /** Returns whether the client sent {@code HEAD}: the response body will be dropped. */
  public boolean isHead() {
    return head;
  }

  /**
   * Returns the request target exactly as received ({@code /graphql?query={name%0Ahobby}}), which
   * may hold characters a strict URI parser rejects.
   */
  public String uri() {
    return uri;
  }

  /**
   * Returns the path before percent-decoding ({@code /tasks/a%2Fb}), for splitting into segments.
   */
  public String rawPath() {
    return rawPath;
  }

  /** Returns the percent-decoded path ({@code /tasks/5}); {@code +} stays a plus. */
  public String path() {
    return path;
  }

  /** Returns the query string after {@code ?} before decoding, or an empty string. */
  public String rawQuery() {
    return rawQuery;
  }

  /** Returns the decoded query parameters, in order, each with all its values. */
  public Map<String, List<String>> queryParams() {
    return queryParams;
  }

  /** Returns the first value of query parameter {@code name}, or null. */
  public String queryParam(String name) {
    List<String> values = queryParams.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Returns the first value of header {@code name} (case-insensitive), or null. */
  public String header(String name) {
    return headers.get(name);
  }

  /** Returns every value of header {@code name} (case-insensitive), possibly none. */
  public List<String> headers(String name) {
    return headers.getAll(name);
  }

  /**
   * Calls {@code action} with every header, name and value, in the order received (a header sent
   * twice comes twice); names as the client wrote them.
   */
  public void forEachHeader(BiConsumer<String, String> action) {
    Iterator<Map.Entry<String, String>> it = headers.iteratorAsString();
    while (it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      action.accept(e.getKey(), e.getValue());
    }
  }

  /**
   * Returns whether this is a WebSocket opening handshake: {@code GET} with {@code Upgrade:
   * websocket} (case-insensitive). Answer it with {@link HttpResponse#webSocket}.
   */
  public boolean isWebSocketUpgrade() {
    if (!method.equals("GET") || head) {
      return false;
    }
    for (String v : headers.getAll(HttpHeaderNames.UPGRADE)) {
      for (String token : v.split(",", -1)) {
        if (token.trim().equalsIgnoreCase("websocket")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Returns Netty's headers of the request, for the WebSocket handshake. */
  HttpHeaders nettyHeaders() {
    return headers;
  }

  /** Returns the names of the headers present, lower case. */
  public Set<String> headerNames() {
    Set<String> names = new TreeSet<>();
    for (String n : headers.names()) {
      names.add(n.toLowerCase(Locale.ROOT));
    }
    return names;
  }

  /**
   * Returns the media type of the body without parameters, lower case ({@code application/json}),
   * or null when there is no {@code Content-Type}.
   */
  public String contentType() {
    String value = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (value == null) {
      return null;
    }
    int semi = value.indexOf(';');
    String type = (semi < 0 ? value : value.substring(0, semi)).trim();
    for (int i = 0; i < type.length(); i++) {
      char c = type.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return type.toLowerCase(Locale.ROOT);
      }
    }
    return type;
  }

  /**
   * Returns the {@code charset} parameter of {@code Content-Type}, UTF-8 when absent or unknown.
   */
  public Charset charset() {
    String value = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (value == null || value.indexOf(';') < 0) {
      return StandardCharsets.UTF_8;
    }
    for (String part : value.split(";", -1)) {
      String p = part.trim();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        String name = p.substring(8).trim().replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (RuntimeException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  /** Returns the body bytes (empty, never null). Callers must not modify the array. */
  public byte[] body() {
    return body;
  }

  /** Returns the body decoded with {@link #charset()}. */
  public String bodyText() {
    return new String(body, charset());
  }

  /** Returns the client's address. */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** Returns whether the request came over TLS. */
  public boolean isTls() {
    return tls;
  }

  /**
   * Returns the certificate chain the client presented in its TLS handshake, its own certificate
   * first, already verified against the server's client CA; empty without TLS or without a client
   * certificate.
   */
  public List<X509Certificate> peerCertificates() {
    return peerCertificates;
  }

  @Override
  public String toString() {
    // The path only: a query string may carry a token, and this text reaches logs.
    return (head ? "HEAD" : method) + ' ' + path();
  }
}
