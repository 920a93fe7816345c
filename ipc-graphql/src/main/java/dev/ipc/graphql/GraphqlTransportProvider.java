package dev.ipc.graphql;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Client;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportOptions;
import dev.ipc.core.spi.TransportProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Plugs the GraphQL adapter into {@code Transports} for URIs like
 * {@code graphql://0.0.0.0:4444?maxDepth=10&introspection=false}. Server options: {@code maxDepth},
 * {@code maxFields}, {@code maxTokens}, {@code maxAliases}, {@code introspection}, {@code graphiql},
 * {@code documentCacheSize}, {@code maxBodyBytes}, {@code maxBufferedBodyBytes} (bytes, or with a KiB
 * or MiB suffix), {@code cors}, {@code idleTimeout}, {@code requestTimeout}, {@code writeTimeout}
 * ({@code 30s}, {@code 250ms}...), {@code maxConnections}, {@code maxConnectionsPerPeer},
 * {@code workerThreads} (the same names as REST's), {@code connectionInitTimeout} (how long a GraphQL
 * WebSocket may wait before {@code connection_init}). Client options: {@code timeout} ({@code 5s}, {@code 500ms} or ISO-8601),
 * {@code tls} ({@code true}: HTTPS with the JDK's trust), {@code ca} (a CA PEM to trust; implies TLS),
 * {@code cert} and {@code key} (a client certificate and its PKCS#8 key, for mutual TLS):
 * {@code graphql://localhost:4444?ca=/etc/ipc/ca.pem}. The server serves TLS when the host configures
 * it ({@code Transports.builder().tls(...)}).
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
    GraphqlTransport.Builder b = GraphqlTransport.builder().host(host).port(port);
    options.forEach(
        (key, value) -> {
          switch (key) {
            case "maxDepth" -> b.maxDepth(integer(key, value));
            case "maxFields" -> b.maxFields(integer(key, value));
            case "maxTokens" -> b.maxTokens(integer(key, value));
            case "maxAliases" -> b.maxAliases(integer(key, value));
            case "introspection" -> b.introspection(bool(key, value));
            case "graphiql" -> b.graphiql(bool(key, value));
            case "documentCacheSize" -> b.documentCacheSize(integer(key, value));
            case "maxBodyBytes" -> b.maxBodyBytes(integer(key, value));
            case "maxBufferedBodyBytes" -> b.maxBufferedBodyBytes(TransportOptions.size(key, value));
            case "cors" -> b.cors(value.split(","));
            case "idleTimeout" -> b.idleTimeout(TransportOptions.duration(key, value));
            case "requestTimeout" -> b.requestTimeout(TransportOptions.duration(key, value));
            case "writeTimeout" -> b.writeTimeout(TransportOptions.duration(key, value));
            case "maxConnections" -> b.maxConnections(TransportOptions.positive(key, value));
            case "maxConnectionsPerPeer" -> b.maxConnectionsPerPeer(TransportOptions.positive(key, value));
            case "workerThreads" -> b.workerThreads(TransportOptions.positive(key, value));
            case "connectionInitTimeout" -> b.connectionInitTimeout(TransportOptions.duration(key, value));
            default -> throw new IllegalArgumentException(
                "option: " + key + " (expected: maxDepth, maxFields, maxTokens, maxAliases, introspection,"
                    + " graphiql, documentCacheSize, maxBodyBytes, maxBufferedBodyBytes, cors, idleTimeout,"
                    + " requestTimeout, writeTimeout, maxConnections, maxConnectionsPerPeer, workerThreads or"
                    + " connectionInitTimeout)");
          }
        });
    return b.build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    GraphqlClient.Builder b = GraphqlClient.builder().target(host, port);
    options.forEach(
        (key, value) -> {
          switch (key) {
            case "timeout" -> b.timeout(duration(key, value));
            case "tls" -> b.tls(bool(key, value));
            case "ca" -> b.ca(path(key, value));
            case "cert" -> b.cert(path(key, value));
            case "key" -> b.key(path(key, value));
            default -> throw new IllegalArgumentException(
                "option: " + key + " (expected: timeout, tls, ca, cert or key)");
          }
        });
    return b.build();
  }

  /**
   * Returns {@code schema.graphql}: the SDL a server of {@code services} serves at
   * {@code /graphql/schema.graphql}.
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

  private static int integer(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: an integer)", e);
    }
  }

  private static Path path(String key, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(key + ": empty (expected: the path of a PEM file)");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: the path of a PEM file)", e);
    }
  }

  private static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + ": " + value + " (expected: true or false)");
    };
  }

  private static Duration duration(String key, String value) {
    try {
      String v = value.toLowerCase(Locale.ROOT);
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.parse(value);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: like 5s, 500ms or PT5S)", e);
    }
  }
}
