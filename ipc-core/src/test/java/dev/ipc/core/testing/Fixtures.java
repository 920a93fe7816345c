package dev.ipc.core.testing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Values that exercise every type the model maps, shared by the contract suite and every codec's
 * own tests (REST's JSON, ipc-redis's), so each proves the same cases.
 */
public final class Fixtures {
  private Fixtures() {}

  /** A book with every field set: escapes, an ordered map, nanoseconds, bytes of every sign. */
  public static final Book DUNE =
      new Book(
          1,
          "Dune \u2713 \"quoted\"",
          Genre.NOVEL,
          List.of("sand", "spice"),
          ordered("author", "Herbert", "\u00fcber", "x"),
          Instant.parse("2026-12-05T10:15:30.123456789Z"),
          Optional.of("978-0441013593"),
          new byte[] {0, 1, -1, 127, -128});

  /** A book with as little as it can have. */
  public static final Book BARE =
      new Book(2, "Leaves", Genre.POETRY, List.of(), Map.of(), null, Optional.empty(), new byte[0]);

  /** An edition with every field set, extremes included. */
  public static Edition fullEdition() {
    return new Edition(
        true,
        412,
        0.1,
        1.5f,
        0,
        Long.MAX_VALUE,
        false,
        Duration.ofSeconds(3723, 5_000),
        new BigDecimal("12345678901234567890.125"),
        Optional.of(Genre.POETRY),
        Optional.of(Instant.parse("1970-01-01T00:00:00Z")),
        DUNE,
        List.of(BARE, DUNE),
        ordered("fr", BARE, "de", DUNE),
        ordered("sold", 7, "zero", 0),
        List.of(Genre.SCIENCE, Genre.NOVEL),
        List.of(Long.MIN_VALUE, 0L, 42L));
  }

  /** An edition with its boxed fields absent (not zero), empty collections and a negative zero. */
  public static Edition sparseEdition() {
    return new Edition(
        false,
        0,
        -2.25,
        -0.0f,
        null,
        null,
        null,
        Duration.ZERO,
        new BigDecimal("0.00"),
        Optional.empty(),
        Optional.empty(),
        BARE,
        List.of(),
        Map.of(),
        Map.of(),
        List.of(),
        List.of());
  }

  /** Returns a two-entry map that keeps its order. */
  public static <V> Map<String, V> ordered(String k1, V v1, String k2, V v2) {
    Map<String, V> map = new LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }
}
