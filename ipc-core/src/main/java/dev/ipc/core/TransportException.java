package dev.ipc.core;

/**
 * A call that got no answer from the service: the connection was refused or lost, the deadline
 * passed on the client, or the bytes that came back were not the protocol's. Never confused with a
 * {@link ServiceException}, which is the service's own answer.
 */
public class TransportException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception saying what could not be done, with the underlying cause. */
  public TransportException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Creates an exception saying what could not be done. */
  public TransportException(String message) {
    super(message);
  }
}
