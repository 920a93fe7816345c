package dev.ipc.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import date.DatingOuterClass;
import dev.ipc.core.DatingService;
import dev.ipc.core.PersonService;
import dev.ipc.core.TaskService;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.testing.Library;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import person.PersonOuterClass;
import task.TaskOuterClass;

/**
 * The {@code .proto} text rendered from the model, compiled by the build's protoc: for the
 * article's services it gives the shipped files' descriptors, and for any service exactly the
 * descriptor the server serves by reflection. Models protobuf cannot hold fail, at render and at
 * serve, naming both sides of the clash.
 */
class ProtoTextTest {
  @TempDir Path dir;

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  static Stream<Arguments> article() {
    return Stream.of(
        Arguments.of(DatingService.DESCRIPTOR, DatingOuterClass.getDescriptor()),
        Arguments.of(TaskService.DESCRIPTOR, TaskOuterClass.getDescriptor()),
        Arguments.of(PersonService.DESCRIPTOR, PersonOuterClass.getDescriptor()));
  }

  static Stream<ServiceDescriptor<?>> services() {
    return Stream.of(
        DatingService.DESCRIPTOR,
        TaskService.DESCRIPTOR,
        PersonService.DESCRIPTOR,
        ServiceDescriptor.of(Library.class));
  }

  @ParameterizedTest
  @MethodSource("article")
  void renderedText_compilesToTheShippedDescriptor(
      ServiceDescriptor<?> model, FileDescriptor shipped) throws Exception {
    FileDescriptorProto compiled = compile(model);
    assertThat(ProtoFilesTest.normalize(compiled))
        .isEqualTo(ProtoFilesTest.normalize(shipped.toProto()));
  }

  @ParameterizedTest
  @MethodSource("services")
  void renderedText_compilesToTheServedDescriptor(ServiceDescriptor<?> model) throws Exception {
    assertThat(withoutJsonNames(compile(model))).isEqualTo(ProtoSchema.file(model).toProto());
  }

  @Test
  void library_rendersEveryTypeTheWayProtobufUsersWriteIt() {
    String text = ProtoText.render(ServiceDescriptor.of(Library.class));
    assertThat(text)
        .contains("syntax = \"proto3\";\n\npackage library;\n")
        .contains(
            "import \"google/protobuf/duration.proto\";\nimport \"google/protobuf/timestamp.proto\";\n")
        .contains(
            "service Library {\n  rpc Add(Book) returns (Book);\n  rpc Get(GetRequest) returns (Book);\n")
        .contains("  rpc Search(SearchRequest) returns (SearchResponse);\n")
        .contains("  rpc Remove(RemoveRequest) returns (RemoveResponse);\n")
        .contains("enum Genre {\n  NOVEL = 0;\n  POETRY = 1;\n  SCIENCE = 2;\n}\n")
        .contains(
            "message SearchRequest {\n  string text = 1;\n  Genre genre = 2;\n  int32 limit = 3;\n}\n")
        .contains("message SearchResponse {\n  repeated Book items = 1;\n}\n")
        .contains("message RemoveResponse {}\n")
        .contains("  map<string, string> props = 5;\n")
        .contains("  google.protobuf.Timestamp published = 6;\n")
        .contains("  optional string isbn = 7;\n")
        .contains("  bytes cover = 8;\n")
        .contains("  float weight = 4;\n")
        .contains("  optional int32 printing = 5;\n")
        .contains("  google.protobuf.Duration readingTime = 8;\n")
        .contains("  string price = 9;\n")
        .contains("  optional Genre shelf = 10;\n")
        .contains("  optional google.protobuf.Timestamp retired = 11;\n")
        .contains("  map<string, Book> translations = 14;\n")
        .contains("  repeated Genre genres = 16;\n");
  }

  @Test
  void tasks_rendersTheStreamingOperationAsAServerStream() {
    String text = ProtoText.render(TaskService.DESCRIPTOR);
    assertThat(text)
        .contains("  rpc WatchTasks(WatchTasksRequest) returns (stream Task);\n")
        .contains(
            "message WatchTasksRequest {\n  optional int64 fromId = 1;\n  optional int64 toId = 2;\n}\n")
        // The unary ones stay unary.
        .contains("  rpc PutTask(Task) returns (Task);\n");
    assertThat(
            ProtoSchema.file(TaskService.DESCRIPTOR)
                .findServiceByName("Tasks")
                .findMethodByName("WatchTasks"))
        .satisfies(m -> assertThat(m.isServerStreaming()).isTrue())
        .satisfies(m -> assertThat(m.isClientStreaming()).isFalse());
  }

