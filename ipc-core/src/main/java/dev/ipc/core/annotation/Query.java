package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an operation as reading only (GraphQL query, REST GET), whatever its name says. Without it,
 * a method whose name starts with a verb that writes ({@code add}, {@code put}, {@code create}...)
 * is a mutation and any other a query.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Query {}
