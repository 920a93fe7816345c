package dev.ipc.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Edition;
import dev.ipc.core.testing.Fixtures;
import dev.ipc.core.testing.Genre;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bus's JSON codec round-trips the contract suite's fixtures, which use every field type. */
class RecordJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Book DUNE = Fixtures.DUNE;
  private static final Book BARE = Fixtures.BARE;

  /** Encodes, writes as text (as the bus sends it), reads and decodes. */
  private static Object roundTrip(RecordType<?> type, Object value) throws Exception {
    String text = JSON.writeValueAsString(RecordJson.encodeValue(type, value));
    JsonNode read = JSON.readTree(text);
    return RecordJson.decodeValue(type, read);
  }

  /**
   * Compares field by field, with floats and doubles exactly (AssertJ's default has a tolerance).
   */
  private static void assertExact(Object actual, Object expected) {
    assertThat(actual)
        .usingRecursiveComparison()
        .withEqualsForType(Objects::equals, Double.class)
        .withEqualsForType(Objects::equals, Float.class)
        .withEqualsForType(BigDecimal::equals, BigDecimal.class)
        .isEqualTo(expected);
  }

  @Test
  void books_roundTrip_withBytesMapsInstantsAndOptionals() throws Exception {
    RecordType<Book> type = RecordType.of(Book.class);
    for (Book book : List.of(DUNE, BARE)) {
      Object back = roundTrip(type, book);
      assertThat(back).isInstanceOf(Book.class);
      assertExact(back, book);
    }
    Book back = (Book) roundTrip(type, DUNE);
    assertThat(back.props().keySet()).as("map order kept").containsExactly("author", "\u00fcber");
    assertThat(back.published().getNano()).isEqualTo(123456789);
  }

  @Test
  void editions_roundTrip_everyFieldType_fullAndSparse() throws Exception {
    RecordType<Edition> type = RecordType.of(Edition.class);
    Edition full = Fixtures.fullEdition();
    Edition sparse = Fixtures.sparseEdition();
    for (Edition e : List.of(full, sparse)) {
      assertExact(roundTrip(type, e), e);
    }
    Edition back = (Edition) roundTrip(type, sparse);
    // Absent is not zero, and a decimal keeps its scale.
    assertThat(back.printing()).isNull();
    assertThat(back.copies()).isNull();
    assertThat(back.signed()).isNull();
    assertThat(back.price().scale()).isEqualTo(2);
    assertThat(Float.floatToRawIntBits(back.weight())).isEqualTo(Float.floatToRawIntBits(-0.0f));
  }

  @Test
  void nonFiniteFloatsAndListsOfRecords_roundTrip() throws Exception {
    RecordType<Edition> type = RecordType.of(Edition.class);
    Edition odd =
        new Edition(
            true,
            1,
            Double.NaN,
            Float.NEGATIVE_INFINITY,
            3,
            4L,
            true,
            Duration.ofMillis(-1500),
            new BigDecimal("1E+3"),
            Optional.of(Genre.SCIENCE),
            Optional.empty(),
            DUNE,
            List.of(),
            Map.of(),
            Map.of(),
            List.of(),
            List.of());
    Edition back = (Edition) roundTrip(type, odd);
    assertThat(back.rating()).isNaN();
    assertThat(back.weight()).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(back.price()).isEqualTo(new BigDecimal("1E+3"));
    assertExact(back, odd);

    // An operation that answers a list publishes the list.
    assertThat(roundTrip(RecordType.of(Book.class), List.of(BARE, DUNE)))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .usingRecursiveFieldByFieldElementComparator()
        .containsExactly(BARE, DUNE);
  }
}
