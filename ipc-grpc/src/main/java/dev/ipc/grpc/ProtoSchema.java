package dev.ipc.grpc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import io.grpc.protobuf.ProtoFileDescriptorSupplier;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code .proto} schema of a described service, built from the model at run time: one file per
 * service ({@code dating.proto}, package {@code date}) holding the service and every message its
 * operations use. Server reflection serves it, so any described service is discoverable.
 */
final class ProtoSchema {
  private ProtoSchema() {}

  /** Returns the file a {@code .proto} for {@code service} would declare. */
  static FileDescriptorProto fileProto(dev.ipc.core.model.ServiceDescriptor<?> service) {
    String pkg = service.grpcPackage();
    Map<String, DescriptorProto> messages = new LinkedHashMap<>();
    ServiceDescriptorProto.Builder svc = ServiceDescriptorProto.newBuilder().setName(service.grpcService());
    for (Operation<?, ?, ?> op : service.operations()) {
      String input = addMessage(messages, op.input(), pkg);
      String output;
      if (op.many()) {
        String element = addMessage(messages, op.output(), pkg);
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
        put(messages, wrapper);
        output = qualified(pkg, wrapper.getName());
      } else {
        output = addMessage(messages, op.output(), pkg);
      }
      svc.addMethod(
          MethodDescriptorProto.newBuilder()
              .setName(op.grpcMethod())
              .setInputType(input)
              .setOutputType(output));
    }
    return FileDescriptorProto.newBuilder()
        .setName(service.name() + ".proto")
        .setPackage(pkg)
        .setSyntax("proto3")
        .addAllMessageType(messages.values())
        .addService(svc)
        .build();
  }

  /**
   * Returns the linked file descriptor of {@code service}.
   *
   * @throws IllegalArgumentException if the model does not make a valid {@code .proto}
   */
  static FileDescriptor file(dev.ipc.core.model.ServiceDescriptor<?> service) {
    try {
      return FileDescriptor.buildFrom(fileProto(service), new FileDescriptor[0]);
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException(
          "service: " + service.name() + " (expected: a valid protobuf schema; " + e.getMessage() + ")", e);
    }
  }

  private static String addMessage(Map<String, DescriptorProto> messages, RecordType<?> type, String pkg) {
    DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(type.name());
    for (Field f : type.fields()) {
      FieldDescriptorProto.Builder fb =
          FieldDescriptorProto.newBuilder()
              .setName(f.name())
              .setNumber(f.number())
              .setLabel(
                  f.repeated()
                      ? FieldDescriptorProto.Label.LABEL_REPEATED
                      : FieldDescriptorProto.Label.LABEL_OPTIONAL)
              .setType(protoType(f));
      if (f.messageType() != null) {
        fb.setTypeName(addMessage(messages, f.messageType(), pkg));
      }
      b.addField(fb);
    }
    put(messages, b.build());
    return qualified(pkg, type.name());
  }

  private static void put(Map<String, DescriptorProto> messages, DescriptorProto message) {
    DescriptorProto known = messages.putIfAbsent(message.getName(), message);
    if (known != null && !known.equals(message)) {
      throw new IllegalArgumentException(
          "message: " + message.getName() + " (expected: one definition per name, found two)");
    }
  }

  private static FieldDescriptorProto.Type protoType(Field f) {
    return switch (f.type()) {
      case STRING -> FieldDescriptorProto.Type.TYPE_STRING;
      case BOOL -> FieldDescriptorProto.Type.TYPE_BOOL;
      case INT32 -> FieldDescriptorProto.Type.TYPE_INT32;
      case INT64 -> FieldDescriptorProto.Type.TYPE_INT64;
      case DOUBLE -> FieldDescriptorProto.Type.TYPE_DOUBLE;
      case MESSAGE -> FieldDescriptorProto.Type.TYPE_MESSAGE;
    };
  }

  private static String qualified(String pkg, String name) {
    return pkg.isEmpty() ? "." + name : "." + pkg + "." + name;
  }

  /** What reflection reads from a gRPC service descriptor: the file, the service, a method. */
  static final class Supplier
      implements ProtoFileDescriptorSupplier, ProtoServiceDescriptorSupplier, ProtoMethodDescriptorSupplier {
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
