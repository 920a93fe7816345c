package dev.ipc.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.ipc.core.ServiceException;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.RecordType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes and decodes one message in the protobuf binary format, straight from a {@link RecordType}
 * (proto3 rules: default values are not written, unknown fields are skipped, repeated scalars are
 * packed but read either way). A list answer is the wrapper message whose field 1 repeats the record.
 * Immutable and thread-safe.
 */
abstract class ProtoCodec {
  private static final Map<RecordType<?>, RecordCodec> RECORDS = new ConcurrentHashMap<>();

  /** Returns the tag of field {@code number} with {@code wireType} (protobuf keeps its own private). */
  static int tag(int number, int wireType) {
    return (number << 3) | wireType;
  }

  /** Returns the codec of one {@code type} message. */
  static ProtoCodec of(RecordType<?> type) {
    return record(type);
  }

  /** Returns the codec of a wrapper message whose field 1 repeats {@code element}; values are Lists. */
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

  /** Returns {@code value} encoded. */
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

  /** Returns the value {@code bytes} encode. */
  final Object decode(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    Object value = read(in);
    if (!in.isAtEnd()) {
      throw new InvalidProtocolBufferException("trailing bytes after the message");
    }
    return value;
  }

  /** One record type: fields by number. */
  private static final class RecordCodec extends ProtoCodec {
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
        boolean packed = f.repeated() && f.type() != FieldType.STRING && f.type() != FieldType.MESSAGE;
        tags[f.index()] = tag(f.number(), packed ? WireFormat.WIRETYPE_LENGTH_DELIMITED : wireType(f));
      }
    }

    @Override
    int size(Object value) {
      int size = 0;
      for (Field f : fields) {
        Object v = f.get(value);
        if (v == null) {
          continue;
        }
        int n = f.number();
        if (f.repeated()) {
          List<?> list = (List<?>) v;
          if (list.isEmpty()) {
            continue;
          }
          if (f.type() == FieldType.STRING || f.type() == FieldType.MESSAGE) {
            for (Object e : list) {
              size += elementSize(f, n, e);
            }
          } else {
            int data = packedDataSize(f, list);
            size += CodedOutputStream.computeTagSize(n) + CodedOutputStream.computeUInt32SizeNoTag(data) + data;
          }
        } else if (!isDefault(f, v)) {
          size += elementSize(f, n, v);
        }
      }
      return size;
    }

    private int elementSize(Field f, int n, Object v) {
      return switch (f.type()) {
        case STRING -> CodedOutputStream.computeStringSize(n, (String) v);
        case BOOL -> CodedOutputStream.computeBoolSize(n, (Boolean) v);
        case INT32 -> CodedOutputStream.computeInt32Size(n, (Integer) v);
        case INT64 -> CodedOutputStream.computeInt64Size(n, (Long) v);
        case DOUBLE -> CodedOutputStream.computeDoubleSize(n, (Double) v);
        case MESSAGE -> {
          int inner = nested[f.index()].size(v);
          yield CodedOutputStream.computeTagSize(n) + CodedOutputStream.computeUInt32SizeNoTag(inner) + inner;
        }
      };
    }

    private static int packedDataSize(Field f, List<?> list) {
      int data = 0;
      for (Object e : list) {
        data +=
            switch (f.type()) {
              case BOOL -> 1;
              case INT32 -> CodedOutputStream.computeInt32SizeNoTag((Integer) e);
              case INT64 -> CodedOutputStream.computeInt64SizeNoTag((Long) e);
              case DOUBLE -> 8;
              case STRING, MESSAGE -> throw new IllegalStateException("not packable: " + f);
            };
      }
      return data;
    }

    private static boolean isDefault(Field f, Object v) {
      return switch (f.type()) {
        case STRING -> ((String) v).isEmpty();
        case BOOL -> !(Boolean) v;
        case INT32 -> (Integer) v == 0;
        case INT64 -> (Long) v == 0L;
        case DOUBLE -> Double.doubleToRawLongBits((Double) v) == 0L;
        case MESSAGE -> false;
      };
    }

    @Override
    void write(Object value, CodedOutputStream out) throws IOException {
      for (Field f : fields) {
        Object v = f.get(value);
        if (v == null) {
          continue;
        }
        int n = f.number();
        if (f.repeated()) {
          List<?> list = (List<?>) v;
          if (list.isEmpty()) {
            continue;
          }
          if (f.type() == FieldType.STRING || f.type() == FieldType.MESSAGE) {
            for (Object e : list) {
              writeElement(f, n, e, out);
            }
          } else {
            out.writeUInt32NoTag(tags[f.index()]);
            out.writeUInt32NoTag(packedDataSize(f, list));
            for (Object e : list) {
              switch (f.type()) {
                case BOOL -> out.writeBoolNoTag((Boolean) e);
                case INT32 -> out.writeInt32NoTag((Integer) e);
                case INT64 -> out.writeInt64NoTag((Long) e);
                case DOUBLE -> out.writeDoubleNoTag((Double) e);
                case STRING, MESSAGE -> throw new IllegalStateException("not packable: " + f);
              }
            }
          }
        } else if (!isDefault(f, v)) {
          writeElement(f, n, v, out);
        }
      }
    }

    private void writeElement(Field f, int n, Object v, CodedOutputStream out) throws IOException {
      switch (f.type()) {
        case STRING -> out.writeString(n, (String) v);
        case BOOL -> out.writeBool(n, (Boolean) v);
        case INT32 -> out.writeInt32(n, (Integer) v);
        case INT64 -> out.writeInt64(n, (Long) v);
        case DOUBLE -> out.writeDouble(n, (Double) v);
        case MESSAGE -> {
          RecordCodec codec = nested[f.index()];
          out.writeTag(n, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(codec.size(v));
          codec.write(v, out);
        }
      }
    }

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
        if (f.repeated()) {
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) values[i];
          if (list == null) {
            list = new ArrayList<>();
            values[i] = list;
          }
          if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED
              && f.type() != FieldType.STRING
              && f.type() != FieldType.MESSAGE) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
              list.add(readScalar(f, in));
            }
            in.popLimit(limit);
          } else if (wire == wireType(f)) {
            list.add(readElement(f, in));
          } else if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("unexpected end-group tag");
          }
        } else if (wire == wireType(f)) {
          values[i] = readElement(f, in);
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("unexpected end-group tag");
        }
      }
      for (Field f : fields) {
        // proto3: an absent string is the empty string, as every other language's stubs see it.
        if (values[f.index()] == null && !f.repeated() && f.type() == FieldType.STRING) {
          values[f.index()] = "";
        }
      }
      return type.create(values);
    }

    private Object readElement(Field f, CodedInputStream in) throws IOException {
      if (f.type() == FieldType.MESSAGE) {
        int limit = in.pushLimit(in.readRawVarint32());
        Object v = nested[f.index()].read(in);
        in.checkLastTagWas(0);
        in.popLimit(limit);
        return v;
      }
      if (f.type() == FieldType.STRING) {
        return in.readStringRequireUtf8();
      }
      return readScalar(f, in);
    }

    private static Object readScalar(Field f, CodedInputStream in) throws IOException {
      return switch (f.type()) {
        case BOOL -> in.readBool();
        case INT32 -> in.readInt32();
        case INT64 -> in.readInt64();
        case DOUBLE -> in.readDouble();
        case STRING, MESSAGE -> throw new IllegalStateException("not a scalar: " + f);
      };
    }

    private static int wireType(Field f) {
      return switch (f.type()) {
        case STRING, MESSAGE -> WireFormat.WIRETYPE_LENGTH_DELIMITED;
        case BOOL, INT32, INT64 -> WireFormat.WIRETYPE_VARINT;
        case DOUBLE -> WireFormat.WIRETYPE_FIXED64;
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
          in.checkLastTagWas(0);
          in.popLimit(limit);
        } else if (!in.skipField(tag)) {
          throw new InvalidProtocolBufferException("unexpected end-group tag");
        }
      }
      return List.copyOf(list);
    }
  }
}
