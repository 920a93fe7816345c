package dev.ipc.grpc;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import dev.ipc.core.TransportException;
import io.grpc.Metadata;
import io.grpc.Status;

/** Maps core error codes to gRPC statuses and back; one exhaustive switch each way. */
final class GrpcStatuses {
  /**
   * Trailer naming the core code of a service's own error, so a client tells "the service said
   * UNAVAILABLE" apart from "no connection" (which gRPC also reports as UNAVAILABLE).
   */
  static final Metadata.Key<String> ERROR_KEY =
      Metadata.Key.of("ipc-error", Metadata.ASCII_STRING_MARSHALLER);

  /** Trailer of a create-or-replace answer that created the value. */
  static final Metadata.Key<String> CREATED_KEY =
      Metadata.Key.of("ipc-created", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcStatuses() {}

  /** Returns the gRPC status of the same name as {@code code}. */
  static Status.Code toGrpc(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
      case UNAUTHENTICATED -> Status.Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.Code.DEADLINE_EXCEEDED;
      case UNIMPLEMENTED -> Status.Code.UNIMPLEMENTED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }

  /** Returns the status and trailers that carry {@code e} to a client. */
  static Status toStatus(ServiceException e, Metadata trailers) {
    trailers.put(ERROR_KEY, e.code().name());
    return Status.fromCode(toGrpc(e.code())).withDescription(e.getMessage());
  }

  /**
   * Returns the exception a client raises for a failed call: the service's own error when the
   * server marked it (or when the status can only be an answer), else a transport failure.
   */
  static RuntimeException toException(String method, Status status, Metadata trailers) {
    String description =
        status.getDescription() != null ? status.getDescription() : status.getCode().name();
    String marked = trailers != null ? trailers.get(ERROR_KEY) : null;
    if (marked != null) {
      ErrorCode code = parse(marked);
      if (code != null) {
        return new ServiceException(code, description);
      }
    }
    ErrorCode answer =
        switch (status.getCode()) {
          case INVALID_ARGUMENT, OUT_OF_RANGE -> ErrorCode.INVALID_ARGUMENT;
          case NOT_FOUND -> ErrorCode.NOT_FOUND;
          case ALREADY_EXISTS -> ErrorCode.ALREADY_EXISTS;
          case FAILED_PRECONDITION, ABORTED -> ErrorCode.FAILED_PRECONDITION;
          case UNAUTHENTICATED -> ErrorCode.UNAUTHENTICATED;
          case PERMISSION_DENIED -> ErrorCode.PERMISSION_DENIED;
          case RESOURCE_EXHAUSTED -> ErrorCode.RESOURCE_EXHAUSTED;
          case UNIMPLEMENTED -> ErrorCode.UNIMPLEMENTED;
          // gRPC raises these itself for lost connections, local deadlines and broken frames.
          case OK, CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, UNAVAILABLE, INTERNAL, DATA_LOSS -> null;
        };
    if (answer != null) {
      return new ServiceException(answer, description);
    }
    return new TransportException(
        "gRPC call " + method + " got no answer: " + status.getCode() + " " + description,
        status.asException(trailers));
  }

  private static ErrorCode parse(String name) {
    for (ErrorCode c : ErrorCode.values()) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
