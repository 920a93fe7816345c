package dev.ipc.core.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Marks a test (class or method) that needs a program beyond a JDK and Maven: Python with grpcio or
 * python-socketio, Node and its npm clients, headless Chromium, curl, {@code redis-server} or
 * HAProxy. Such tests run with {@code -Pinterop} (which {@code bin/test} and CI turn on, after
 * {@code bin/setup} installed those programs); a plain {@code mvn verify} reports them as skipped,
 * with the command that runs them, instead of failing on a machine without them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag("interop")
@EnabledIfSystemProperty(
    named = "ipc.interop",
    matches = "true",
    disabledReason =
        "needs foreign clients (Python, Node, Chromium, curl, redis-server, HAProxy): run bin/setup, then"
            + " mvn -Pinterop verify (or bin/test, which runs everything)")
public @interface Interop {}
