package dev.ipc.core.spi;

import java.util.Map;

/**
 * Creates transports for one URI scheme ({@code grpc}, {@code rest}...). Found with
 * {@link java.util.ServiceLoader}: an adapter plugs in by being on the classpath.
 */
public interface TransportProvider {
  /** Returns the URI scheme this provider serves, lower case. */
  String scheme();

  /**
   * Returns a transport bound to {@code host}:{@code port} (port 0 picks a free port) with the given
   * options from the URI's query string.
   *
   * @throws IllegalArgumentException if an option is unknown or malformed
   */
  Transport create(String host, int port, Map<String, String> options);

  /**
   * Returns a client of this protocol for the server at {@code host}:{@code port}, with options from the
   * URI's query string (for example {@code timeout=5s}).
   *
   * @throws UnsupportedOperationException if this adapter has no client
   */
  default dev.ipc.core.Client connect(String host, int port, Map<String, String> options) {
    throw new UnsupportedOperationException("the " + scheme() + " adapter has no client");
  }
}
