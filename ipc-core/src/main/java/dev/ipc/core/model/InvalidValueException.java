package dev.ipc.core.model;

/**
 * A value that does not fit its type: a field of the wrong kind, out of range, not parseable, or
 * refused by the record's own constructor. Its message names the field and says what was expected,
 * and is safe to show a client: every transport answers it as {@code INVALID_ARGUMENT} with this
 * message, as it does {@code ServiceException.from} (the model stays free of the core package, so
 * it cannot throw {@code ServiceException} itself).
 */
public class InvalidValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with the given client-safe message. */
  public InvalidValueException(String message) {
    super(message);
  }
}
