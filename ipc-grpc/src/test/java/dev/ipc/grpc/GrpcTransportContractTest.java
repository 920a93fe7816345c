package dev.ipc.grpc;

import dev.ipc.core.Server;
import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.AbstractTransportContractTest;

/** The core contract suite, over gRPC through {@link GrpcClient}. */
class GrpcTransportContractTest extends AbstractTransportContractTest {
  @Override
  protected Transport newTransport() {
    return GrpcTransport.builder().host("127.0.0.1").port(0).build();
  }

  @Override
  protected RemoteCaller newCaller(Server server) {
    return GrpcClient.of("127.0.0.1", server.port("grpc"));
  }
}
