package dev.ipc.grpc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.TimestampProto;
import dev.ipc.core.model.EnumType;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code .proto} schema of a described service, built from the model at run time: one file per
 * service ({@code dating.proto}, package {@code date}) holding the service, every message its
 * operations use and every enum they use, importing {@code google/protobuf/timestamp.proto} and
 * {@code duration.proto} when needed. Server reflection serves it, so any described service is
 * discoverable; {@link ProtoText} renders the same descriptor as {@code .proto} text.
 *
 * <p>Each field maps as {@link ProtoCodec} encodes it: see there. A {@code Map<String, T>} field is
 * {@code map<string, T>} (a nested {@code XxxEntry} message with {@code map_entry}); a field with
 * presence is proto3 {@code optional} (with its synthetic oneof {@code _name}). A streaming
 * operation is a server-streaming method ({@code rpc WatchTasks(WatchTasksRequest) returns (stream
 * Task)}).
 */
final class ProtoSchema {
  static final String TIMESTAMP = ".google.protobuf.Timestamp";
  static final String DURATION = ".google.protobuf.Duration";

  private ProtoSchema() {}

  /**
   * Returns the file a {@code .proto} for {@code service} would declare.
   *
   * @throws IllegalArgumentException if two messages or two enums share a name, or two enums a
   *     constant name (protobuf scopes enum constants to the package)
   */
  static FileDescriptorProto fileProto(dev.ipc.core.model.ServiceDescriptor<?> service) {
    Collector c = new Collector(service.grpcPackage());
    ServiceDescriptorProto.Builder svc =
        ServiceDescriptorProto.newBuilder().setName(service.grpcService());
    String where = service.grpcFullName();
    for (Operation<?, ?, ?> op : service.operations()) {
      String input = c.message(op.input(), where + "/" + op.grpcMethod() + " request");
      String output;
      String answer = where + "/" + op.grpcMethod() + " response";
      if (op.many()) {
        String element = c.message(op.output(), answer);
        DescriptorProto wrapper =
            DescriptorProto.newBuilder()
                .setName(op.grpcResponseMessage())
                .addField(
                    FieldDescriptorProto.newBuilder()
                        .setName(op.grpcResponseField())
                        .setNumber(1)
                        .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
                        .setTypeName(element))
                .build();
        output = c.put(wrapper, answer);
      } else {
        output = c.message(op.output(), answer);
      }
      MethodDescriptorProto.Builder method =
          MethodDescriptorProto.newBuilder()
              .setName(op.grpcMethod())
              .setInputType(input)
              .setOutputType(output);
      if (op.streaming()) {
        // Set only when true, as protoc writes it: the rendered text then compiles to this very
        // proto.
        method.setServerStreaming(true);
      }
      svc.addMethod(method);
    }
    FileDescriptorProto.Builder file =
        FileDescriptorProto.newBuilder()
            .setName(service.name() + ".proto")
            .setPackage(service.grpcPackage())
            .setSyntax("proto3");
    // Sorted, as a .proto lists its imports: duration before timestamp.
    if (c.usesDuration) {
      file.addDependency(DurationProto.getDescriptor().getName());
    }
    if (c.usesTimestamp) {
      file.addDependency(TimestampProto.getDescriptor().getName());
    }
    for (EnumType e : c.enums.values()) {
      EnumDescriptorProto.Builder eb = EnumDescriptorProto.newBuilder().setName(e.name());
      List<String> values = e.values();
      for (int i = 0; i < values.size(); i++) {
        eb.addValue(EnumValueDescriptorProto.newBuilder().setName(values.get(i)).setNumber(i));
      }
      file.addEnumType(eb);
    }
    return file.addAllMessageType(c.messages.values()).addService(svc).build();
  }

