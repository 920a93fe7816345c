package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import dev.ipc.core.model.ServiceDescriptor;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model-driven codec against protobuf-java's own parser and writer ({@link DynamicMessage} over the
 * schema built from the same model), for every field type, repeated and nested.
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

  private static final RecordType<Everything> TYPE = RecordType.of(Everything.class);
  private static final ServiceDescriptor<Echo> ECHO =
      ServiceDescriptor.builder(Echo.class, "echo")
          .grpc("test", "Echo")
          .operation(Operation.<Echo, Everything, Everything>builder("echo", TYPE, TYPE).invoker(Echo::echo))
          .build();
  private static final Descriptor DESCRIPTOR = ProtoSchema.file(ECHO).findMessageTypeByName("Everything");

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
    byte[] written = DynamicMessage.parseFrom(DESCRIPTOR, ProtoCodec.of(TYPE).encode(FULL)).toByteArray();
    assertThat(ProtoCodec.of(TYPE).decode(written)).isEqualTo(FULL);
  }

  @Test
  void defaults_areNotWritten_andAbsentStringsReadAsEmpty() throws Exception {
    Everything empty =
        new Everything(null, false, 0, 0, 0, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    assertThat(ProtoCodec.of(TYPE).encode(empty)).isEmpty();
    assertThat(((Everything) ProtoCodec.of(TYPE).decode(new byte[0])).s()).isEmpty();
  }

  @Test
  void decode_acceptsUnpackedRepeatedScalars_andSkipsWrongWireTypes() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeInt32(8, 4);
    out.writeInt32(8, 5);
    out.writeFixed64(3, 99); // field i is a varint: a fixed64 there is skipped like an unknown field
    out.flush();
    Everything e = (Everything) ProtoCodec.of(TYPE).decode(bytes.toByteArray());
    assertThat(e.ints()).containsExactly(4, 5);
    assertThat(e.i()).isZero();
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
      byte[] truncated = java.util.Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> ProtoCodec.of(TYPE).decode(truncated))
          .as("cut at " + cut)
          .isInstanceOf(InvalidProtocolBufferException.class);
    }
  }
}
