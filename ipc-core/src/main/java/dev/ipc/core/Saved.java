package dev.ipc.core;

import static java.util.Objects.requireNonNull;

/**
 * The result of a create-or-replace: the stored value, and whether it was created (REST answers
 * 201) rather than replaced (200).
 */
public record Saved<T>(T value, boolean created) {
  /** Checks the value is present. */
  public Saved {
    requireNonNull(value, "value");
  }
}
