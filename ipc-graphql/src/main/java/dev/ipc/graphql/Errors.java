package dev.ipc.graphql;

import dev.ipc.core.ErrorCode;
import dev.ipc.core.ServiceException;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.schema.DataFetchingEnvironment;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Turns service errors into GraphQL {@code errors[]} entries: the safe message, the path, and
 * {@code extensions} with a coarse {@code classification} and the exact core {@code code}, which
 * the {@link GraphqlClient} maps back to the same {@link ErrorCode}.
 */
final class Errors {
  /** The extension key carrying {@link ErrorCode#name()}. */
  static final String CODE = "code";

  private Errors() {}

  /**
   * The classification a GraphQL user reads; the core code stays exact in {@code extensions.code}.
   */
  enum Classification implements ErrorClassification {
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    UNAVAILABLE,
    INTERNAL_ERROR
  }

  static Classification classify(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT, FAILED_PRECONDITION -> Classification.BAD_REQUEST;
      case NOT_FOUND -> Classification.NOT_FOUND;
      case ALREADY_EXISTS -> Classification.CONFLICT;
      case UNAUTHENTICATED -> Classification.UNAUTHORIZED;
      case PERMISSION_DENIED -> Classification.FORBIDDEN;
      case RESOURCE_EXHAUSTED, UNAVAILABLE, DEADLINE_EXCEEDED -> Classification.UNAVAILABLE;
      case UNIMPLEMENTED, INTERNAL -> Classification.INTERNAL_ERROR;
    };
  }

  /** Returns the error for {@code e} raised while fetching the field of {@code env}. */
  static GraphQLError of(ServiceException e, DataFetchingEnvironment env) {
    return GraphqlErrorBuilder.newError(env)
        .message(e.getMessage())
        .errorType(classify(e.code()))
        .extensions(Map.of(CODE, e.code().name()))
        .build();
  }

  /** Returns a request-level error (no field ran) for {@code e}. */
  static GraphQLError of(ServiceException e) {
    return GraphqlErrorBuilder.newError()
        .message(e.getMessage())
        .errorType(classify(e.code()))
        .extensions(Map.of(CODE, e.code().name()))
        .build();
  }

  /**
   * Handles what a data fetcher threw unexpectedly: INTERNAL with the generic message, the details
   * only in the server's log (graphql-java's default would put the exception's text on the wire).
   */
  enum HideDetails implements DataFetcherExceptionHandler {
    INSTANCE;

    @Override
    public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(
        DataFetcherExceptionHandlerParameters p) {
      ServiceException e = ServiceException.from(p.getException());
      GraphQLError error = of(e, p.getDataFetchingEnvironment());
      return CompletableFuture.completedFuture(
          DataFetcherExceptionHandlerResult.newResult().error(error).build());
    }
  }
}
