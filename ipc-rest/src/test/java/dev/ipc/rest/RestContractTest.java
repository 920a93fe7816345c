package dev.ipc.rest;

import dev.ipc.core.Server;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.AbstractTransportContractTest;

/** The core contract suite over REST, through {@link RestClient}. */
class RestContractTest extends AbstractTransportContractTest {
  @Override
  protected Transport newTransport() {
    return RestTransport.builder().host("127.0.0.1").port(0).build();
  }

  @Override
  protected RemoteCaller newCaller(Server server) {
    return RestClient.of("127.0.0.1", server.port("rest"));
  }
}