  @Test
  void reflection_servesTheWellKnownTypesTheSchemaImports() {
    FileDescriptor file = ProtoSchema.file(ServiceDescriptor.of(Library.class));
    assertThat(file.getDependencies())
        .extracting(FileDescriptor::getName)
        .containsExactly("google/protobuf/duration.proto", "google/protobuf/timestamp.proto");
    assertThat(
            file.findMessageTypeByName("Book")
                .findFieldByName("published")
                .getMessageType()
                .getFullName())
        .isEqualTo("google.protobuf.Timestamp");
    assertThat(
            file.findMessageTypeByName("Book")
                .findFieldByName("isbn")
                .toProto()
                .getProto3Optional())
        .isTrue();
    assertThat(file.findMessageTypeByName("Book").findFieldByName("isbn").hasPresence()).isTrue();
    assertThat(file.findMessageTypeByName("Book").findFieldByName("isbn").getRealContainingOneof())
        .isNull();
  }

  @Test
  void provider_writesOneProtoPerService() {
    Map<String, String> files =
        new GrpcTransportProvider()
            .schemas(List.of(ServiceDescriptor.of(Library.class), DatingService.DESCRIPTOR));
    assertThat(files).containsOnlyKeys("library.proto", "dating.proto");
    assertThat(files.get("dating.proto"))
        .contains("package date;")
        .contains("rpc Eating(Eat) returns (Feel);")
        .doesNotContain("import");
  }

  /** Another service named library, in another protobuf package. */
  @IpcService(name = "library", grpcPackage = "shelves")
  interface Shelves {
    Outer.Item get(Outer.Item item);
  }

  @Test
  void provider_refusesTwoServicesWritingOneFile() {
    List<ServiceDescriptor<?>> both =
        List.of(ServiceDescriptor.of(Library.class), ServiceDescriptor.of(Shelves.class));
    assertThatThrownBy(() -> new GrpcTransportProvider().schemas(both))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("library.proto", Library.class.getName(), Shelves.class.getName());
  }

  // ---- models protobuf cannot hold ----

  enum Color {
    RED,
    GREEN
  }

  enum Light {
    GREEN,
    OFF
  }

  record Paint(Color color, Light light) {}

  interface Studio {
    Paint mix(Paint paint);
  }

  static final class Outer {
    enum Level {
      LOW
    }

    record Item(String name) {}
  }

  static final class Other {
    enum Level {
      HIGH
    }

    record Item(int count) {}
  }

  record Levels(Outer.Level first, Other.Level second) {}

  interface Leveler {
    Levels level(Levels levels);
  }

  interface Store {
    Outer.Item swap(Other.Item item);
  }

  @Test
  void enumConstantsClashingInOnePackage_failAtRenderAndAtServe() {
    String[] names = {"GREEN", Color.class.getName(), Light.class.getName()};
    assertThatThrownBy(() -> ProtoText.render(ServiceDescriptor.of(Studio.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(names);
    Studio studio = paint -> paint;
    assertThatThrownBy(() -> resources.serve(List.of(studio)))
        .hasStackTraceContaining(names[1])
        .hasStackTraceContaining(names[2]);
  }

  @Test
  void twoEnumsOfOneName_fail() {
    assertThatThrownBy(() -> ProtoSchema.fileProto(ServiceDescriptor.of(Leveler.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(
            "enum: Level", Outer.Level.class.getName(), Other.Level.class.getName());
  }

  @Test
  void twoRecordsOfOneName_failAtRenderAndAtServe() {
    assertThatThrownBy(() -> ProtoSchema.fileProto(ServiceDescriptor.of(Store.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("message: Item", "/Swap request", "/Swap response");
    Store store = item -> new Outer.Item("x");
    assertThatThrownBy(() -> resources.serve(List.of(store)))
        .hasStackTraceContaining("message: Item");
  }

  private FileDescriptorProto compile(ServiceDescriptor<?> model) throws Exception {
    Path include = Files.createDirectories(dir.resolve("proto"));
    String name = ProtoText.fileName(model);
    Files.writeString(include.resolve(name), ProtoText.render(model), StandardCharsets.UTF_8);
    return Python.file(Python.protoc(include, name, dir.resolve(model.name() + ".pb")), name);
  }

  /** Drops what protoc adds on its own: the JSON names of fields. */
  private static FileDescriptorProto withoutJsonNames(FileDescriptorProto f) {
    FileDescriptorProto.Builder b = f.toBuilder().clearMessageType();
    for (DescriptorProto m : f.getMessageTypeList()) {
      b.addMessageType(withoutJsonNames(m));
    }
    return b.build();
  }

  private static DescriptorProto withoutJsonNames(DescriptorProto m) {
    DescriptorProto.Builder b = m.toBuilder().clearField().clearNestedType();
    for (FieldDescriptorProto field : m.getFieldList()) {
      b.addField(field.toBuilder().clearJsonName());
    }
    for (DescriptorProto nested : m.getNestedTypeList()) {
      b.addNestedType(withoutJsonNames(nested));
    }
    return b.build();
  }
}
