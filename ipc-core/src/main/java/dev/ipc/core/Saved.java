package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.model.Reply;

/**
 * The result of a create-or-replace: the stored value, and whether it was created (REST answers
 * 201) rather than replaced (200). It is the call's {@link Reply} as it is: a service returns one,
 * and a client's proxy returns one for the method.
 */
public record Saved<T>(T value, boolean created) implements Reply {
  /** Checks the value is present. */
  public Saved {
    requireNonNull(value, "value");
  }
}
