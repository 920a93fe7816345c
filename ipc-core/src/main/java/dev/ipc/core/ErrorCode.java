package dev.ipc.core;

/**
 * The transport-neutral status of a failed call, modelled on gRPC's canonical codes. Every adapter
 * maps each code to its protocol's native form in one exhaustive switch, so adding a code breaks
 * their build.
 */
public enum ErrorCode {
  /** The request is malformed or a field is out of range. */
  INVALID_ARGUMENT,
  /** The addressed entity does not exist. */
  NOT_FOUND,
  /** The entity a create would make exists already. */
  ALREADY_EXISTS,
  /** The system is not in a state the operation needs. */
  FAILED_PRECONDITION,
  /** The caller is not authenticated. */
  UNAUTHENTICATED,
  /** The caller may not do this. */
  PERMISSION_DENIED,
  /** A limit or quota is exhausted; retry later. */
  RESOURCE_EXHAUSTED,
  /** The service cannot take the call now (for example it is shutting down); retry later. */
  UNAVAILABLE,
  /** The call's deadline passed before it completed. */
  DEADLINE_EXCEEDED,
  /** The operation is not implemented by this server. */
  UNIMPLEMENTED,
  /** A bug or unexpected failure on the server; the details stay in the server's log. */
  INTERNAL
}
