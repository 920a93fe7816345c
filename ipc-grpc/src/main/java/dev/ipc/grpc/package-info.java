/**
 * Serves any described service over gRPC, and calls one. Entry points: {@link dev.ipc.grpc.GrpcTransport}
 * ({@code grpc://} in {@code Transports}) and {@link dev.ipc.grpc.GrpcClient}. The {@code .proto} files
 * of the built-in services ship at the jar's root ({@code dating.proto}, {@code task.proto},
 * {@code person.proto}); the server builds the same schema from the model and serves it through
 * reflection.
 */
package dev.ipc.grpc;
