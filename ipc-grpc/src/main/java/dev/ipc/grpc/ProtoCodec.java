package dev.ipc.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.InvalidValueException;
import dev.ipc.core.model.RecordType;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes and decodes one message in the protobuf binary format, straight from a {@link
 * RecordType}, as {@link ProtoSchema} declares it. Immutable and thread-safe. The proto3 rules it
 * follows:
 *
 * <ul>
 *   <li>A field without presence is not written when it holds its default (0, false, "", no bytes,
 *       the enum constant numbered 0); when absent it reads as that default (an absent {@code
 *       String} is {@code ""} and absent {@code byte[]} an empty array, as every other language's
 *       stubs see them). An {@code optional} field (a boxed primitive or an {@code Optional}) is
 *       written whenever it has a value, even the default, and reads as null when absent. A nested
 *       record, {@code Instant}, {@code Duration} and {@code BigDecimal} are written whenever
 *       non-null.
 *   <li>{@code float} is {@code fixed32}; {@code byte[]} is {@code bytes}; an enum is its
 *       constant's ordinal; {@code Instant} and {@code Duration} are {@code
 *       google.protobuf.Timestamp} and {@code Duration} (within their documented ranges); {@code
 *       BigDecimal} is a {@code string} of {@link BigDecimal#toPlainString()} digits ({@code
 *       "12.50"}; an empty string reads as null); {@code Map<String, T>} is {@code map<string, T>}.
 *   <li>Repeated numbers, bools and enums are written packed and read packed or not.
 *   <li>Unknown fields are skipped. A known field with the wrong wire type, an enum number the Java
 *       enum has no constant for (Java enums are closed, so proto3's open enums cannot be kept), an
 *       out-of-range timestamp or duration, or a malformed decimal throws {@link ServiceException}
 *       INVALID_ARGUMENT naming the field; malformed bytes throw {@link
 *       InvalidProtocolBufferException}.
 * </ul>
 *
 * <p>A list answer is the wrapper message whose field 1 repeats the record.
 */
abstract class ProtoCodec {
  private static final Map<RecordType<?>, RecordCodec> RECORDS = new ConcurrentHashMap<>();

  /**
   * The range of {@code google.protobuf.Timestamp}: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
   */
  static final long TIMESTAMP_MIN_SECONDS = -62_135_596_800L;

  static final long TIMESTAMP_MAX_SECONDS = 253_402_300_799L;

  /** The range of {@code google.protobuf.Duration}: about ±10,000 years. */
  static final long DURATION_MAX_SECONDS = 315_576_000_000L;

  private static final int NANOS_PER_SECOND = 1_000_000_000;

  /**
   * Returns the tag of field {@code number} with {@code wireType} (protobuf keeps its own private).
   */
  static int tag(int number, int wireType) {
    return (number << 3) | wireType;
  }

  /** Returns the codec of one {@code type} message. */
  static ProtoCodec of(RecordType<?> type) {
    return record(type);
  }

  /**
   * Returns the codec of a wrapper message whose field 1 repeats {@code element}; values are Lists.
   */
  static ProtoCodec listOf(RecordType<?> element) {
    return new ListCodec(record(element));
  }

  private static RecordCodec record(RecordType<?> type) {
    RecordCodec codec = RECORDS.get(type);
    if (codec == null) {
      codec = new RecordCodec(type);
      RECORDS.putIfAbsent(type, codec);
    }
    return codec;
  }

  /** Returns the encoded size of {@code value} in bytes. */
  abstract int size(Object value);

  /** Writes {@code value}, exactly {@link #size} bytes. */
  abstract void write(Object value, CodedOutputStream out) throws IOException;

  /**
   * Reads a value until the input (or its current limit) ends.
   *
   * @throws InvalidProtocolBufferException if the bytes are not a valid message
   * @throws ServiceException with INVALID_ARGUMENT if a value does not fit its field
   */
  abstract Object read(CodedInputStream in) throws IOException;

  /**
   * Returns {@code value} encoded.
   *
   * @throws ServiceException with INVALID_ARGUMENT if a value has no protobuf form (a timestamp or
   *     duration out of protobuf's range)
   */
  final byte[] encode(Object value) {
    byte[] bytes = new byte[size(value)];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      write(value, out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("encoding into an exact array failed", e);
    }
    return bytes;
  }

  /** Returns the value {@code bytes} encode; see {@link #read} for the errors. */
  final Object decode(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    Object value;
    try {
      value = read(in);
    } catch (InvalidValueException e) {
      // The model's refusal (an enum number, a record's own check): INVALID_ARGUMENT, as
      // documented.
      throw ServiceException.from(e);
    }
    if (!in.isAtEnd()) {
      throw new InvalidProtocolBufferException("trailing bytes after the message");
    }
    return value;
  }

  /** Returns the wire type of one value of {@code type} (an element, when repeated). */
  static int wireType(FieldType type) {
    return switch (type) {
      case STRING, BYTES, MESSAGE, TIMESTAMP, DURATION, DECIMAL ->
          WireFormat.WIRETYPE_LENGTH_DELIMITED;
      case BOOL, INT32, INT64, ENUM -> WireFormat.WIRETYPE_VARINT;
      case FLOAT -> WireFormat.WIRETYPE_FIXED32;
      case DOUBLE -> WireFormat.WIRETYPE_FIXED64;
    };
  }

  /** Returns whether a repeated field of {@code type} is packed (proto3's default for scalars). */
  static boolean packable(FieldType type) {
    return wireType(type) != WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  private static String wireName(int wireType) {
    return switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> "varint";
      case WireFormat.WIRETYPE_FIXED64 -> "fixed64";
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> "length-delimited";
      case WireFormat.WIRETYPE_START_GROUP -> "start-group";
      case WireFormat.WIRETYPE_END_GROUP -> "end-group";
      case WireFormat.WIRETYPE_FIXED32 -> "fixed32";
      default -> "unknown (" + wireType + ")";
    };
  }

  static ServiceException wrongWireType(String field, int actual, int expected) {
    return ServiceException.invalidArgument(
        field + ": wire type " + wireName(actual) + " (expected: " + wireName(expected) + ")");
  }

  /** Seconds and nanoseconds as {@code google.protobuf.Timestamp}/{@code Duration} hold them. */
  private record Seconds(long seconds, int nanos) {
    int size() {
      return (seconds != 0 ? 1 + CodedOutputStream.computeInt64SizeNoTag(seconds) : 0)
          + (nanos != 0 ? 1 + CodedOutputStream.computeInt32SizeNoTag(nanos) : 0);
    }

    void write(CodedOutputStream out) throws IOException {
      if (seconds != 0) {
        out.writeInt64(1, seconds);
      }
      if (nanos != 0) {
        out.writeInt32(2, nanos);
      }
    }

    static Seconds read(String field, CodedInputStream in) throws IOException {
      long seconds = 0;
      int nanos = 0;
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          return new Seconds(seconds, nanos);
        }
        int number = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        if ((number == 1 || number == 2) && wire != WireFormat.WIRETYPE_VARINT) {
          throw wrongWireType(
              field + (number == 1 ? ".seconds" : ".nanos"), wire, WireFormat.WIRETYPE_VARINT);
        }
        if (number == 1) {
          seconds = in.readInt64();
        } else if (number == 2) {
          nanos = in.readInt32();
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("unexpected end-group tag");
        }
      }
    }

    static Seconds of(String field, Instant t) {
      if (t.getEpochSecond() < TIMESTAMP_MIN_SECONDS
          || t.getEpochSecond() > TIMESTAMP_MAX_SECONDS) {
        throw ServiceException.invalidArgument(
            field + ": " + t + " (expected: from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)");
      }
      return new Seconds(t.getEpochSecond(), t.getNano());
    }

    static Seconds of(String field, Duration d) {
      long seconds = d.getSeconds();
      int nanos = d.getNano();
      // Java keeps nanos positive (-1.5s is -2s + 0.5s); protobuf gives them the sign of the
      // seconds.
      if (seconds < 0 && nanos > 0) {
        seconds += 1;
        nanos -= NANOS_PER_SECOND;
      }
      if (Math.abs(seconds) > DURATION_MAX_SECONDS) {
        throw ServiceException.invalidArgument(
            field + ": " + d + " (expected: within ±" + DURATION_MAX_SECONDS + " seconds)");
      }
      return new Seconds(seconds, nanos);
    }

    Instant toInstant(String field) {
      if (seconds < TIMESTAMP_MIN_SECONDS
          || seconds > TIMESTAMP_MAX_SECONDS
          || nanos < 0
          || nanos >= NANOS_PER_SECOND) {
        throw ServiceException.invalidArgument(
            field
                + ": seconds "
                + seconds
                + ", nanos "
                + nanos
                + " (expected: a Timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z)");
      }
      return Instant.ofEpochSecond(seconds, nanos);
    }

    Duration toDuration(String field) {
      if (Math.abs(seconds) > DURATION_MAX_SECONDS
          || Math.abs(nanos) >= NANOS_PER_SECOND
          || (seconds < 0 && nanos > 0)
          || (seconds > 0 && nanos < 0)) {
        throw ServiceException.invalidArgument(
            field
                + ": seconds "
                + seconds
                + ", nanos "
                + nanos
                + " (expected: a Duration within ±"
                + DURATION_MAX_SECONDS
                + " seconds, nanos of the same sign)");
      }
      try {
        return Duration.ofSeconds(seconds, nanos);
      } catch (ArithmeticException | DateTimeException e) {
        throw ServiceException.invalidArgument(
            field + ": seconds " + seconds + " (expected: a Duration)");
      }
    }
  }

  /** One record type: fields by number. */
  private static final class RecordCodec extends ProtoCodec {
    private static final byte[] NO_BYTES = new byte[0];

    private final RecordType<?> type;
    private final Field[] fields;
    private final Field[] byNumber;
    private final RecordCodec[] nested;
    private final int[] tags;

    RecordCodec(RecordType<?> type) {
      this.type = type;
      List<Field> list = type.fields();
      this.fields = list.toArray(new Field[0]);
      int max = 0;
      for (Field f : fields) {
        max = Math.max(max, f.number());
      }
      this.byNumber = new Field[max + 1];
      this.nested = new RecordCodec[fields.length];
      this.tags = new int[fields.length];
      for (Field f : fields) {
        byNumber[f.number()] = f;
        if (f.type() == FieldType.MESSAGE) {
          nested[f.index()] = record(f.messageType());
        }
        boolean lengthDelimited = f.map() || (f.repeated() && packable(f.type()));
        tags[f.index()] =
            tag(
                f.number(),
                lengthDelimited ? WireFormat.WIRETYPE_LENGTH_DELIMITED : wireType(f.type()));
      }
    }

    // ---- encoding ----

    @Override
    int size(Object value) {
      int size = 0;
      for (Field f : fields) {
        Object v = f.get(value);
        if (v == null) {
          continue;
        }
        int tagSize = CodedOutputStream.computeUInt32SizeNoTag(tags[f.index()]);
        if (f.repeated()) {
          List<?> list = (List<?>) v;
          if (list.isEmpty()) {
            continue;
          }
          if (packable(f.type())) {
            int data = packedDataSize(f, list);
            size += tagSize + CodedOutputStream.computeUInt32SizeNoTag(data) + data;
          } else {
            for (Object e : list) {
              size += tagSize + valueSize(f, e);
            }
          }
        } else if (f.map()) {
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            int entry = entrySize(f, (String) e.getKey(), e.getValue());
            size += tagSize + CodedOutputStream.computeUInt32SizeNoTag(entry) + entry;
          }
        } else if (f.optional() || !isDefault(f, v)) {
          size += tagSize + valueSize(f, v);
        }
      }
      return size;
    }

    @Override
    void write(Object value, CodedOutputStream out) throws IOException {
      for (Field f : fields) {
        Object v = f.get(value);
        if (v == null) {
          continue;
        }
        int tag = tags[f.index()];
        if (f.repeated()) {
          List<?> list = (List<?>) v;
          if (list.isEmpty()) {
            continue;
          }
          if (packable(f.type())) {
            out.writeUInt32NoTag(tag);
            out.writeUInt32NoTag(packedDataSize(f, list));
            for (Object e : list) {
              writeValue(f, e, out);
            }
          } else {
            for (Object e : list) {
              out.writeUInt32NoTag(tag);
              writeValue(f, e, out);
            }
          }
        } else if (f.map()) {
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            String key = (String) e.getKey();
            out.writeUInt32NoTag(tag);
            out.writeUInt32NoTag(entrySize(f, key, e.getValue()));
            // Like protobuf's own map entries: key and value always written, defaults included.
            out.writeString(1, key);
            out.writeUInt32NoTag(tag(2, wireType(f.type())));
            writeValue(f, e.getValue(), out);
          }
        } else if (f.optional() || !isDefault(f, v)) {
          out.writeUInt32NoTag(tag);
          writeValue(f, v, out);
        }
      }
    }

    private int entrySize(Field f, String key, Object value) {
      return CodedOutputStream.computeStringSize(1, key) + 1 + valueSize(f, value);
    }

    /** Returns the size of one value without its tag; a length prefix included. */
    private int valueSize(Field f, Object v) {
      return switch (f.type()) {
        case STRING -> CodedOutputStream.computeStringSizeNoTag((String) v);
        case BYTES -> CodedOutputStream.computeByteArraySizeNoTag((byte[]) v);
        case BOOL -> 1;
        case INT32 -> CodedOutputStream.computeInt32SizeNoTag((Integer) v);
        case INT64 -> CodedOutputStream.computeInt64SizeNoTag((Long) v);
        case FLOAT -> 4;
        case DOUBLE -> 8;
        case ENUM -> CodedOutputStream.computeEnumSizeNoTag(f.enumType().number(v));
        case DECIMAL -> CodedOutputStream.computeStringSizeNoTag(((BigDecimal) v).toPlainString());
        case TIMESTAMP -> lengthPrefixed(Seconds.of(f.name(), (Instant) v).size());
        case DURATION -> lengthPrefixed(Seconds.of(f.name(), (Duration) v).size());
        case MESSAGE -> lengthPrefixed(nested[f.index()].size(v));
      };
    }

    private static int lengthPrefixed(int inner) {
      return CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
    }

    /** Writes one value without its tag; a length prefix included. */
    private void writeValue(Field f, Object v, CodedOutputStream out) throws IOException {
      switch (f.type()) {
        case STRING -> out.writeStringNoTag((String) v);
        case BYTES -> out.writeByteArrayNoTag((byte[]) v);
        case BOOL -> out.writeBoolNoTag((Boolean) v);
        case INT32 -> out.writeInt32NoTag((Integer) v);
        case INT64 -> out.writeInt64NoTag((Long) v);
        case FLOAT -> out.writeFloatNoTag((Float) v);
        case DOUBLE -> out.writeDoubleNoTag((Double) v);
        case ENUM -> out.writeEnumNoTag(f.enumType().number(v));
        case DECIMAL -> out.writeStringNoTag(((BigDecimal) v).toPlainString());
        case TIMESTAMP -> {
          Seconds s = Seconds.of(f.name(), (Instant) v);
          out.writeUInt32NoTag(s.size());
          s.write(out);
        }
        case DURATION -> {
          Seconds s = Seconds.of(f.name(), (Duration) v);
          out.writeUInt32NoTag(s.size());
          s.write(out);
        }
        case MESSAGE -> {
          RecordCodec codec = nested[f.index()];
          out.writeUInt32NoTag(codec.size(v));
          codec.write(v, out);
        }
      }
    }

    private static int packedDataSize(Field f, List<?> list) {
      return switch (f.type()) {
        case BOOL -> list.size();
        case FLOAT -> 4 * list.size();
        case DOUBLE -> 8 * list.size();
        case INT32 -> {
          int data = 0;
          for (Object e : list) {
            data += CodedOutputStream.computeInt32SizeNoTag((Integer) e);
          }
          yield data;
        }
        case INT64 -> {
          int data = 0;
          for (Object e : list) {
            data += CodedOutputStream.computeInt64SizeNoTag((Long) e);
          }
          yield data;
        }
        case ENUM -> {
          int data = 0;
          for (Object e : list) {
            data += CodedOutputStream.computeEnumSizeNoTag(f.enumType().number(e));
          }
          yield data;
        }
        case STRING, BYTES, MESSAGE, TIMESTAMP, DURATION, DECIMAL ->
            throw new IllegalStateException("not packable: " + f);
      };
    }

    /** Returns whether a field without presence holds its type's default (so is not written). */
    private static boolean isDefault(Field f, Object v) {
      return switch (f.type()) {
        case STRING -> ((String) v).isEmpty();
        case BYTES -> ((byte[]) v).length == 0;
        case BOOL -> !(Boolean) v;
        case INT32 -> (Integer) v == 0;
        case INT64 -> (Long) v == 0L;
        // Raw bits, so -0.0 is written, as protobuf does.
        case FLOAT -> Float.floatToRawIntBits((Float) v) == 0;
        case DOUBLE -> Double.doubleToRawLongBits((Double) v) == 0L;
        case ENUM -> f.enumType().number(v) == 0;
        // Messages have presence; a decimal's "" would not be a number.
        case DECIMAL, TIMESTAMP, DURATION, MESSAGE -> false;
      };
    }

    // ---- decoding ----

    @Override
    Object read(CodedInputStream in) throws IOException {
      Object[] values = new Object[fields.length];
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int number = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        Field f = number < byNumber.length ? byNumber[number] : null;
        if (f == null) {
          if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("unexpected end-group tag");
          }
          continue;
        }
        int i = f.index();
        int expected = wireType(f.type());
        if (f.repeated()) {
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) values[i];
          if (list == null) {
            list = new ArrayList<>();
            values[i] = list;
          }
          if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED && packable(f.type())) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
              list.add(readValue(f, f.name(), in));
            }
            in.popLimit(limit);
          } else if (wire == expected) {
            list.add(readValue(f, f.name(), in));
          } else {
            throw wrongWireType(f.name(), wire, expected);
          }
        } else if (f.map()) {
          if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw wrongWireType(f.name(), wire, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          }
          @SuppressWarnings("unchecked")
          Map<String, Object> map = (Map<String, Object>) values[i];
          if (map == null) {
            map = new LinkedHashMap<>();
            values[i] = map;
          }
          readEntry(f, map, in);
        } else if (wire == expected) {
          values[i] = readValue(f, f.name(), in);
        } else {
          throw wrongWireType(f.name(), wire, expected);
        }
      }
      for (Field f : fields) {
        if (values[f.index()] == null && !f.optional() && !f.repeated() && !f.map()) {
          values[f.index()] = absent(f);
        }
      }
      return type.create(values);
    }

    /**
     * Returns what an absent field without presence reads as: proto3's default where Java has one
     * that other languages' stubs agree with; null (the record's default) otherwise.
     */
    private static Object absent(Field f) {
      return switch (f.type()) {
        case STRING -> "";
        case BYTES -> NO_BYTES.clone();
        case ENUM -> f.enumType().values().isEmpty() ? null : f.enumType().constant(f.name(), 0);
        case BOOL, INT32, INT64, FLOAT, DOUBLE, DECIMAL, TIMESTAMP, DURATION, MESSAGE -> null;
      };
    }

    private void readEntry(Field f, Map<String, Object> map, CodedInputStream in)
        throws IOException {
      int limit = in.pushLimit(in.readRawVarint32());
      String key = "";
      Object value = null;
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int number = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        if (number == 1) {
          if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw wrongWireType(f.name() + ".key", wire, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          }
          key = in.readStringRequireUtf8();
        } else if (number == 2) {
          if (wire != wireType(f.type())) {
            throw wrongWireType(f.name() + ".value", wire, wireType(f.type()));
          }
          value = readValue(f, f.name() + "." + key, in);
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("unexpected end-group tag");
        }
      }
      in.popLimit(limit);
      String where = f.name() + "." + key;
      // An entry may leave out a default value, as any proto3 message may.
      map.put(key, value != null ? value : entryDefault(f, where));
    }

    private Object entryDefault(Field f, String where) throws IOException {
      return switch (f.type()) {
        case STRING -> "";
        case BYTES -> NO_BYTES.clone();
        case BOOL -> false;
        case INT32 -> 0;
        case INT64 -> 0L;
        case FLOAT -> 0.0f;
        case DOUBLE -> 0.0d;
        case ENUM -> f.enumType().constant(where, 0);
        case TIMESTAMP -> Instant.EPOCH;
        case DURATION -> Duration.ZERO;
        case DECIMAL ->
            throw ServiceException.invalidArgument(
                where + ": no value (expected: a decimal number)");
        case MESSAGE -> nested[f.index()].read(CodedInputStream.newInstance(NO_BYTES));
      };
    }

    /**
     * Reads one value whose wire type matched.
     *
     * @param where names the field (or map entry) in error messages
     */
    private Object readValue(Field f, String where, CodedInputStream in) throws IOException {
      return switch (f.type()) {
        case STRING -> in.readStringRequireUtf8();
        case BYTES -> in.readByteArray();
        case BOOL -> in.readBool();
        case INT32 -> in.readInt32();
        case INT64 -> in.readInt64();
        case FLOAT -> in.readFloat();
        case DOUBLE -> in.readDouble();
        case ENUM -> f.enumType().constant(where, in.readEnum());
        case DECIMAL -> {
          String s = in.readStringRequireUtf8();
          if (s.isEmpty()) {
            yield null;
          }
          try {
            yield new BigDecimal(s);
          } catch (NumberFormatException e) {
            throw ServiceException.invalidArgument(
                where + ": " + s + " (expected: a decimal number)");
          }
        }
        case TIMESTAMP -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Seconds s = Seconds.read(where, in);
          in.popLimit(limit);
          yield s.toInstant(where);
        }
        case DURATION -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Seconds s = Seconds.read(where, in);
          in.popLimit(limit);
          yield s.toDuration(where);
        }
        case MESSAGE -> {
          int limit = in.pushLimit(in.readRawVarint32());
          Object v = nested[f.index()].read(in);
          in.popLimit(limit);
          yield v;
        }
      };
    }
  }

  /** A wrapper message whose field 1 repeats one record type: a List on the Java side. */
  private static final class ListCodec extends ProtoCodec {
    private static final int TAG = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private final RecordCodec element;

    ListCodec(RecordCodec element) {
      this.element = element;
    }

    @Override
    int size(Object value) {
      int size = 0;
      for (Object e : (List<?>) value) {
        int inner = element.size(e);
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
      }
      return size;
    }

    @Override
    void write(Object value, CodedOutputStream out) throws IOException {
      for (Object e : (List<?>) value) {
        out.writeUInt32NoTag(TAG);
        out.writeUInt32NoTag(element.size(e));
        element.write(e, out);
      }
    }

    @Override
    Object read(CodedInputStream in) throws IOException {
      List<Object> list = new ArrayList<>();
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        if (tag == TAG) {
          int limit = in.pushLimit(in.readRawVarint32());
          list.add(element.read(in));
          in.popLimit(limit);
        } else if (WireFormat.getTagFieldNumber(tag) == 1) {
          throw wrongWireType(
              "field 1", WireFormat.getTagWireType(tag), WireFormat.WIRETYPE_LENGTH_DELIMITED);
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("unexpected end-group tag");
        }
      }
      return List.copyOf(list);
    }
  }
}
