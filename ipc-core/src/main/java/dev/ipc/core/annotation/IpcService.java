package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Overrides the names a plain service interface gets by default: the service name (default: the
 * interface's simple name without a {@code Service} suffix, lower case), which prefixes REST paths
 * and Socket.IO events, and the protobuf package and gRPC service (default: the name, and it
 * capitalized).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface IpcService {
  /** The service name, lower case letters and digits ({@code dating}). */
  String name() default "";

  /** The protobuf package ({@code date}). */
  String grpcPackage() default "";

  /** The gRPC service ({@code Dating}). */
  String grpcService() default "";
}
