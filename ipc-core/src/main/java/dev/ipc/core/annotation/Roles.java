package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requires an authenticated caller for an operation, with one of the roles listed (any role when
 * the list is empty). Enforced on every transport once the server authenticates ({@code
 * Transports.builder().authenticate(...)}): an anonymous caller gets UNAUTHENTICATED, one without
 * the role PERMISSION_DENIED. A server that does not authenticate serves the operation openly.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Roles {
  /** The roles, any one of which admits the caller; none means any authenticated caller. */
  String[] value() default {};
}
