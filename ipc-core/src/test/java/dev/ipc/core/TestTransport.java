package dev.ipc.core;

import dev.ipc.core.spi.BoundOperation;
import dev.ipc.core.spi.BoundService;
import dev.ipc.core.spi.RunningTransport;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A minimal real transport for core's lifecycle tests: it binds a real socket (so a taken port
 * fails for real), records what the server asks of it, and lets tests call operations through the
 * context it was given.
 */
class TestTransport implements Transport {
  final String name;
  final int port;
  final List<String> events = new CopyOnWriteArrayList<>();
  final CountDownLatch shutdownBegun = new CountDownLatch(1);
  volatile TransportContext context;
  volatile ServerSocket socket;

  TestTransport(String name, int port) {
    this.name = name;
    this.port = port;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public RunningTransport start(TransportContext ctx) throws IOException {
    ServerSocket s = new ServerSocket();
    try {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      s.close();
      throw e;
    }
    this.socket = s;
    this.context = ctx;
    events.add("start");
    return new RunningTransport() {
      @Override
      public InetSocketAddress localAddress() {
        return (InetSocketAddress) s.getLocalSocketAddress();
      }

      @Override
      public void beginDrain() {
        events.add("drain");
      }

      @Override
      public void beginShutdown() {
        events.add("beginShutdown");
        shutdownBegun.countDown();
      }

      @Override
      public boolean awaitTermination(Duration timeout) {
        events.add("awaitTermination");
        return true;
      }

      @Override
      public void shutdownNow() {
        events.add("shutdownNow");
        try {
          s.close();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  BoundOperation operation(String service, String operation) {
    for (BoundService s : context.services()) {
      if (s.descriptor().name().equals(service)) {
        for (BoundOperation op : s.operations()) {
          if (op.operation().name().equals(operation)) {
            return op;
          }
        }
      }
    }
    throw new AssertionError("no " + service + "." + operation);
  }

  /** A caller that runs operations in-process through the context, as a transport would. */
  dev.ipc.core.model.RemoteCaller caller() {
    return (op, request) -> {
      BoundOperation bound = operation(op.service(), op.name());
      if (!op.streaming()) {
        return bound.call(request);
      }
      // What every client does for a stream: a publisher that opens the call per subscriber.
      return dev.ipc.core.model.Reply.of(
          new dev.ipc.core.spi.RemoteStream<>(
              256,
              emitter -> {
                dev.ipc.core.spi.StreamHandle h =
                    bound.stream(
                        request,
                        dev.ipc.core.spi.CallSource.of(name),
                        m -> {},
                        new dev.ipc.core.spi.StreamSink() {
                          @Override
                          public void next(long id, Object value) {
                            emitter.next(value);
                          }

                          @Override
                          public void error(ServiceException error) {
                            emitter.error(error);
                          }

                          @Override
                          public void complete() {
                            emitter.complete();
                          }
                        });
                return h::cancel;
              }));
    };
  }
}
