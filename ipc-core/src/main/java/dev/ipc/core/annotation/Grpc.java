package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Sets an operation's gRPC names. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Grpc {
  /** The method (default: the operation name, capitalized: {@code GetTask}). */
  String method() default "";

  /**
   * The message wrapping a list answer (default: the method and {@code Response}); its one repeated
   * field is {@link #responseField()}.
   */
  String responseMessage() default "";

  /** The repeated field of {@link #responseMessage()} (default: {@code items}). */
  String responseField() default "";
}
