package dev.ipc.rest;

import dev.ipc.core.ErrorCode;

/**
 * The one mapping between core error codes and HTTP statuses, both ways. FAILED_PRECONDITION is
 * 400, as in Google's HTTP mapping of the canonical codes (409 would suggest a retry could help).
 */
final class HttpStatuses {
  private HttpStatuses() {}

  /** Returns the HTTP status of {@code code}. */
  static int status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case INTERNAL -> 500;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
    };
  }

  /** Returns the code of an error status when the answer names none. */
  static ErrorCode code(int status) {
    return switch (status) {
      case 400, 405, 411, 413, 414, 415, 422, 431 -> ErrorCode.INVALID_ARGUMENT;
      case 401 -> ErrorCode.UNAUTHENTICATED;
      case 403 -> ErrorCode.PERMISSION_DENIED;
      case 404 -> ErrorCode.NOT_FOUND;
      case 409 -> ErrorCode.ALREADY_EXISTS;
      case 412 -> ErrorCode.FAILED_PRECONDITION;
      case 408, 504 -> ErrorCode.DEADLINE_EXCEEDED;
      case 429 -> ErrorCode.RESOURCE_EXHAUSTED;
      case 501 -> ErrorCode.UNIMPLEMENTED;
      case 502, 503 -> ErrorCode.UNAVAILABLE;
      default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_ARGUMENT;
    };
  }
}
