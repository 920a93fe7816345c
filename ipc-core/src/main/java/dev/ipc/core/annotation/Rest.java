package dev.ipc.core.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets an operation's REST route. In the path, {@code {name}} binds the parameter or request field
 * of that name ({@code /tasks/{id}}); the other fields come from the JSON body, or the query string
 * for GET.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Rest {
  /** The HTTP method (default: GET for a query whose fields fit a query string, else POST). */
  String method() default "";

  /** The path (default: {@code /service/operation-name}, in kebab case). */
  String path() default "";

  /**
   * Accepts a POST with a form, plain text or an empty body: what any web page can send to any site
   * without the browser asking first (a CORS "simple" request). Off by default, so a page on
   * another site cannot make a logged-in browser call the operation; a POST must then send {@code
   * Content-Type: application/json}.
   */
  boolean simpleRequests() default false;
}
