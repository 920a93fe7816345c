package dev.ipc.graphql;

import dev.ipc.core.spi.Transport;
import dev.ipc.http.testing.AbstractSlowClientTest;
import java.util.function.Supplier;

/**
 * The slow-client limits on a real GraphQL server; the tests are {@link AbstractSlowClientTest}'s.
 */
class GraphqlSlowClientTest extends AbstractSlowClientTest {
  GraphqlSlowClientTest() {
    super(
        "graphql",
        "/graphql?query=%7Btasks%7Bid%7D%7D",
        "/graphql?query=%7Bname%7D",
        "/graphql/schema.graphql"); // the SDL: a few KiB
  }

  @Override
  protected Supplier<Transport> configure(Settings settings) {
    GraphqlTransport.Builder b = GraphqlTransport.builder().host("127.0.0.1").port(0);
    settings.applyTo(
        b::idleTimeout,
        b::requestTimeout,
        b::writeTimeout,
        b::maxConnections,
        b::maxConnectionsPerPeer);
    return b::build;
  }
}
