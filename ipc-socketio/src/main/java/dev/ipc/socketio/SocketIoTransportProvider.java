package dev.ipc.socketio;

import dev.ipc.core.Client;
import dev.ipc.core.spi.Transport;
import dev.ipc.core.spi.TransportProvider;
import java.util.Map;

/**
 * Plugs Socket.IO into {@code Transports} under the scheme {@code socketio}: {@code
 * socketio://0.0.0.0:8080?maxMessageBytes=1MiB&pingInterval=25s&pingTimeout=20s&maxConnections=10000&maxCallsPerClient=1000&maxBufferedBytes=256MiB&cors=https://a.example,https://b.example&compression=false&workerThreads=2}
 * to serve, {@code
 * socketio://localhost:8080?timeout=5s&transports=polling,websocket&ca=/path/ca.pem} to connect
 * ({@code tls=true}, {@code ca}, {@code cert} and {@code key} as {@link SocketIoClient.Builder} has
 * them).
 */
public final class SocketIoTransportProvider implements TransportProvider {
  /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
  public SocketIoTransportProvider() {}

  @Override
  public String scheme() {
    return "socketio";
  }

  @Override
  public Transport create(String host, int port, Map<String, String> options) {
    return SocketIoTransport.builder().host(host).port(port).options(options).build();
  }

  @Override
  public Client connect(String host, int port, Map<String, String> options) {
    return SocketIoClient.builder().target(host, port).options(options).build();
  }
}
