package dev.ipc.http.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * What an answer looks like on the wire: the headers the server adds to a handler's answer (length,
 * connection, CORS, the configured response headers), and the status line and headers as bytes or
 * as a Netty response. An answer is written either straight to the socket or through Netty's
 * encoder (see {@link ResponseWriter}); both take their headers from {@link #headers} and encode
 * them as Netty does, so they cannot differ. Headers are kept as one list of alternating names and
 * values. Stateless.
 */
final class ResponseEncoding {
  static final byte[] EMPTY = new byte[0];

  private ResponseEncoding() {}

  /**
   * Returns the answer's headers as alternating names and values: the handler's, then those the
   * server adds (length, connection, CORS). Both ways of writing an answer use it, so they cannot
   * differ.
   */
  static List<String> headers(HttpServer server, Pending p, HttpResponse r, boolean close) {
    List<String> h = new ArrayList<>(r.headerList().size() + 8);
    h.addAll(r.headerList());
    boolean bodyAllowed = r.status() >= 200 && r.status() != 204 && r.status() != 304;
    if (bodyAllowed && r.eventStream() == null && indexOf(h, "content-length") < 0) {
      h.add("content-length");
      h.add(Integer.toString(r.body().length));
    }
    if (close) {
      set(h, "connection", "close");
    } else if (p.http10()) {
      set(h, "connection", "keep-alive");
    }
    if (server.cors != null && p.origin() != null) {
      server.cors.addTo(h, p.origin());
    }
    List<String> extra = server.responseHeaders;
    for (int i = 0; i < extra.size(); i += 2) {
      if (indexOf(h, extra.get(i)) < 0) {
        h.add(extra.get(i));
        h.add(extra.get(i + 1));
      }
    }
    return h;
  }

  /**
   * Returns status line, headers and {@code body} as HTTP/1.x bytes, as Netty's encoder writes
   * them, or null if a header name is not a token or a value holds a control character (Netty
   * refuses those too).
   */
  static byte[] encode(boolean http10, int status, List<String> headers, byte[] body) {
    HttpResponseStatus s = HttpResponseStatus.valueOf(status);
    StringBuilder head = new StringBuilder(160);
    head.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
        .append(s.code())
        .append(' ')
        .append(s.reasonPhrase())
        .append("\r\n");
    for (int i = 0; i < headers.size(); i += 2) {
      String name = headers.get(i);
      String value = headers.get(i + 1);
      if (!isToken(name) || !isFieldValue(value)) {
        return null;
      }
      head.append(name).append(": ").append(value).append("\r\n");
    }
    head.append("\r\n");
    byte[] out = new byte[head.length() + body.length];
    for (int i = 0; i < head.length(); i++) {
      char c = head.charAt(i);
      out[i] = c < 0x80 ? (byte) c : (byte) '?'; // as Netty's encoder writes header text: US-ASCII
    }
    System.arraycopy(body, 0, out, head.length(), body.length);
    return out;
  }

  /**
   * Returns the Netty response for {@code r}, with the headers the server adds.
   *
   * @throws IllegalArgumentException if Netty refuses a header
   */
  static FullHttpResponse toNetty(HttpServer server, Pending p, HttpResponse r, boolean close) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            p.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(r.status()),
            p.head() || r.body().length == 0
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(r.body()));
    addAll(res.headers(), headers(server, p, r, close));
    return res;
  }

  /** Adds the alternating names and values of {@code list} to {@code target}. */
  static void addAll(HttpHeaders target, List<String> list) {
    for (int i = 0; i < list.size(); i += 2) {
      target.add(headerName(list.get(i)), list.get(i + 1));
    }
  }

  /** Returns the index of the first {@code name} header (any case) in {@code headers}, or -1. */
  static int indexOf(List<String> headers, String name) {
    for (int i = 0; i < headers.size(); i += 2) {
      if (headers.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Replaces every {@code name} header with one {@code name: value} at the end, as Netty's set
   * does.
   */
  static void set(List<String> headers, String name, String value) {
    for (int i = indexOf(headers, name); i >= 0; i = indexOf(headers, name)) {
      headers.remove(i + 1);
      headers.remove(i);
    }
    headers.add(name);
    headers.add(value);
  }

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
   * Returns Netty's interned name for the common headers, which it encodes without a per-char copy.
   */
  private static CharSequence headerName(String name) {
    return switch (name) {
      case "content-type" -> HttpHeaderNames.CONTENT_TYPE;
      case "location" -> HttpHeaderNames.LOCATION;
      case "allow" -> HttpHeaderNames.ALLOW;
      default -> name;
    };
  }
}
