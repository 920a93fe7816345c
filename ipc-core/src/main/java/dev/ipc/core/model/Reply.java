package dev.ipc.core.model;

/**
 * What an operation answered: its value (the output record, or a {@code List} of them for {@link
 * Operation#many()} operations) and whether a create-or-replace created it.
 */
public record Reply(Object value, boolean created) {
  /** Returns a reply for a value that was not created by the call. */
  public static Reply of(Object value) {
    return new Reply(value, false);
  }
}
