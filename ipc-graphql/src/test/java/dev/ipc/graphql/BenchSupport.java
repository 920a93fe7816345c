package dev.ipc.graphql;

import java.util.Map;
import java.util.function.Function;

/**
 * Lets the benchmark (another package) run the engine in-process with the transport's defaults.
 * Test code only.
 */
public final class BenchSupport {
  private BenchSupport() {}

  /**
   * Returns a function executing a query on graphql-java with the schema, limits and document cache
   * the transport uses by default, over the reference services, with no HTTP; it returns the
   * status.
   */
  public static Function<String, Integer> inProcess() {
    GraphqlEngine engine =
        new GraphqlEngine(
            Bound.reference(),
            new GraphqlEngine.Limits(
                GraphqlTransport.DEFAULT_MAX_DEPTH,
                GraphqlTransport.DEFAULT_MAX_FIELDS,
                GraphqlTransport.DEFAULT_MAX_TOKENS,
                GraphqlTransport.DEFAULT_MAX_ALIASES,
                true,
                GraphqlTransport.DEFAULT_DOCUMENT_CACHE_SIZE));
    return query -> engine.execute(new GraphqlEngine.Request(query, null, Map.of()), true).status();
  }
}
