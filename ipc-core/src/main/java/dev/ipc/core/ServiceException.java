package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.model.InvalidValueException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's answer that the call failed, with a {@link ErrorCode} and a message that is safe to
 * show a client. Adapters turn it into their protocol's error; clients turn that back into this
 * exception with the same code.
 *
 * <p>A value that does not fit its type ({@link InvalidValueException}, from the model) becomes
 * {@link ErrorCode#INVALID_ARGUMENT} with its message. Any other exception thrown by a service
 * becomes {@link ErrorCode#INTERNAL} with a generic message ({@link #from(Throwable)}): exception
 * texts and stack traces never reach a client.
 */
public class ServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ServiceException.class);

  /** The message every unexpected failure gets on the wire. */
  public static final String INTERNAL_MESSAGE = "internal error";

  private final ErrorCode code;

  /** Creates an exception with the given code and client-safe message. */
  public ServiceException(ErrorCode code, String message) {
    super(requireNonNull(message, "message"));
    this.code = requireNonNull(code, "code");
  }

  /** Returns the status code. */
  public ErrorCode code() {
    return code;
  }

  /** Returns an {@link ErrorCode#INVALID_ARGUMENT} exception. */
  public static ServiceException invalidArgument(String message) {
    return new ServiceException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** Returns a {@link ErrorCode#NOT_FOUND} exception. */
  public static ServiceException notFound(String message) {
    return new ServiceException(ErrorCode.NOT_FOUND, message);
  }

  /**
   * Returns {@code t} itself when it is a {@code ServiceException}; an {@link
   * ErrorCode#INVALID_ARGUMENT} one with its message when it is an {@link InvalidValueException}
   * (the caller's mistake, not logged); else an {@link ErrorCode#INTERNAL} one with a generic
   * message, the original logged on the server, never sent.
   */
  public static ServiceException from(Throwable t) {
    if (t instanceof ServiceException e) {
      return e;
    }
    if (t instanceof InvalidValueException e) {
      return invalidArgument(e.getMessage());
    }
    LOG.warn("service failed unexpectedly", t);
    return new ServiceException(ErrorCode.INTERNAL, INTERNAL_MESSAGE);
  }

  // getMessage() must stay the bare client-safe text: adapters put it on the wire as it is, so the
  // code can only join it here, in what logs and debuggers show.
  @SuppressWarnings("OverrideThrowableToString")
  @Override
  public String toString() {
    return "ServiceException{" + code + ": " + getMessage() + '}';
  }
}
