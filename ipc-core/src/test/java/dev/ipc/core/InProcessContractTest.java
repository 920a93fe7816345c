package dev.ipc.core;

import dev.ipc.core.model.RemoteCaller;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.testing.AbstractTransportContractTest;

/**
 * Runs the contract suite in-process through {@link TestTransport}, which checks the suite itself
 * and core's half of every scenario (validation, error mapping, draining) without any protocol.
 */
class InProcessContractTest extends AbstractTransportContractTest {
  private TestTransport last;

  @Override
  protected Transport newTransport() {
    last = new TestTransport("inprocess", 0);
    return last;
  }

  @Override
  protected RemoteCaller newCaller(Server server) {
    TestTransport transport = last;
    RemoteCaller inner = transport.caller();
    return (op, request) -> {
      if (transport.socket.isClosed()) {
        throw new TransportException("connection refused: " + server.address("inprocess"));
      }
      return inner.call(op, request);
    };
  }
}
