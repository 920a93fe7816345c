package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.WireFormat;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.testing.Book;
import dev.ipc.core.testing.Edition;
import dev.ipc.core.testing.Genre;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The model-driven codec against protobuf-java's own parser and writer ({@link DynamicMessage} over
 * the schema built from the same model), for every field type: scalars, enums, bytes, Timestamp,
 * Duration, decimals, maps, optional fields, repeated and nested.
 */
class ProtoCodecTest {
  record Inner(String label, double weight) {}

  record Everything(
      String s,
      boolean b,
      int i,
      long l,
      double d,
      Inner inner,
      List<String> strings,
      List<Integer> ints,
      List<Long> longs,
      List<Double> doubles,
      List<Boolean> bools,
      List<Inner> inners) {}

  interface Echo {
    Everything echo(Everything e);
  }

  interface Shelf {
    Edition echo(Edition e);

    Book add(Book b);
  }

  private static final RecordType<Everything> TYPE = RecordType.of(Everything.class);
  private static final ServiceDescriptor<Echo> ECHO =
      ServiceDescriptor.builder(Echo.class, "echo")
          .grpc("test", "Echo")
          .operation(
              Operation.<Echo, Everything, Everything>builder("echo", TYPE, TYPE)
                  .invoker(Echo::echo))
          .build();
  private static final Descriptor DESCRIPTOR =
      ProtoSchema.file(ECHO).findMessageTypeByName("Everything");

  private static final RecordType<Book> BOOK = RecordType.of(Book.class);
  private static final RecordType<Edition> EDITION = RecordType.of(Edition.class);
  private static final ServiceDescriptor<Shelf> SHELF =
      ServiceDescriptor.builder(Shelf.class, "shelf")
          .operation(
              Operation.<Shelf, Edition, Edition>builder("echo", EDITION, EDITION)
                  .invoker(Shelf::echo))
          .operation(
              Operation.<Shelf, Book, Book>builder("add", BOOK, BOOK)
                  .invoker(Shelf::add)
                  .mutation())
          .build();
  private static final Descriptor BOOK_PROTO =
      ProtoSchema.file(SHELF).findMessageTypeByName("Book");
  private static final Descriptor EDITION_PROTO =
      ProtoSchema.file(SHELF).findMessageTypeByName("Edition");

  private static final Everything FULL =
      new Everything(
          "星际穿越 🚀",
          true,
          -5,
          1L << 40,
          3.25,
          new Inner("in", -1.5),
          List.of("a", "", "c"),
          List.of(1, -1, 300),
          List.of(-7L, 1L << 50),
          List.of(0.5, 2.0),
          List.of(true, false),
          List.of(new Inner("x", 1), new Inner("y", 0)));

