package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Key-value pairs a call carries besides its request: gRPC metadata, HTTP headers, the Socket.IO
 * handshake's headers. Names are case-insensitive (kept lower case, as HTTP/2 and gRPC send them);
 * a name may have several values. Immutable and thread-safe.
 *
 * <p>{@link #toString()} never shows the values of credentials ({@code authorization}, {@code
 * cookie}, {@code set-cookie}, {@code proxy-authorization}), so a context can be logged without
 * leaking them.
 */
public final class Metadata {
  /** No metadata. */
  public static final Metadata EMPTY = new Metadata(Map.of());

  private static final Set<String> SECRET =
      Set.of("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key");

  private final Map<String, List<String>> values;

  private Metadata(Map<String, List<String>> values) {
    this.values = values;
  }

  /** Returns metadata with one value per name, from {@code pairs} (name, value, name, value...). */
  public static Metadata of(String... pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException(
          "pairs: " + pairs.length + " strings (expected: name, value pairs)");
    }
    Builder b = builder();
    for (int i = 0; i < pairs.length; i += 2) {
      b.add(pairs[i], pairs[i + 1]);
    }
    return b.build();
  }

  /** Starts building metadata. */
  public static Builder builder() {
    return new Builder(new LinkedHashMap<>());
  }

  /** Returns the first value of {@code name}, or null. */
  public String get(String name) {
    List<String> all = values.get(name.toLowerCase(Locale.ROOT));
    return all == null ? null : all.get(0);
  }

  /** Returns every value of {@code name}, in order; empty when there is none. */
  public List<String> all(String name) {
    return values.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** Returns the names, lower case, in the order first added. */
  public Set<String> names() {
    return values.keySet();
  }

  /** Returns whether there is no name at all. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * Returns the token of an {@code Authorization: Bearer <token>} value, or null. The scheme is
   * case-insensitive, as RFC 6750 says.
   */
  public String bearerToken() {
    String auth = get("authorization");
    if (auth != null && auth.length() > 7 && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = auth.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    return null;
  }

  /** Returns these values with {@code other}'s added after them. */
  public Metadata with(Metadata other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Builder b = toBuilder();
    for (String n : other.names()) {
      for (String v : other.all(n)) {
        b.add(n, v);
      }
    }
    return b.build();
  }

  /** Returns a builder holding these values. */
  public Builder toBuilder() {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
    return new Builder(copy);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Metadata m && m.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Shows names and values, except the values of credentials, which show as {@code <redacted>}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    values.forEach(
        (k, v) -> {
          if (sb.length() > 1) {
            sb.append(", ");
          }
          sb.append(k).append('=').append(SECRET.contains(k) ? "<redacted>" : String.join(",", v));
        });
    return sb.append('}').toString();
  }

  /** Builds {@link Metadata}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, List<String>> values;

    private Builder(Map<String, List<String>> values) {
      this.values = values;
    }

    /** Adds a value to {@code name} (case-insensitive). */
    public Builder add(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      values.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
      return this;
    }

    /** Replaces every value of {@code name} with {@code value}. */
    public Builder set(String name, String value) {
      requireNonNull(name, "name");
      requireNonNull(value, "value");
      List<String> one = new ArrayList<>(1);
      one.add(value);
      values.put(name.toLowerCase(Locale.ROOT), one);
      return this;
    }

    /** Returns the metadata. */
    public Metadata build() {
      if (values.isEmpty()) {
        return EMPTY;
      }
      Map<String, List<String>> copy = new LinkedHashMap<>();
      values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new Metadata(Collections.unmodifiableMap(copy));
    }
  }
}
