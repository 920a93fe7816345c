package dev.ipc.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Edition;
import dev.ipc.core.testing.Genre;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type's JSON form and round trip; and {@link JsonCodec#readObject}, which streams flat
 * request bodies instead of building a tree, must give the same values, and the same errors, as the
 * tree.
 */
class JsonCodecTest {
  record Inner(String x) {}

  record Sample(
      String s,
      boolean b,
      int i,
      long l,
      double d,
      List<String> tags,
      Inner inner,
      float fl,
      Genre g,
      Optional<Instant> at,
      Duration dur,
      BigDecimal dec,
      Map<String, Integer> counts) {}

  private static final RecordType<Sample> TYPE = RecordType.of(Sample.class);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"s\":\"text\",\"b\":true,\"i\":7,\"l\":9007199254740993,\"d\":1.5}",
        "{\"s\": \"spaces \\u00e9\" , \"unknown\": 1, \"b\": false}",
        "{\"i\":\"42\",\"l\":\"-5\"}",
        "{\"d\":3,\"i\":-0}",
        "{}",
        "  {\"s\":null}  ",
        "{\"i\":2147483648}",
        "{\"l\":123456789012345678901234567890}",
        "{\"i\":1.5}",
        "{\"s\":5}",
        "{\"b\":\"true\"}",
        "{\"i\":\"x\"}",
        "{\"s\":\"a\",\"s\":\"b\"}",
        "{\"s\":\"a\"} trailing",
        "{\"s\":\"a\"}{}",
        "{\"s\":\"a\"",
        "{\"s\" \"a\"}",
        "[1,2]",
        "\"just a string\"",
        "42",
        "null",
        "{\"tags\":[\"a\",\"b\"],\"inner\":{\"x\":\"y\"}}",
        "{\"tags\":\"a\"}",
        "{\"inner\":[]}",
        "{\"unknown\":{\"deep\":[1,{}]},\"s\":\"kept\"}",
        "{\"i\":1,\"s\":2}",
        "{\"fl\":1.5,\"g\":\"NOVEL\",\"at\":\"2026-12-05T10:15:30Z\",\"dur\":\"PT1S\",\"dec\":\"1.50\"}",
        "{\"fl\":\"NaN\",\"g\":2,\"at\":null,\"dur\":\"2.5s\",\"dec\":7}",
        "{\"fl\":1e39}",
        "{\"g\":\"HORROR\"}",
        "{\"at\":\"yesterday\"}",
        "{\"dec\":true}",
        "{\"counts\":{\"a\":1,\"b\":2}}",
        "{\"counts\":{\"a\":null}}",
      })
  void readObject_sameValuesAndErrorsAsTheTree(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(
            outcome(
                () -> {
                  Map<String, Object> v = new LinkedHashMap<>();
                  JsonCodec.readObject(TYPE, bytes, v, "request body");
                  return v;
                }))
        .isEqualTo(
            outcome(
                () -> {
                  Map<String, Object> v = new LinkedHashMap<>();
                  JsonCodec.readFields(
                      TYPE, JsonCodec.parse(bytes, "request body"), v, "request body");
                  return v;
                }));
  }

  /** The values read, in field order, or the error's code and message. */
  private static String outcome(java.util.function.Supplier<Map<String, Object>> read) {
    try {
      Map<String, Object> values = read.get();
      StringBuilder sb = new StringBuilder("values:");
      for (var f : TYPE.fields()) {
        if (values.containsKey(f.name())) {
          Object v = values.get(f.name());
          sb.append(' ')
              .append(f.name())
              .append('=')
              .append(v)
              .append(v == null ? "" : " (" + v.getClass().getSimpleName() + ")");
        }
      }
      return sb.toString();
    } catch (ServiceException e) {
      return "error: " + e.code() + " " + e.getMessage();
    }
  }

  private static final Instant PUBLISHED = Instant.parse("1965-08-01T00:00:00Z");
  private static final Book DUNE =
      new Book(
          1,
          "Dune",
          Genre.NOVEL,
          List.of("classic", "sf"),
          Map.of("lang", "en"),
          PUBLISHED,
          Optional.of("978-0441013593"),
          new byte[] {0, 1, -1, 127, -128});
  private static final Book BARE =
      new Book(2, "Leaves", Genre.POETRY, List.of(), Map.of(), null, Optional.empty(), null);

  @Test
  void encode_book_writesEachTypeAsARestUserExpects() {
    RecordType<Book> type = RecordType.of(Book.class);
    assertThat(new String(JsonCodec.encode(type, DUNE), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"id\":1,\"title\":\"Dune\",\"genre\":\"NOVEL\",\"tags\":[\"classic\",\"sf\"],"
                + "\"props\":{\"lang\":\"en\"},\"published\":\"1965-08-01T00:00:00Z\","
                + "\"isbn\":\"978-0441013593\",\"cover\":\"AAH/f4A=\"}");
    // No value is null, as a null string always was: every field is present in every answer.
    assertThat(new String(JsonCodec.encode(type, BARE), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"id\":2,\"title\":\"Leaves\",\"genre\":\"POETRY\",\"tags\":[],\"props\":{},"
                + "\"published\":null,\"isbn\":null,\"cover\":null}");
  }

  @Test
  void edition_everyTypeRoundTrips() {
    RecordType<Edition> type = RecordType.of(Edition.class);
    Map<String, Book> translations = new LinkedHashMap<>();
    translations.put("fr", BARE);
    translations.put("de", DUNE);
    Edition full =
        new Edition(
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
            Optional.of(Instant.parse("1970-01-01T00:00:00.000000001Z")),
            DUNE,
            List.of(BARE, DUNE),
            translations,
            Map.of("sold", 7),
            List.of(Genre.SCIENCE, Genre.NOVEL),
            List.of(Long.MIN_VALUE, 0L, 42L));
    Edition sparse =
        new Edition(
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
            null,
            List.of(),
            Map.of(),
            Map.of(),
            List.of(),
            List.of());
    for (Edition e : List.of(full, sparse)) {
      byte[] json = JsonCodec.encode(type, e);
      Object back = JsonCodec.readRecord(type, JsonCodec.parse(json, "test"), "test");
      assertThat(back).usingRecursiveComparison().isEqualTo(e);
      assertThat(JsonCodec.encode(type, back)).isEqualTo(json);
    }
    assertThat(new String(JsonCodec.encode(type, full), StandardCharsets.UTF_8))
        .contains(
            "\"weight\":1.5,",
            "\"readingTime\":\"PT1H2M3.000005S\"",
            "\"price\":\"12345678901234567890.125\"",
            "\"shelf\":\"POETRY\"",
            "\"retired\":\"1970-01-01T00:00:00.000000001Z\"",
            "\"counts\":{\"sold\":7}",
            "\"translations\":{\"fr\":{\"id\":2,");
    // A decimal keeps its scale and never turns into an exponent.
    assertThat(new String(JsonCodec.encode(type, sparse), StandardCharsets.UTF_8))
        .contains("\"price\":\"0.00\"", "\"weight\":-0.0,", "\"shelf\":null", "\"book\":null");
  }

  @SuppressWarnings("ArrayRecordComponent") // byte[] is one of the types under test
  record Scalars(
      String s,
      boolean b,
      int i,
      long l,
      float f,
      double d,
      byte[] raw,
      Genre g,
      Instant at,
      Duration dur,
      BigDecimal dec) {}

  @Test
  void textForms_roundTripThroughParseText() {
    RecordType<Scalars> type = RecordType.of(Scalars.class);
    List<Scalars> samples =
        List.of(
            new Scalars(
                "a b&c",
                true,
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                Float.MIN_VALUE,
                -1e300,
                new byte[] {-5, -1, -65},
                Genre.SCIENCE,
                Instant.parse("2026-12-05T10:15:30.5Z"),
                Duration.ofMillis(-1500),
                new BigDecimal("-0.000000000000000000001")),
            new Scalars(
                "",
                false,
                0,
                0,
                Float.NaN,
                Double.NEGATIVE_INFINITY,
                new byte[0],
                Genre.NOVEL,
                Instant.EPOCH,
                Duration.ZERO,
                BigDecimal.ZERO));
    for (Scalars sample : samples) {
      for (Field f : type.fields()) {
        Object v = f.get(sample);
        String text = JsonCodec.text(f, v);
        Object back = JsonCodec.parseText(f, text, f.name());
        if (v instanceof byte[] bytes) {
          assertThat((byte[]) back).as(f.name() + " from " + text).containsExactly(bytes);
        } else {
          // equals(), not ==: NaN equals NaN as a Float or Double
          assertThat(back).as(f.name() + " from " + text).isEqualTo(v);
        }
      }
    }
    Field raw = type.field("raw");
    assertThat(JsonCodec.text(raw, new byte[] {-5, -1, -65})).isEqualTo("+/+/");
    // Plain digits: a negative scale becomes zeros, the same number (compareTo) if not equals().
    assertThat(JsonCodec.text(type.field("dec"), new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(JsonCodec.text(type.field("dec"), new BigDecimal("-0.000000000000000000001")))
        .isEqualTo("-0.000000000000000000001");
    assertThat(JsonCodec.text(type.field("dur"), Duration.ofMillis(-1500))).isEqualTo("PT-1.5S");
    // The URL-safe alphabet, and no padding, are read too.
    assertThat((byte[]) JsonCodec.parseText(raw, "-_-_", "raw")).containsExactly(-5, -1, -65);
    assertThat((byte[]) JsonCodec.parseText(raw, "AAH/f4A", "raw"))
        .containsExactly(0, 1, -1, 127, -128);
  }

  @Test
  void parseText_wrongText_isInvalidArgumentNamingTheField() {
    RecordType<Scalars> type = RecordType.of(Scalars.class);
    Map<String, String> wrong =
        Map.of(
            "b",
            "yes",
            "i",
            "2147483648",
            "l",
            "1.0",
            "f",
            "3.5e38",
            "d",
            "1d",
            "raw",
            "!!",
            "g",
            "NOVELS",
            "at",
            "2026-12-05",
            "dur",
            "1 hour",
            "dec",
            "1,5");
    for (Map.Entry<String, String> e : wrong.entrySet()) {
      assertThatThrownBy(
              () -> JsonCodec.parseText(type.field(e.getKey()), e.getValue(), "p." + e.getKey()))
          .as(e.getKey())
          .isInstanceOfSatisfying(
              ServiceException.class,
              x -> {
                assertThat(x.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(x.getMessage())
                    .startsWith("p." + e.getKey() + ": ")
                    .contains("expected: ");
              });
    }
  }
}
