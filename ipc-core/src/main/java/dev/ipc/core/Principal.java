package dev.ipc.core;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who calls, once authenticated: a name (for logs and the service's own checks) and roles (for the
 * model's per-operation requirements).
 *
 * @param name the caller's name, never a secret
 * @param roles the caller's roles
 */
public record Principal(String name, Set<String> roles) {
  /** Copies the roles. */
  public Principal {
    requireNonNull(name, "name");
    roles = Set.copyOf(requireNonNull(roles, "roles"));
  }

  /** Returns a principal with these roles. */
  public static Principal of(String name, String... roles) {
    return new Principal(name, Set.of(roles));
  }

  /** Returns whether the principal has {@code role}. */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
