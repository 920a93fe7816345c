package dev.ipc.core.spi;

import java.util.Map;

/**
 * Creates transports for one URI scheme ({@code grpc}, {@code rest}...). Found with {@link
 * java.util.ServiceLoader}: an adapter plugs in by being on the classpath.
 */
public interface TransportProvider {
  /** Returns the URI scheme this provider serves, lower case. */
  String scheme();

  /**
   * Returns a transport bound to {@code host}:{@code port} (port 0 picks a free port) with the
   * given options from the URI's query string.
   *
   * @throws IllegalArgumentException if an option is unknown or malformed
   */
  Transport create(String host, int port, Map<String, String> options);

  /**
   * Returns a client of this protocol for the server at {@code host}:{@code port}, with options
   * from the URI's query string (for example {@code timeout=5s}).
   *
   * @throws UnsupportedOperationException if this adapter has no client
   */
  default dev.ipc.core.Client connect(String host, int port, Map<String, String> options) {
    throw new UnsupportedOperationException("the " + scheme() + " adapter has no client");
  }

  /**
   * Returns the schema documents this protocol publishes for {@code services}, by file name (for
   * example {@code library.proto}, {@code schema.graphql}, {@code openapi.json}), so that non-Java
   * clients can generate code; {@code dev.ipc.core.Schemas} writes them to a folder. None by
   * default.
   *
   * @throws IllegalArgumentException if a service cannot be described in this protocol
   */
  default Map<String, String> schemas(
      java.util.List<dev.ipc.core.model.ServiceDescriptor<?>> services) {
    return Map.of();
  }
}