  /**
   * Returns the linked file descriptor of {@code service}.
   *
   * @throws IllegalArgumentException if the model does not make a valid {@code .proto}
   */
  static FileDescriptor file(dev.ipc.core.model.ServiceDescriptor<?> service) {
    FileDescriptorProto proto = fileProto(service);
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String name : proto.getDependencyList()) {
      dependencies.add(
          name.equals(TimestampProto.getDescriptor().getName())
              ? TimestampProto.getDescriptor()
              : DurationProto.getDescriptor());
    }
    try {
      return FileDescriptor.buildFrom(proto, dependencies.toArray(new FileDescriptor[0]));
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException(
          "service: "
              + service.name()
              + " (expected: a valid protobuf schema; "
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** Gathers a file's messages and enums by name, checking that each name means one thing. */
  private static final class Collector {
    private final String pkg;
    private final Map<String, DescriptorProto> messages = new LinkedHashMap<>();
    private final Map<String, String> messageOrigins = new LinkedHashMap<>();
    private final Map<String, EnumType> enums = new LinkedHashMap<>();
    private final Map<String, EnumType> enumConstants = new TreeMap<>();
    private boolean usesTimestamp;
    private boolean usesDuration;

    Collector(String pkg) {
      this.pkg = pkg;
    }

    /**
     * Adds {@code type} and what its fields use; returns its full name.
     *
     * @param where says where the type is used, for the error when another type has its name
     */
    String message(RecordType<?> type, String where) {
      DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(type.name());
      List<OneofDescriptorProto> synthetic = new ArrayList<>();
      for (Field f : type.fields()) {
        String fieldWhere = type.name() + "." + f.name();
        FieldDescriptorProto.Builder fb =
            FieldDescriptorProto.newBuilder().setName(f.name()).setNumber(f.number());
        if (f.map()) {
          String entry = entryName(f.name());
          DescriptorProto.Builder eb =
              DescriptorProto.newBuilder()
                  .setName(entry)
                  .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                  .addField(
                      FieldDescriptorProto.newBuilder()
                          .setName("key")
                          .setNumber(1)
                          .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                          .setType(FieldDescriptorProto.Type.TYPE_STRING));
          FieldDescriptorProto.Builder value =
              FieldDescriptorProto.newBuilder()
                  .setName("value")
                  .setNumber(2)
                  .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
          setType(value, f, fieldWhere);
          b.addNestedType(eb.addField(value));
          fb.setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
              .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
              .setTypeName(qualified(type.name() + "." + entry));
        } else {
          fb.setLabel(
              f.repeated()
                  ? FieldDescriptorProto.Label.LABEL_REPEATED
                  : FieldDescriptorProto.Label.LABEL_OPTIONAL);
          setType(fb, f, fieldWhere);
          if (f.optional()) {
            fb.setProto3Optional(true).setOneofIndex(synthetic.size());
            synthetic.add(OneofDescriptorProto.newBuilder().setName("_" + f.name()).build());
          }
        }
        b.addField(fb);
      }
      b.addAllOneofDecl(synthetic);
      return put(b.build(), where);
    }

    private void setType(FieldDescriptorProto.Builder fb, Field f, String where) {
      fb.setType(protoType(f.type()));
      switch (f.type()) {
        case MESSAGE -> fb.setTypeName(message(f.messageType(), where));
        case ENUM -> fb.setTypeName(enumType(f.enumType()));
        case TIMESTAMP -> {
          usesTimestamp = true;
          fb.setTypeName(TIMESTAMP);
        }
        case DURATION -> {
          usesDuration = true;
          fb.setTypeName(DURATION);
        }
        default -> {
          // A scalar: the type says it all.
        }
      }
    }

    private String enumType(EnumType e) {
      EnumType known = enums.putIfAbsent(e.name(), e);
      if (known != null && known != e) {
        throw new IllegalArgumentException(
            "enum: "
                + e.name()
                + " (expected: one enum per name in package "
                + pkg
                + "; both "
                + known.javaType().getName()
                + " and "
                + e.javaType().getName()
                + " have it)");
      }
      if (known == null) {
        for (String constant : e.values()) {
          EnumType other = enumConstants.putIfAbsent(constant, e);
          if (other != null) {
            // protobuf follows C++ scoping: enum constants are names of the package, not of the
            // enum.
            throw new IllegalArgumentException(
                "enum constant: "
                    + constant
                    + " (expected: unique in package "
                    + pkg
                    + "; protobuf scopes enum constants to the package, and both "
                    + other.javaType().getName()
                    + " and "
                    + e.javaType().getName()
                    + " declare it)");
          }
        }
      }
      return qualified(e.name());
    }

    String put(DescriptorProto message, String where) {
      DescriptorProto known = messages.putIfAbsent(message.getName(), message);
      if (known == null) {
        messageOrigins.put(message.getName(), where);
      } else if (!known.equals(message)) {
        throw new IllegalArgumentException(
            "message: "
                + message.getName()
                + " (expected: one definition per name in package "
                + pkg
                + "; the types of "
                + messageOrigins.get(message.getName())
                + " and of "
                + where
                + " differ)");
      }
      return qualified(message.getName());
    }

    private String qualified(String name) {
      return pkg.isEmpty() ? "." + name : "." + pkg + "." + name;
    }
  }

  /**
   * Returns the name protoc gives a map field's entry message: {@code my_field} -> {@code
   * MyFieldEntry}.
   */
  static String entryName(String field) {
    StringBuilder sb = new StringBuilder();
    boolean upper = true;
    for (int i = 0; i < field.length(); i++) {
      char ch = field.charAt(i);
      if (ch == '_') {
        upper = true;
      } else if (upper) {
        sb.append(Character.toUpperCase(ch));
        upper = false;
      } else {
        sb.append(ch);
      }
    }
    return sb.append("Entry").toString();
  }

  static FieldDescriptorProto.Type protoType(FieldType type) {
    return switch (type) {
      case STRING, DECIMAL -> FieldDescriptorProto.Type.TYPE_STRING;
      case BOOL -> FieldDescriptorProto.Type.TYPE_BOOL;
      case INT32 -> FieldDescriptorProto.Type.TYPE_INT32;
      case INT64 -> FieldDescriptorProto.Type.TYPE_INT64;
      case FLOAT -> FieldDescriptorProto.Type.TYPE_FLOAT;
      case DOUBLE -> FieldDescriptorProto.Type.TYPE_DOUBLE;
      case BYTES -> FieldDescriptorProto.Type.TYPE_BYTES;
      case ENUM -> FieldDescriptorProto.Type.TYPE_ENUM;
      case TIMESTAMP, DURATION, MESSAGE -> FieldDescriptorProto.Type.TYPE_MESSAGE;
    };
  }

  /** What reflection reads from a gRPC service descriptor: the file, the service, a method. */
  static final class Supplier
      implements ProtoFileDescriptorSupplier,
          ProtoServiceDescriptorSupplier,
          ProtoMethodDescriptorSupplier {
    private final FileDescriptor file;
    private final String serviceName;
    private final String methodName;

    Supplier(FileDescriptor file, String serviceName, String methodName) {
      this.file = file;
      this.serviceName = serviceName;
      this.methodName = methodName;
    }

    @Override
    public FileDescriptor getFileDescriptor() {
      return file;
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return file.findServiceByName(serviceName);
    }

    @Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }
}
