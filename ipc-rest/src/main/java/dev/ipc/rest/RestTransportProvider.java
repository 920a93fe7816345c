package dev.ipc.rest;

import dev.ipc.core.Client;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.Map;

/** Plugs REST into {@code Transports} under the scheme {@code rest} ({@code rest://0.0.0.0:5000}). */
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
}
