package dev.ipc.graphql;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.Metadata;
import dev.ipc.core.ServiceException;
import dev.ipc.core.spi.CallSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the calls of one GraphQL request share with its HTTP exchange: where they come from (the
 * {@link CallSource} built once from the request) and, on the way back, the response metadata each
 * call added and whether one was refused as UNAUTHENTICATED. Kept in the request's {@code
 * GraphQLContext}; thread-safe, as graphql-java may resolve fields on other threads.
 *
 * <p>When several fields add the same header, every distinct value is sent, in the order the calls
 * ended, as repeated header lines (a value added twice is sent once). Headers the HTTP layer owns
 * (framing, connection, content type, CORS) and names or values HTTP cannot carry are not sent.
 */
final class CallHeaders {
  /** The GraphQLContext key of the request's instance. */
  static final String KEY = "dev.ipc.graphql.callHeaders";

  /** The transport name the calls' contexts carry. */
  static final String TRANSPORT = "graphql";

  private static final Set<String> RESERVED =
      Set.of(
          "connection",
          "content-length",
          "content-type",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "access-control-allow-origin",
          "access-control-allow-credentials",
          "access-control-expose-headers",
          "vary");

  private final CallSource source;
  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private boolean unauthenticated;

  CallHeaders(CallSource source) {
    this.source = source;
  }

  /** Returns the source the request's calls come from. */
  CallSource source() {
    return source;
  }

  /** Takes the response metadata of one call. */
  synchronized void add(Metadata metadata) {
    for (String name : metadata.names()) {
      if (RESERVED.contains(name) || !token(name)) {
        continue;
      }
      for (String value : metadata.all(name)) {
        if (!printable(value)) {
          continue;
        }
        List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>(1));
        if (!list.contains(value)) {
          list.add(value);
        }
      }
    }
  }

  /**
   * Notes a call's failure; an UNAUTHENTICATED one makes the answer carry {@code WWW-Authenticate}.
   */
  synchronized void failed(ServiceException e) {
    if (e.code() == ErrorCode.UNAUTHENTICATED) {
      unauthenticated = true;
    }
  }

  /**
   * Returns the headers to add to the HTTP answer, as alternating names and values: the calls'
   * response metadata, then {@code WWW-Authenticate: Bearer} if a call was UNAUTHENTICATED and none
   * of them set that header already.
   */
  synchronized List<String> headers() {
    List<String> list = new ArrayList<>();
    values.forEach(
        (name, all) -> {
          for (String v : all) {
            list.add(name);
            list.add(v);
          }
        });
    if (unauthenticated && !values.containsKey("www-authenticate")) {
      list.add("www-authenticate");
      list.add("Bearer");
    }
    return list;
  }

  /** Whether {@code name} is an HTTP token (RFC 9110 section 5.6.2). */
  private static boolean token(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || (c >= 'A' && c <= 'Z')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code value} can be a header value: visible ASCII, spaces and tabs only. */
  private static boolean printable(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
