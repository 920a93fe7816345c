package dev.ipc.core;

import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.Map;

/** Registers {@link TestTransport} under the scheme {@code test}, to check the SPI. */
public final class TestTransportProvider implements TransportProvider {
  static volatile Map<String, String> lastOptions;
  static volatile String lastHost;

  @Override
  public String scheme() {
    return "test";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    lastOptions = options;
    lastHost = host;
    return new TestTransport("test", port);
  }

  /** Publishes one line per operation, so the Schemas command has something real to write. */
  @Override
  public Map<String, String> schemas(
      java.util.List<dev.ipc.core.model.ServiceDescriptor<?>> services) {
    StringBuilder sb = new StringBuilder();
    for (var s : services) {
      for (var op : s.operations()) {
        sb.append(s.grpcFullName()).append('/').append(op.grpcMethod()).append('\n');
      }
    }
    return Map.of("test.txt", sb.toString());
  }
}
