package dev.ipc.core.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses the option values of transport URIs ({@code grpc://0.0.0.0:6666?maxMessageBytes=4MiB}),
 * the same way for every adapter: sizes in bytes with an optional KiB/MiB suffix, positive
 * integers, durations and booleans. Each method throws IllegalArgumentException naming the key.
 * Builders bind their keys to these parsers in an {@link OptionTable}.
 */
public final class TransportOptions {
  private TransportOptions() {}

  /** Parses {@code 4194304}, {@code 512KiB} or {@code 4MiB}. */
  public static int size(String key, String value) {
    String v = value.trim();
    long factor = 1;
    if (v.endsWith("MiB")) {
      factor = 1024 * 1024;
      v = v.substring(0, v.length() - 3);
    } else if (v.endsWith("KiB")) {
      factor = 1024;
      v = v.substring(0, v.length() - 3);
    }
    try {
      long n = Long.parseLong(v.trim()) * factor;
      if (n <= 0 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            key + ": " + value + " (expected: 1 to 2147483647 bytes)");
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: bytes, e.g. 4194304 or 4MiB)", e);
    }
  }

  /**
   * Parses a size that may exceed 2 GiB, such as a memory budget: {@code 268435456}, {@code 256MiB}
   * or {@code 2GiB} (and {@code KiB}).
   */
  public static long longSize(String key, String value) {
    String v = value.trim();
    long factor = 1;
    for (String[] unit :
        new String[][] {{"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}}) {
      if (v.endsWith(unit[0])) {
        factor = Long.parseLong(unit[1]);
        v = v.substring(0, v.length() - 3).trim();
        break;
      }
    }
    try {
      long n = Long.parseLong(v);
      if (n <= 0 || n > Long.MAX_VALUE / factor) {
        throw new IllegalArgumentException(key + ": " + value + " (expected: > 0 bytes)");
      }
      return n * factor;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: bytes, e.g. 268435456 or 256MiB)", e);
    }
  }

  /** Parses a positive integer. */
  public static int positive(String key, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n <= 0) {
        throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: an integer > 0)", e);
    }
  }

  /** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h} or ISO-8601 {@code PT30S}. */
  public static Duration duration(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt")) {
        return positive(key, value, Duration.parse(v.toUpperCase(Locale.ROOT)));
      }
      if (v.endsWith("ms")) {
        return positive(
            key, value, Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2))));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> positive(key, value, Duration.ofSeconds(n));
        case 'm' -> positive(key, value, Duration.ofMinutes(n));
        case 'h' -> positive(key, value, Duration.ofHours(n));
        default -> throw new NumberFormatException(v);
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: a duration like 30s, 250ms, 5m)", e);
    }
  }

  /** Parses {@code true} or {@code false}. */
  public static boolean bool(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException(key + ": " + value + " (expected: true or false)");
  }

  /** Checks that {@code d} is positive and returns it. */
  public static Duration positive(String key, Object shown, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(key + ": " + shown + " (expected: > 0)");
    }
    return d;
  }
}
