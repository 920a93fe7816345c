package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import date.DatingOuterClass;
import dev.ipc.core.DatingService;
import dev.ipc.core.PersonService;
import dev.ipc.core.TaskService;
import dev.ipc.core.model.ServiceDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import person.PersonOuterClass;
import task.TaskOuterClass;

/**
 * Proves that what the server builds from the model and the shipped {@code .proto} files agree: the
 * files are compiled by protoc at test time, and their descriptors must equal the model's
 * (packages, services, methods, messages, field names, numbers, types and labels).
 */
class ProtoFilesTest {
  static Stream<Arguments> services() {
    return Stream.of(
        Arguments.of(DatingService.DESCRIPTOR, DatingOuterClass.getDescriptor()),
        Arguments.of(TaskService.DESCRIPTOR, TaskOuterClass.getDescriptor()),
        Arguments.of(PersonService.DESCRIPTOR, PersonOuterClass.getDescriptor()));
  }

  @ParameterizedTest
  @MethodSource("services")
  void modelSchema_equalsTheProtoFile(ServiceDescriptor<?> model, FileDescriptor compiled) {
    FileDescriptorProto fromModel = ProtoSchema.file(model).toProto();
    assertThat(normalize(fromModel)).isEqualTo(normalize(compiled.toProto()));
    assertThat(fromModel.getName()).isEqualTo(compiled.getName());
    assertThat(fromModel.getService(0).getMethodCount()).isEqualTo(model.operations().size());
  }

  @ParameterizedTest
  @MethodSource("services")
  void protoFile_shipsInTheJar(ServiceDescriptor<?> model, FileDescriptor compiled)
      throws IOException {
    String name = model.name() + ".proto";
    try (InputStream in = GrpcTransport.class.getResourceAsStream("/" + name)) {
      assertThat(in).as(name + " on the classpath root").isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(Files.readString(Path.of("src/main/proto", name)));
    }
  }

  /**
   * Keeps what the wire and stubs depend on, in a stable order; drops protoc's extras (json_name).
   */
  static FileDescriptorProto normalize(FileDescriptorProto f) {
    FileDescriptorProto.Builder b =
        FileDescriptorProto.newBuilder()
            .setName(f.getName())
            .setPackage(f.getPackage())
            .setSyntax(f.getSyntax());
    f.getMessageTypeList().stream()
        .sorted(Comparator.comparing(DescriptorProto::getName))
        .forEach(
            m -> {
              DescriptorProto.Builder mb = DescriptorProto.newBuilder().setName(m.getName());
              for (FieldDescriptorProto field : m.getFieldList()) {
                FieldDescriptorProto.Builder fb =
                    FieldDescriptorProto.newBuilder()
                        .setName(field.getName())
                        .setNumber(field.getNumber())
                        .setLabel(field.getLabel())
                        .setType(field.getType());
                if (field.hasTypeName()) {
                  fb.setTypeName(field.getTypeName());
                }
                if (field.getProto3Optional()) {
                  // Presence is wire-visible to stubs (has_fromId): the shipped file must say
                  // optional too.
                  fb.setProto3Optional(true);
                }
                mb.addField(fb);
              }
              b.addMessageType(mb);
            });
    for (ServiceDescriptorProto s : f.getServiceList()) {
      ServiceDescriptorProto.Builder sb = ServiceDescriptorProto.newBuilder().setName(s.getName());
      for (MethodDescriptorProto m : s.getMethodList()) {
        sb.addMethod(
            MethodDescriptorProto.newBuilder()
                .setName(m.getName())
                .setInputType(m.getInputType())
                .setOutputType(m.getOutputType())
                .setClientStreaming(m.getClientStreaming())
                .setServerStreaming(m.getServerStreaming()));
      }
      b.addService(sb);
    }
    return b.build();
  }
}
