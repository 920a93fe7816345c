package dev.ipc.graphql;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Client;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.List;
import java.util.Map;

/**
 * Plugs the GraphQL adapter into {@code Transports} for URIs like {@code
 * graphql://0.0.0.0:4444?maxDepth=10&introspection=false}. Server options are the builder's, by the
 * same names ({@link GraphqlTransport.Builder#options}): {@code maxDepth}, {@code maxFields},
 * {@code maxTokens}, {@code maxAliases}, {@code introspection}, {@code graphiql}, {@code
 * documentCacheSize}, {@code connectionInitTimeout} (how long a GraphQL WebSocket may wait before
 * {@code connection_init}), and REST's HTTP settings: {@code maxMessageBytes}, {@code
 * maxBufferedBytes} (bytes, or with a KiB or MiB suffix), {@code cors}, {@code idleTimeout}, {@code
 * requestTimeout}, {@code writeTimeout} ({@code 30s}, {@code 250ms}...), {@code maxConnections},
 * {@code maxConnectionsPerPeer}, {@code workerThreads}. Client options: {@code timeout} ({@code
 * 5s}, {@code 500ms} or ISO-8601), {@code tls} ({@code true}: HTTPS with the JDK's trust), {@code
 * ca} (a CA PEM to trust; implies TLS), {@code cert} and {@code key} (a client certificate and its
 * PKCS#8 key, for mutual TLS): {@code graphql://localhost:4444?ca=/etc/ipc/ca.pem}. The server
 * serves TLS when the host configures it ({@code Transports.builder().tls(...)}).
 */
public final class GraphqlTransportProvider implements TransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public GraphqlTransportProvider() {}

  @Override
  public String scheme() {
    return "graphql";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    return GraphqlTransport.builder().host(host).port(port).options(options).build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    return GraphqlClient.builder().target(host, port).options(options).build();
  }

  /**
   * Returns {@code schema.graphql}: the SDL a server of {@code services} serves at {@code
   * /graphql/schema.graphql}.
   *
   * @throws IllegalArgumentException if two operations claim one field, or two types one name
   */
  @Override
  public Map<String, String> schemas(List<ServiceDescriptor<?>> services) {
    requireNonNull(services, "services");
    try {
      return Map.of("schema.graphql", GraphqlEngine.sdl(services));
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
