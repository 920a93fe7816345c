package dev.ipc.graphql;

import dev.ipc.http.internal.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The GraphiQL page and its assets, read once from the classpath: the page from this jar, GraphiQL,
 * React and ReactDOM from their webjars. A browser needs no network beyond this server. The page
 * runs no inline script (its own start-up is the asset {@code graphiql-page.js}), so it is served
 * with a Content-Security-Policy allowing scripts and styles from this server only, and may not be
 * framed.
 */
final class GraphiqlAssets {
  /** The path prefix the page loads its assets from. */
  static final String PREFIX = "/graphql/assets/";

  private static final String GRAPHIQL = "META-INF/resources/webjars/graphiql/2.4.7/";
  private static final String REACT = "META-INF/resources/webjars/react/18.3.1/umd/";
  private static final String REACT_DOM = "META-INF/resources/webjars/react-dom/18.3.1/umd/";
  private static final String PAGE = "dev/ipc/graphql/";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";

  /**
   * The page's Content-Security-Policy: scripts and styles from this server only (no inline script,
   * no eval), data only from {@code /graphql}, and the page can be framed by no one.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";

  private final HttpResponse page;
  private final Map<String, HttpResponse> assets;

  GraphiqlAssets() {
    this.page =
        HttpResponse.of(200, "text/html; charset=utf-8", read(PAGE + "graphiql.html"))
            .withHeader("Cache-Control", "no-cache")
            .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            .withHeader("X-Frame-Options", "DENY")
            .withHeader("Referrer-Policy", "no-referrer");
    this.assets =
        Map.of(
            "graphiql.min.js", asset(GRAPHIQL + "graphiql.min.js", JS),
            "graphiql.min.css", asset(GRAPHIQL + "graphiql.min.css", CSS),
            "react.production.min.js", asset(REACT + "react.production.min.js", JS),
            "react-dom.production.min.js", asset(REACT_DOM + "react-dom.production.min.js", JS),
            "graphiql-page.js", asset(PAGE + "graphiql-page.js", JS),
            "graphiql-page.css", asset(PAGE + "graphiql-page.css", CSS));
  }

  HttpResponse page() {
    return page;
  }

  /** Returns the asset at {@code path} (under {@link #PREFIX}), or null when there is none. */
  HttpResponse asset(String path) {
    return assets.get(path.substring(PREFIX.length()));
  }

  private static HttpResponse asset(String resource, String type) {
    return HttpResponse.of(200, type, read(resource))
        .withHeader("Cache-Control", "public, max-age=86400");
  }

  private static byte[] read(String resource) {
    try (InputStream in = GraphiqlAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing "
                + resource
                + " on the classpath; the GraphiQL webjars are dependencies of ipc-graphql");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }
}
