package dev.ipc.socketio;

import dev.ipc.core.Server;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.AbstractTransportContractTest;

/** The core contract suite over Socket.IO, through {@link SocketIoClient}. */
class SocketIoTransportContractTest extends AbstractTransportContractTest {
  @Override
  protected Transport newTransport() {
    return SocketIoTransport.builder().host("127.0.0.1").port(0).build();
  }

  @Override
  protected RemoteCaller newCaller(Server server) {
    return SocketIoClient.builder().target("127.0.0.1", server.port("socketio")).build();
  }
}
