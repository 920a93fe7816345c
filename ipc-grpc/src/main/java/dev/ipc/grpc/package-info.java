/**
 * Serves any described service over gRPC, and calls one. Entry points: {@link
 * dev.ipc.grpc.GrpcTransport} ({@code grpc://} in {@code Transports}) and {@link
 * dev.ipc.grpc.GrpcClient}. The {@code .proto} files of the built-in services ship at the jar's
 * root ({@code dating.proto}, {@code task.proto}, {@code person.proto}); the server builds the same
 * schema from the model and serves it through reflection, and {@link
 * dev.ipc.grpc.GrpcTransportProvider#schemas} renders it as a {@code .proto} file per service
 * ({@code dev.ipc.core.Schemas} writes them) for any service, so clients in other languages
 * generate stubs from it.
 *
 * <p>How each Java type travels (see {@code ProtoCodec}): {@code float} is {@code float}, {@code
 * byte[]} {@code bytes}, an enum a proto enum numbered by declaration order (a number the Java enum
 * lacks is INVALID_ARGUMENT: Java enums are closed), {@code Instant}/{@code Duration} the
 * well-known {@code Timestamp}/{@code Duration}, {@code BigDecimal} a {@code string} of its plain
 * digits, {@code Map<String, T>} a {@code map<string, T>}, boxed primitives and {@code Optional}s
 * proto3 {@code optional} fields.
 */
package dev.ipc.grpc;
