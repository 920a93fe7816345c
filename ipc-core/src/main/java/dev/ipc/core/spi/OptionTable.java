package dev.ipc.core.spi;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * The URI options one builder understands, each key bound to a typed setter, so that every
 * transport and client parses its {@code ?key=value} options the same way ({@link
 * TransportOptions}' formats) and refuses an unknown key with the list of the known ones. Builders
 * fill a table in their {@code options(Map)}; deprecated names are registered with {@link #alias}
 * and work without being listed. Not thread-safe.
 */
public final class OptionTable {
  private final Map<String, BiConsumer<String, String>> setters = new LinkedHashMap<>();
  private final List<String> listed = new ArrayList<>();

  /** Creates an empty table. */
  public OptionTable() {}

  /** Binds {@code key} to a size in bytes ({@code 4194304}, {@code 512KiB}, {@code 4MiB}). */
  public OptionTable size(String key, IntConsumer setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(TransportOptions.size(k, v)));
  }

  /** Binds {@code key} to a size in bytes that may exceed 2 GiB ({@code 8GiB} too). */
  public OptionTable longSize(String key, LongConsumer setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(TransportOptions.longSize(k, v)));
  }

  /** Binds {@code key} to an integer greater than 0. */
  public OptionTable positive(String key, IntConsumer setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(TransportOptions.positive(k, v)));
  }

  /**
   * Binds {@code key} to an integer; the setter checks its range (for limits where 0 means none).
   */
  public OptionTable integer(String key, IntConsumer setter) {
    requireNonNull(setter, "setter");
    return put(
        key,
        (k, v) -> {
          int n;
          try {
            n = Integer.parseInt(v.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + ": " + v + " (expected: an integer)", e);
          }
          setter.accept(n);
        });
  }

  /**
   * Binds {@code key} to a duration ({@code 30s}, {@code 250ms}, {@code 5m}, {@code 2h}, {@code
   * PT30S}).
   */
  public OptionTable duration(String key, Consumer<Duration> setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(TransportOptions.duration(k, v)));
  }

  /** Binds {@code key} to {@code true} or {@code false}. */
  public OptionTable bool(String key, Consumer<Boolean> setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(TransportOptions.bool(k, v)));
  }

  /**
   * Binds {@code key} to a comma-separated list ({@code cors=https://a.example,https://b.example});
   * blank is none.
   */
  public OptionTable list(String key, Consumer<String[]> setter) {
    requireNonNull(setter, "setter");
    return put(
        key, (k, v) -> setter.accept(v.isBlank() ? new String[0] : v.trim().split("\\s*,\\s*")));
  }

  /**
   * Binds {@code key} to the path of a file (a PEM file for {@code ca}, {@code cert}, {@code key}).
   */
  public OptionTable path(String key, Consumer<Path> setter) {
    requireNonNull(setter, "setter");
    return put(
        key,
        (k, v) -> {
          if (v.isBlank()) {
            throw new IllegalArgumentException(k + ": empty (expected: a file path)");
          }
          try {
            setter.accept(Path.of(v));
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException(k + ": " + v + " (expected: a file path)", e);
          }
        });
  }

  /** Binds {@code key} to the text as it is. */
  public OptionTable string(String key, Consumer<String> setter) {
    requireNonNull(setter, "setter");
    return put(key, (k, v) -> setter.accept(v));
  }

  /**
   * Makes the deprecated {@code key} set what {@code current} sets, its value parsed and reported
   * under {@code key}; it is not listed among the known options.
   *
   * @throws IllegalStateException if {@code current} is not bound yet
   */
  public OptionTable alias(String key, String current) {
    requireNonNull(key, "key");
    requireNonNull(current, "current");
    BiConsumer<String, String> setter = setters.get(current);
    if (setter == null) {
      throw new IllegalStateException("option: " + current + " (expected: bound before its alias)");
    }
    if (setters.putIfAbsent(key, setter) != null) {
      throw new IllegalStateException("option: " + key + " (expected: bound once)");
    }
    return this;
  }

  /**
   * Applies {@code options} in their order.
   *
   * @throws IllegalArgumentException for an unknown key (naming the known ones) or a malformed
   *     value
   */
  public void apply(Map<String, String> options) {
    requireNonNull(options, "options");
    for (Map.Entry<String, String> e : options.entrySet()) {
      BiConsumer<String, String> setter = setters.get(e.getKey());
      if (setter == null) {
        throw new IllegalArgumentException(
            "option: " + e.getKey() + " (expected: one of " + known() + ")");
      }
      // Errors name the key as written, so a deprecated alias is reported under its own name.
      try {
        setter.accept(e.getKey(), requireNonNull(e.getValue(), e.getKey()));
      } catch (IllegalArgumentException refused) {
        // A builder method names its parameter ("bytes: 0"); the URI's reader needs the option too.
        String message = String.valueOf(refused.getMessage());
        if (message.startsWith(e.getKey() + ":")) {
          throw refused;
        }
        throw new IllegalArgumentException(e.getKey() + ": " + message, refused);
      }
    }
  }

  /** Returns the known keys, deprecated aliases left out, in the order they were bound. */
  public List<String> keys() {
    return List.copyOf(listed);
  }

  /** Returns the known keys as a sentence's list: {@code a, b or c}. */
  private String known() {
    int last = listed.size() - 1;
    return last <= 0
        ? String.join("", listed)
        : String.join(", ", listed.subList(0, last)) + " or " + listed.get(last);
  }

  private OptionTable put(String key, BiConsumer<String, String> setter) {
    requireNonNull(key, "key");
    if (setters.putIfAbsent(key, setter) != null) {
      throw new IllegalStateException("option: " + key + " (expected: bound once)");
    }
    listed.add(key);
    return this;
  }
}
