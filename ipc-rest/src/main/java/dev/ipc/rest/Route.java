package dev.ipc.rest;

import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.spi.BoundOperation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation's REST route: method and path template, whose {@code {field}} segments bind fields.
 */
final class Route {
  /** The operation to call; null for a route only described (a schema document, no server). */
  final BoundOperation bound;

  final Operation<?, ?, ?> operation;
  final String method;
  final String template;

  /** Literal segments, null where the segment binds a field. */
  private final String[] literals;

  /** The bound field of each segment, null for literals. */
  final Field[] vars;

  final int literalCount;

  private Route(
      Operation<?, ?, ?> operation, BoundOperation bound, String[] literals, Field[] vars) {
    this.bound = bound;
    this.operation = operation;
    this.method = operation.restMethod();
    this.template = operation.restPath();
    this.literals = literals;
    this.vars = vars;
    int n = 0;
    for (String l : literals) {
      if (l != null) {
        n++;
      }
    }
    this.literalCount = n;
  }

  /**
   * Returns the route of {@code bound}.
   *
   * @throws IllegalArgumentException if a {@code {field}} names no scalar input field
   */
  static Route of(BoundOperation bound) {
    return of(bound.operation(), bound);
  }

  /**
   * Returns the route of {@code op}, which calls {@code bound} (null for a route only described, as
   * in a schema document).
   *
   * @throws IllegalArgumentException if a {@code {field}} names no scalar input field
   */
  static Route of(Operation<?, ?, ?> op, BoundOperation bound) {
    List<String> parts = split(op.restPath());
    String[] literals = new String[parts.size()];
    Field[] vars = new Field[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      String p = parts.get(i);
      if (p.length() > 2 && p.startsWith("{") && p.endsWith("}")) {
        String name = p.substring(1, p.length() - 1);
        Field f = op.input().field(name);
        if (f == null || f.repeated() || f.map() || f.type() == FieldType.MESSAGE) {
          throw new IllegalArgumentException(
              op
                  + ": path "
                  + op.restPath()
                  + " binds {"
                  + name
                  + "} (expected: a scalar field of "
                  + op.input().name()
                  + ")");
        }
        vars[i] = f;
      } else {
        literals[i] = p;
      }
    }
    return new Route(op, bound, literals, vars);
  }

  /**
   * Returns {@code routes} as a list after checking that no two have the same method and path
   * shape.
   *
   * @throws IllegalArgumentException naming both operations if two routes clash
   */
  static List<Route> distinct(List<Route> routes) {
    List<Route> list = new ArrayList<>(routes.size());
    for (Route r : routes) {
      for (Route known : list) {
        if (known.method.equals(r.method) && known.samePath(r)) {
          throw new IllegalArgumentException(
              "REST route "
                  + r.method
                  + " "
                  + r.template
                  + " of "
                  + r.operation
                  + " clashes with "
                  + known.operation
                  + " (expected: distinct routes; set them with @Rest or Operation.Builder.rest)");
        }
      }
      list.add(r);
    }
    return List.copyOf(list);
  }

  /** Returns the path's segments, without empty ones from leading or trailing slashes. */
  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int n = path.length();
    while (start <= n) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? n : slash;
      if (end > start) {
        out.add(path.substring(start, end));
      }
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return out;
  }

  /**
   * Returns the texts bound to each segment (null for literals) when {@code segments} (decoded)
   * match this route, else null.
   */
  String[] match(List<String> segments) {
    if (segments.size() != literals.length) {
      return null;
    }
    String[] captured = null;
    for (int i = 0; i < literals.length; i++) {
      String s = segments.get(i);
      if (literals[i] != null) {
        if (!literals[i].equals(s)) {
          return null;
        }
      } else {
        if (captured == null) {
          captured = new String[literals.length];
        }
        captured[i] = s;
      }
    }
    return captured == null ? new String[0] : captured;
  }

  /** Returns whether the path shape (ignoring the method) is the same as {@code other}'s. */
  boolean samePath(Route other) {
    if (literals.length != other.literals.length) {
      return false;
    }
    for (int i = 0; i < literals.length; i++) {
      String a = literals[i];
      String b = other.literals[i];
      if (a == null ? b != null : !a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns this route's path for {@code record}, an instance of the input type: each {@code
   * {field}} segment holds the field's value, percent-encoded ({@code /tasks/5}).
   */
  String pathOf(Object record) {
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < literals.length; i++) {
      path.append('/');
      path.append(
          literals[i] != null
              ? literals[i]
              : percentEncode(JsonCodec.text(vars[i], vars[i].get(record))));
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters, as UTF-8. */
  static String percentEncode(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }

  /**
   * Percent-decodes one path segment as UTF-8 ({@code +} stays a plus).
   *
   * @throws IllegalArgumentException if an escape is malformed
   */
  static String decodeSegment(String s) {
    if (s.indexOf('%') < 0 && isAscii(s)) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("incomplete escape at the end of '" + s + "'");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("bad escape '" + s.substring(i, i + 3) + "'");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x100) {
        // Netty reads the request line as ISO-8859-1: each char is one byte of what the client
        // sent.
        out.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return method + " " + template + " -> " + operation;
  }
}
