package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets the Socket.IO event that calls an operation (default: {@code service:operation}) and, for a
 * streaming operation, the event its values arrive as.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Event {
  /** The event name; empty for the default. */
  String value() default "";

  /**
   * For a streaming operation, the event each value arrives as ({@code task:saved}); empty for
   * {@link #value()}.
   */
  String items() default "";
}
