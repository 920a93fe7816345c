package dev.ipc.rest;

import static java.util.Objects.requireNonNull;

import dev.ipc.core.Client;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plugs REST into {@code Transports} under the scheme {@code rest} ({@code rest://0.0.0.0:5000}).
 */
public final class RestTransportProvider implements TransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public RestTransportProvider() {}

  @Override
  public String scheme() {
    return "rest";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    return RestTransport.builder().host(host).port(port).options(options).build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    return RestClient.builder().target(host, port).options(options).build();
  }

  /**
   * Returns {@code openapi.json}: the OpenAPI 3.1 document a server of {@code services} serves at
   * {@code GET /openapi.json}.
   *
   * @throws IllegalArgumentException if two operations map to one route, or a path binds no scalar
   *     field
   */
  @Override
  public Map<String, String> schemas(List<ServiceDescriptor<?>> services) {
    requireNonNull(services, "services");
    List<Route> routes = new ArrayList<>();
    for (ServiceDescriptor<?> s : services) {
      for (Operation<?, ?, ?> op : s.operations()) {
        routes.add(Route.of(op, null));
      }
    }
    byte[] document = OpenApi.document(Route.distinct(routes));
    return Map.of(
        RestHandler.OPENAPI_PATH.substring(1), new String(document, StandardCharsets.UTF_8));
  }
}
