package dev.ipc.core.model;

/**
 * What a call answered: its value (the output record, or a {@code List} of them for {@link
 * Operation#many()} operations) and whether a create-or-replace created it (REST answers 201)
 * rather than replaced it (200). A service's create-or-replace method returns one as it is (the
 * core's {@code Saved<T>} implements this interface), so what the service returned and what the
 * call answered are the same concept.
 */
public interface Reply {
  /** Returns the value the call answered. */
  Object value();

  /** Returns whether a create-or-replace created the value; false for every other call. */
  boolean created();

  /** Returns a reply for a value that was not created by the call. */
  static Reply of(Object value) {
    return new Replied(value, false);
  }

  /** Returns a reply for a value, saying whether the call created it. */
  static Reply of(Object value, boolean created) {
    return new Replied(value, created);
  }
}
