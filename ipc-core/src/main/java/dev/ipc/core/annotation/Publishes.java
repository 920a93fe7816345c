package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Publishes each successful call's answer under an event name: Socket.IO broadcasts it to every
 * connected client.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Publishes {
  /** The event name ({@code task:saved}). */
  String value();
}
