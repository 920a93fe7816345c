package dev.ipc.grpc;

import dev.ipc.core.Client;
import dev.ipc.core.model.ServiceDescriptor;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.List;
import java.util.Map;

/**
 * Plugs gRPC into {@code Transports} under the scheme {@code grpc} ({@code grpc://0.0.0.0:6666}).
 */
public final class GrpcTransportProvider implements TransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public GrpcTransportProvider() {}

  @Override
  public String scheme() {
    return "grpc";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    return GrpcTransport.builder().host(host).port(port).options(options).build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    return GrpcClient.builder().target(host, port).options(options).build();
  }

  /**
   * Returns one {@code .proto} file per service, named {@code <service name>.proto} (proto3: its
   * package, the well-known types it imports, its enums, messages and service), the same schema the
   * server serves by reflection.
   *
   * @throws IllegalArgumentException if two services have one name, or a model makes no valid
   *     {@code .proto} (two enums or messages of one name, two enums with one constant name)
   */
  @Override
  public Map<String, String> schemas(List<ServiceDescriptor<?>> services) {
    return ProtoText.files(services);
  }
}
