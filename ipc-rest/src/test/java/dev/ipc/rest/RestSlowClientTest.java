package dev.ipc.rest;

import dev.ipc.core.spi.Transport;
import dev.ipc.http.testing.AbstractSlowClientTest;
import java.util.function.Supplier;

/** The slow-client limits on a real REST server; the tests are {@link AbstractSlowClientTest}'s. */
class RestSlowClientTest extends AbstractSlowClientTest {
  RestSlowClientTest() {
    super("rest", "/tasks", "/tasks/1", "/openapi.json"); // the OpenAPI document: several KiB
  }

  @Override
  protected Supplier<Transport> configure(Settings settings) {
    RestTransport.Builder b = RestTransport.builder().host("127.0.0.1").port(0);
    settings.applyTo(
        b::idleTimeout,
        b::requestTimeout,
        b::writeTimeout,
        b::maxConnections,
        b::maxConnectionsPerPeer);
    return b::build;
  }
}
