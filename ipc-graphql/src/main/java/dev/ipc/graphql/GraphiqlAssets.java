package dev.ipc.graphql;

import dev.ipc.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The GraphiQL page and its assets, read once from the classpath: the page from this jar, GraphiQL,
 * React and ReactDOM from their webjars. A browser needs no network beyond this server.
 */
final class GraphiqlAssets {
  /** The path prefix the page loads its assets from. */
  static final String PREFIX = "/graphql/assets/";

  private static final String GRAPHIQL = "META-INF/resources/webjars/graphiql/2.4.7/";
  private static final String REACT = "META-INF/resources/webjars/react/18.3.1/umd/";
  private static final String REACT_DOM = "META-INF/resources/webjars/react-dom/18.3.1/umd/";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";

  private final HttpResponse page;
  private final Map<String, HttpResponse> assets;

  GraphiqlAssets() {
    this.page =
        HttpResponse.of(200, "text/html; charset=utf-8", read("dev/ipc/graphql/graphiql.html"))
            .withHeader("Cache-Control", "no-cache");
    this.assets =
        Map.of(
            "graphiql.min.js", asset(GRAPHIQL + "graphiql.min.js", JS),
            "graphiql.min.css", asset(GRAPHIQL + "graphiql.min.css", CSS),
            "react.production.min.js", asset(REACT + "react.production.min.js", JS),
            "react-dom.production.min.js", asset(REACT_DOM + "react-dom.production.min.js", JS));
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
            "missing " + resource + " on the classpath; the GraphiQL webjars are dependencies of ipc-graphql");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }
}
