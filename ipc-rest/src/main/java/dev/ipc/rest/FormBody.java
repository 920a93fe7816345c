package dev.ipc.rest;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an {@code application/x-www-form-urlencoded} body as browsers and the WHATWG URL standard
 * write it: {@code &} separates fields (a {@code ;} is data), {@code +} is a space, {@code %XX} a
 * byte, and a {@code %} not followed by two hex digits stays as it is, so {@code curl -d
 * 'data={"name": "50%"}'} means what its author meant.
 */
final class FormBody {
  /** One field; {@code value} is the decoded bytes, in the body's charset. */
  @SuppressWarnings("ArrayRecordComponent") // a carrier, never compared or hashed: equality is moot
  record Field(byte[] name, byte[] value) {}

  private FormBody() {}

  /** Returns the body's fields in order, empty ones ({@code a&&b}) left out. */
  static List<Field> parse(byte[] body) {
    List<Field> out = new ArrayList<>(2);
    int n = body.length;
    int start = 0;
    while (start < n) {
      int end = indexOf(body, (byte) '&', start, n);
      if (end > start) {
        int eq = indexOf(body, (byte) '=', start, end);
        out.add(
            new Field(decode(body, start, eq), eq < end ? decode(body, eq + 1, end) : new byte[0]));
      }
      start = end + 1;
    }
    return out;
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return to;
  }

  /** Decodes {@code b[from, to)}; copies straight when there is nothing to decode. */
  private static byte[] decode(byte[] b, int from, int to) {
    int i = from;
    while (i < to && b[i] != '+' && b[i] != '%') {
      i++;
    }
    if (i == to) {
      return Arrays.copyOfRange(b, from, to);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    out.write(b, from, i - from);
    for (; i < to; i++) {
      byte c = b[i];
      int hi;
      int lo;
      if (c == '+') {
        out.write(' ');
      } else if (c == '%'
          && i + 2 < to
          && (hi = Character.digit(b[i + 1], 16)) >= 0
          && (lo = Character.digit(b[i + 2], 16)) >= 0) {
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
