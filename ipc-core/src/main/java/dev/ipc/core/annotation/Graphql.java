package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Sets an operation's GraphQL field. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Graphql {
  /** The field on Query or Mutation (default: the operation name). */
  String field() default "";

  /**
   * Also spreads the answer's fields on the root Query type (the article's {@code { name hobby }});
   * only for a query without parameters answering one record.
   */
  boolean rootFields() default false;
}
