package dev.ipc.graphql;

import dev.ipc.core.Server;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.AbstractTransportContractTest;

/** The core contract suite, over GraphQL, through {@link GraphqlClient}. */
class GraphqlTransportContractTest extends AbstractTransportContractTest {
  @Override
  protected Transport newTransport() {
    return GraphqlTransport.builder().host("127.0.0.1").port(0).build();
  }

  @Override
  protected RemoteCaller newCaller(Server server) {
    return GraphqlClient.of("127.0.0.1", server.port("graphql"));
  }
}