  static Book fullBook(long id) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("lang", "en");
    props.put("empty", "");
    return new Book(
        id,
        "Dune " + id,
        Genre.SCIENCE,
        List.of("classic", "desert"),
        props,
        Instant.parse("1965-08-01T12:30:45.123456789Z"),
        Optional.of(""),
        new byte[] {0, 1, (byte) 0xff, 42});
  }

  static Book bareBook() {
    return new Book(
        7, "Bare", Genre.NOVEL, List.of(), Map.of(), null, Optional.empty(), new byte[0]);
  }

  static Edition fullEdition() {
    Map<String, Book> translations = new LinkedHashMap<>();
    translations.put("fr", fullBook(2));
    translations.put("de", bareBook());
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("zero", 0);
    counts.put("neg", -3);
    return new Edition(
        true,
        412,
        4.5,
        0.75f,
        0,
        0L,
        false,
        Duration.ofSeconds(-90, 250_000_000),
        new BigDecimal("-12.50"),
        Optional.of(Genre.NOVEL),
        Optional.of(Instant.parse("1969-07-20T20:17:40Z")),
        fullBook(1),
        List.of(fullBook(3), bareBook()),
        translations,
        counts,
        List.of(Genre.POETRY, Genre.NOVEL, Genre.SCIENCE),
        List.of(-1L, 0L, Long.MAX_VALUE));
  }

  static Edition bareEdition() {
    return new Edition(
        false,
        0,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        Optional.empty(),
        Optional.empty(),
        null,
        List.of(),
        Map.of(),
        Map.of(),
        List.of(),
        List.of());
  }

  @Test
  void encode_isReadByProtobuf() throws Exception {
    DynamicMessage m = DynamicMessage.parseFrom(DESCRIPTOR, ProtoCodec.of(TYPE).encode(FULL));
    assertThat(m.getField(DESCRIPTOR.findFieldByName("s"))).isEqualTo("星际穿越 🚀");
    assertThat(m.getField(DESCRIPTOR.findFieldByName("i"))).isEqualTo(-5);
    assertThat(m.getField(DESCRIPTOR.findFieldByName("l"))).isEqualTo(1L << 40);
    assertThat(m.getField(DESCRIPTOR.findFieldByName("d"))).isEqualTo(3.25);
    assertThat(m.getField(DESCRIPTOR.findFieldByName("ints"))).isEqualTo(List.of(1, -1, 300));
    assertThat(m.getRepeatedFieldCount(DESCRIPTOR.findFieldByName("inners"))).isEqualTo(2);
    assertThat(m.getUnknownFields().asMap()).isEmpty();
  }

  @Test
  void decode_readsWhatProtobufWrites() throws Exception {
    byte[] written =
        DynamicMessage.parseFrom(DESCRIPTOR, ProtoCodec.of(TYPE).encode(FULL)).toByteArray();
    assertThat(ProtoCodec.of(TYPE).decode(written)).isEqualTo(FULL);
  }

  @Test
  void defaults_areNotWritten_andAbsentStringsReadAsEmpty() throws Exception {
    Everything empty =
        new Everything(
            null, false, 0, 0, 0, null, List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of());
    assertThat(ProtoCodec.of(TYPE).encode(empty)).isEmpty();
    assertThat(((Everything) ProtoCodec.of(TYPE).decode(new byte[0])).s()).isEmpty();
  }

  @Test
  void decode_acceptsUnpackedRepeatedScalars() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt32(8, 4);
    out.writeInt32(8, 5);
    out.writeFixed64(99, 1); // an unknown field: skipped
    out.flush();
    Everything e = (Everything) ProtoCodec.of(TYPE).decode(bytes.toByteArray());
    assertThat(e.ints()).containsExactly(4, 5);
  }

  @Test
  void listWrapper_roundTrips() throws Exception {
    ProtoCodec list = ProtoCodec.listOf(RecordType.of(Inner.class));
    List<Inner> inners = List.of(new Inner("a", 1), new Inner("b", 2));
    assertThat(list.decode(list.encode(inners))).isEqualTo(inners);
  }

  @Test
  void decode_truncated_isInvalidProtobuf() {
    byte[] bytes = ProtoCodec.of(TYPE).encode(FULL);
    for (int cut : new int[] {1, bytes.length / 2, bytes.length - 1}) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> ProtoCodec.of(TYPE).decode(truncated))
          .as("cut at " + cut)
          .isInstanceOf(InvalidProtocolBufferException.class);
    }
  }

  // ---- Book and Edition: every type of the model ----

  @Test
  void book_roundTrips_withEveryFieldSet_andWithOptionalsAbsent() throws Exception {
    for (Book book : List.of(fullBook(1), bareBook())) {
      byte[] bytes = ProtoCodec.of(BOOK).encode(book);
      assertThat(ProtoCodec.of(BOOK).decode(bytes)).usingRecursiveComparison().isEqualTo(book);
      // protobuf-java reads every byte as a known field, and writes back the very same bytes.
      DynamicMessage m = DynamicMessage.parseFrom(BOOK_PROTO, bytes);
      assertThat(m.getUnknownFields().asMap()).isEmpty();
      assertThat(m.toByteArray()).isEqualTo(bytes);
    }
  }

  @Test
  void edition_roundTrips_withEveryFieldSet_andWithOptionalsAbsent() throws Exception {
    for (Edition edition : List.of(fullEdition(), bareEdition())) {
      byte[] bytes = ProtoCodec.of(EDITION).encode(edition);
      Object decoded = ProtoCodec.of(EDITION).decode(bytes);
      assertThat(decoded).usingRecursiveComparison().isEqualTo(edition);
      DynamicMessage m = DynamicMessage.parseFrom(EDITION_PROTO, bytes);
      assertThat(m.getUnknownFields().asMap()).isEmpty();
      assertThat(m.toByteArray()).isEqualTo(bytes);
    }
  }

  @Test
  void book_fieldsAreWhatProtobufExpects() throws Exception {
    DynamicMessage m =
        DynamicMessage.parseFrom(BOOK_PROTO, ProtoCodec.of(BOOK).encode(fullBook(1)));
    assertThat(field(m, "genre"))
        .isEqualTo(BOOK_PROTO.getFile().findEnumTypeByName("Genre").findValueByName("SCIENCE"));
    assertThat(field(m, "cover"))
        .isEqualTo(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff, 42}));
    Timestamp published = Timestamp.parseFrom(((Message) field(m, "published")).toByteString());
    assertThat(published.getSeconds())
        .isEqualTo(Instant.parse("1965-08-01T12:30:45Z").getEpochSecond());
    assertThat(published.getNanos()).isEqualTo(123_456_789);
    // An optional string set to "" is present on the wire; absent, it is not.
    assertThat(m.hasField(BOOK_PROTO.findFieldByName("isbn"))).isTrue();
    DynamicMessage bare =
        DynamicMessage.parseFrom(BOOK_PROTO, ProtoCodec.of(BOOK).encode(bareBook()));
    assertThat(bare.hasField(BOOK_PROTO.findFieldByName("isbn"))).isFalse();
    assertThat(bare.hasField(BOOK_PROTO.findFieldByName("published"))).isFalse();
  }

  @Test
  void edition_fieldsAreWhatProtobufExpects() throws Exception {
    DynamicMessage m =
        DynamicMessage.parseFrom(EDITION_PROTO, ProtoCodec.of(EDITION).encode(fullEdition()));
    assertThat(field(m, "weight")).isEqualTo(0.75f);
    assertThat(field(m, "price")).isEqualTo("-12.50");
    Message readingTime = (Message) field(m, "readingTime");
    com.google.protobuf.Duration d =
        com.google.protobuf.Duration.parseFrom(readingTime.toByteString());
    // -89.75 s: protobuf gives the nanos the sign of the seconds.
    assertThat(d.getSeconds()).isEqualTo(-89);
    assertThat(d.getNanos()).isEqualTo(-750_000_000);
    @SuppressWarnings("unchecked")
    List<EnumValueDescriptor> genres = (List<EnumValueDescriptor>) field(m, "genres");
    assertThat(genres).extracting(EnumValueDescriptor::getNumber).containsExactly(1, 0, 2);
    assertThat(m.getRepeatedFieldCount(EDITION_PROTO.findFieldByName("translations"))).isEqualTo(2);
    FieldDescriptor counts = EDITION_PROTO.findFieldByName("counts");
    assertThat(counts.isMapField()).isTrue();
    assertThat(m.getRepeatedFieldCount(counts)).isEqualTo(2);
    assertThat(EDITION_PROTO.findFieldByName("ids").isPacked()).isTrue();
  }

  @Test
  void decimal_travelsAsItsPlainDigits() throws Exception {
    Edition thousand =
        new Edition(
            false,
            0,
            0,
            0,
            null,
            null,
            null,
            null,
            new BigDecimal("1E+3"),
            Optional.empty(),
            Optional.empty(),
            null,
            List.of(),
            Map.of(),
            Map.of(),
            List.of(),
            List.of());
    byte[] bytes = ProtoCodec.of(EDITION).encode(thousand);
    assertThat(field(DynamicMessage.parseFrom(EDITION_PROTO, bytes), "price")).isEqualTo("1000");
    // The value survives; a negative scale does not (plain digits have none).
    assertThat(((Edition) ProtoCodec.of(EDITION).decode(bytes)).price())
        .isEqualByComparingTo("1000");
  }

  @Test
  void optionalInteger_absentReadsNull_presentZeroReadsZero() throws Exception {
    FieldDescriptor printing = EDITION_PROTO.findFieldByName("printing");
    assertThat(printing.hasPresence()).isTrue();
    assertThat(printing.getContainingOneof().getName()).isEqualTo("_printing");

    byte[] zero = ProtoCodec.of(EDITION).encode(fullEdition());
    assertThat(DynamicMessage.parseFrom(EDITION_PROTO, zero).hasField(printing)).isTrue();
    Edition decoded = (Edition) ProtoCodec.of(EDITION).decode(zero);
    assertThat(decoded.printing()).isZero();
    assertThat(decoded.copies()).isZero();
    assertThat(decoded.signed()).isFalse();

    byte[] absent = ProtoCodec.of(EDITION).encode(bareEdition());
    assertThat(DynamicMessage.parseFrom(EDITION_PROTO, absent).hasField(printing)).isFalse();
    Edition bare = (Edition) ProtoCodec.of(EDITION).decode(absent);
    assertThat(bare.printing()).isNull();
    assertThat(bare.copies()).isNull();
    assertThat(bare.signed()).isNull();
    assertThat(bare.shelf()).isEmpty();
    assertThat(bare.retired()).isEmpty();
    assertThat(bare.readingTime()).isNull();
    assertThat(bare.price()).isNull();
  }

  @Test
  void absentEnum_readsAsTheConstantNumberedZero() throws Exception {
    // A Book with only its title: genre 0 is not on the wire, as protobuf's own writers do.
    DynamicMessage titled =
        DynamicMessage.newBuilder(BOOK_PROTO)
            .setField(BOOK_PROTO.findFieldByName("title"), "T")
            .build();
    Book book = (Book) ProtoCodec.of(BOOK).decode(titled.toByteArray());
    assertThat(book.genre()).isEqualTo(Genre.NOVEL);
    assertThat(book.cover()).isEmpty();
    assertThat(book.isbn()).isEmpty();
    assertThat(book.published()).isNull();
  }

  @Test
  void mapEntries_withoutValue_readAsTheDefault() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    // counts (15) entry {key: "k"} with no value; then an entry with neither key nor value.
    out.writeTag(15, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(3);
    out.writeString(1, "k");
    out.writeTag(15, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(0);
    out.flush();
    Edition e = (Edition) ProtoCodec.of(EDITION).decode(bytes.toByteArray());
    assertThat(e.counts()).containsExactly(Map.entry("k", 0), Map.entry("", 0));
  }

  @Test
  void unknownEnumNumber_isInvalidArgument() {
    DynamicMessage m =
        DynamicMessage.newBuilder(BOOK_PROTO)
            .setField(BOOK_PROTO.findFieldByName("title"), "T")
            .build();
    byte[] bytes = concat(m.toByteArray(), varintField(3, 7));
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(bytes),
        "genre: 7 (expected: one of NOVEL, POETRY, SCIENCE)");
  }

  @Test
  void wrongWireTypes_areInvalidArgument() {
    // id (1) is a varint: a string there is not a Book.
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(lengthDelimited(1, new byte[] {1, 2})),
        "id: wire type length-delimited (expected: varint)");
    // title (2) is a string: a varint there is wrong.
    assertInvalid(() -> ProtoCodec.of(BOOK).decode(varintField(2, 1)), "title: wire type varint");
    // weight (4) is a fixed32 float.
    assertInvalid(
        () -> ProtoCodec.of(EDITION).decode(varintField(4, 1)),
        "weight: wire type varint (expected: fixed32)");
    // published (6) is a Timestamp message.
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(varintField(6, 1)), "published: wire type varint");
    // props (5) is a map: its entries are messages.
    assertInvalid(() -> ProtoCodec.of(BOOK).decode(varintField(5, 1)), "props: wire type varint");
    // Inside a Timestamp, seconds is a varint.
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(lengthDelimited(6, lengthDelimited(1, new byte[] {1}))),
        "published.seconds: wire type length-delimited");
  }

  @Test
  void malformedValues_areInvalidArgument() {
    // price (9) is a decimal string.
    assertInvalid(
        () ->
            ProtoCodec.of(EDITION)
                .decode(
                    lengthDelimited(9, "ten".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        "price: ten (expected: a decimal number)");
    // A Timestamp past year 9999, and nanos out of range.
    byte[] seconds = varintField(1, ProtoCodec.TIMESTAMP_MAX_SECONDS + 1);
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(lengthDelimited(6, seconds)), "published: seconds");
    byte[] nanos = varintField(2, -1);
    assertInvalid(
        () -> ProtoCodec.of(BOOK).decode(lengthDelimited(6, nanos)),
        "published: seconds 0, nanos -1");
    // A Duration whose seconds and nanos disagree in sign.
    byte[] mixed = concat(varintField(1, 5), varintField(2, -1));
    assertInvalid(
        () -> ProtoCodec.of(EDITION).decode(lengthDelimited(8, mixed)),
        "readingTime: seconds 5, nanos -1");
    // The record's own validation: a blank title.
    assertInvalid(() -> ProtoCodec.of(BOOK).decode(new byte[0]), "Book: title: must not be blank");
  }

  @Test
  void malformedBytes_areInvalidProtobuf() {
    byte[] bytes = ProtoCodec.of(EDITION).encode(fullEdition());
    for (int cut : new int[] {1, bytes.length / 3, bytes.length / 2, bytes.length - 1}) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> ProtoCodec.of(EDITION).decode(truncated))
          .as("cut at " + cut)
          .isInstanceOfAny(InvalidProtocolBufferException.class, ServiceException.class);
    }
    // An invalid UTF-8 string, and an end-group tag (of unknown field 99) that closes no group.
    assertThatThrownBy(() -> ProtoCodec.of(BOOK).decode(new byte[] {0x12, 0x02, (byte) 0xc3, 0x28}))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> ProtoCodec.of(BOOK).decode(new byte[] {(byte) 0x9c, 0x06}))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void timestampOutOfProtobufRange_isInvalidArgumentOnEncode() {
    Book book =
        new Book(
            1,
            "Far",
            Genre.NOVEL,
            List.of(),
            Map.of(),
            Instant.parse("+10000-01-01T00:00:00Z"),
            Optional.empty(),
            null);
    assertInvalid(() -> ProtoCodec.of(BOOK).encode(book), "published: +10000-01-01T00:00:00Z");
  }

  private static Object field(DynamicMessage m, String name) {
    return m.getField(m.getDescriptorForType().findFieldByName(name));
  }

  private static void assertInvalid(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((ServiceException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  private static byte[] varintField(int number, long value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeInt64(number, value);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] lengthDelimited(int number, byte[] value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeByteArray(number, value);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
